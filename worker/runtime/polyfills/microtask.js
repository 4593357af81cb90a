/*
 * microtask.js -- the job queue behind queueMicrotask and Promise. Duktape has
 * no event loop, so the host drains the queue after the job's synchronous
 * code: rt.drainMicrotasks() runs queued jobs, including ones they queue,
 * until the queue is empty and returns how many ran.
 *
 * A job that throws (a queueMicrotask callback; promise reactions never
 * throw) stops the drain and the error propagates to the host, as an
 * uncaught exception would end a Node process. The jobs not yet run stay
 * queued. rt.unhandledRejections() is defined by promise.js; until Promise
 * is loaded it returns an empty list.
 */
(function (G, rt) {
    'use strict';
    var queue = [];
    var head = 0;

    /* Queues fn(a, b, c). Internal callers pass their own arguments to
     * avoid a closure per job. */
    rt.enqueue = function (fn, a, b, c) {
        queue.push(fn, a, b, c);
    };

    /* process.nextTick's queue (process.js): Node runs every tick queued,
     * then the whole microtask queue, and again while ticks were queued by
     * microtasks -- a tick never runs in the middle of the promise jobs. */
    var ticks = [];
    var tickHead = 0;

    rt.enqueueTick = function (fn, args) {
        ticks.push(fn, args);
    };

    function runTicks() {
        var ran = 0, fn, args;
        try {
            while (tickHead < ticks.length) {
                fn = ticks[tickHead];
                args = ticks[tickHead + 1];
                ticks[tickHead] = ticks[tickHead + 1] = undefined;
                tickHead += 2;
                ran++;
                if (tickHead >= 16384 && tickHead * 2 >= ticks.length) {
                    ticks.splice(0, tickHead);
                    tickHead = 0;
                }
                fn.apply(undefined, args);
            }
        } finally {
            if (tickHead >= ticks.length) {
                ticks.length = 0;
                tickHead = 0;
            }
        }
        return ran;
    }

    function runQueue() {
        var ran = 0, fn, a, b, c;
        try {
            while (head < queue.length) {
                fn = queue[head];
                a = queue[head + 1];
                b = queue[head + 2];
                c = queue[head + 3];
                queue[head] = queue[head + 1] = queue[head + 2] = queue[head + 3] = undefined;
                head += 4;
                ran++;
                /* A chain that keeps queueing (a loop of awaits) must not
                 * grow the array for the whole drain: once the used part
                 * is large and at least half, drop it (the rest is what
                 * is pending, so the copy stays small). */
                if (head >= 16384 && head * 2 >= queue.length) {
                    queue.splice(0, head);
                    head = 0;
                }
                fn(a, b, c);
            }
        } finally {
            if (head >= queue.length) {
                queue.length = 0;
                head = 0;
            } else if (head > 4096) {
                queue.splice(0, head);
                head = 0;
            }
        }
        return ran;
    }

    rt.drainMicrotasks = function () {
        var ran = 0;
        do {
            ran += runTicks();
            ran += runQueue();
        } while (tickHead < ticks.length);
        return ran;
    };

    rt.pendingMicrotasks = function () {
        return (queue.length - head) / 4 + (ticks.length - tickHead) / 2;
    };

    rt.unhandledRejections = function () {
        return [];
    };

    function runCallback(cb) {
        cb();
    }

    Object.defineProperty(G, 'queueMicrotask', {
        value: function queueMicrotask(cb) {
            if (typeof cb !== 'function') throw new TypeError('queueMicrotask: callback is not a function');
            rt.enqueue(runCallback, cb);
        },
        writable: true, enumerable: false, configurable: true
    });
})(globalThis, rt);

/*
 * timers.js -- setTimeout, setInterval, setImmediate and their clear
 * functions, as Node has them. Duktape has no event loop; the host runs this
 * one after the job's synchronous code (worker/runtime/README.md, "Host
 * contract" 6): it drains the microtasks, then calls rt.runTimers(), which runs
 * macrotasks one at a time, draining the microtasks after each, until
 * nothing keeps the loop alive or only timers that are not due are left.
 *
 * The loop follows Node's phases: a timers phase runs, in order of due time
 * and then of scheduling, every timer due at the phase's start; a check
 * phase then runs the immediates queued before it began; then the next
 * iteration. When only timers remain and none is due, runTimers returns 0
 * and the host moves the job's clock forward to rt.nextTimerDue() instead of
 * sleeping (the job sees the time pass in Date.now() and performance.now(),
 * and the skipped time counts toward its timeout).
 *
 * Delays are Node's: coerced with `* 1`, anything not in [1, 2^31 - 1]
 * becomes 1, fractions are truncated, and they count from the loop's time
 * (whole milliseconds, taken when a timers phase starts). Unref'd timers and immediates do not
 * keep the loop alive. At most MAX_LIVE timers and immediates may be
 * pending at once (a RangeError beyond): a job that schedules without end
 * fails instead of filling its heap slowly.
 */
(function (G, rt) {
    'use strict';
    var TIMEOUT_MAX = 2147483647;
    var MAX_LIVE = 100000;
    var now = typeof rt.now === 'function' ? rt.now : function () { return Date.now(); };
    var heap = [];      /* buckets of pending timers, a binary heap on due time */
    var byDue = Object.create(null); /* due time -> its bucket */
    var pending = 0;    /* pending timers */
    var nextId = 1;     /* ids handed out by [Symbol.toPrimitive] */
    var byId = {};      /* id -> timer, for clearTimeout(number) */
    var refed = 0;      /* pending timers that keep the loop alive */
    var imms = [];      /* pending immediates, in order (cleared ones are null) */
    var immHead = 0;
    var immRefed = 0;
    var immLive = 0;
    var phaseNow = -1;  /* start of the current timers phase, -1 outside one */
    /* Node's loop time: whole milliseconds, read when the group loads and
     * at the start of each timers phase. Timers count from it, so all that
     * one callback (or the synchronous code) schedules with equal delays are
     * due together, in the order they were made. */
    var loopNow = Math.floor(now());
    var checkEnd = -1;  /* in a check phase: index past its last immediate */

    /* A timer's own state beyond Node's fields, under symbols: invisible to
     * Object.keys and JSON, as Node's own symbol-keyed fields are, and plain
     * assignments (Object.defineProperty costs a job ~1 us a property). */
    var DUE = Symbol('due'), BUCKET = Symbol('bucket'), SLOT = Symbol('slot'), REFED = Symbol('refed'), ID = Symbol('id');

    function define(o, k, v) {
        Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true });
    }

    var describe = rt.received; /* Node's " Received ..." (cw_runtime.c) */

    function checkCallback(cb) {
        if (typeof cb !== 'function') {
            var e = new TypeError('The "callback" argument must be of type function.' + describe(cb));
            e.code = 'ERR_INVALID_ARG_TYPE';
            throw e;
        }
    }

    function checkRoom() {
        if (pending + immLive >= MAX_LIVE)
            throw new RangeError('too many pending timers (at most ' + MAX_LIVE + ' at once)');
    }

    function delayOf(after) {
        after *= 1;
        if (!(after >= 1 && after <= TIMEOUT_MAX)) after = 1;
        return Math.floor(after);
    }

    function rest(args, from) {
        if (args.length <= from) return null;
        return Array.prototype.slice.call(args, from);
    }

    /* ---- pending timers -------------------------------------------------
     *
     * Timers due at the same time share a bucket, in the order they were
     * scheduled; the buckets form a binary heap on their due time. Most
     * timers of a job share a due time with others (one loop, one delay),
     * so scheduling, clearing and firing them is O(1), and only a new due
     * time costs a heap operation. A cleared timer leaves a hole in its
     * bucket; a bucket with no timer left leaves the heap. */

    function Bucket(due) {
        this.due = due;
        this.items = [];
        this.head = 0;
        this.live = 0;
        this.slot = -1;
    }

    function place(b, i) {
        heap[i] = b;
        b.slot = i;
    }

    function up(i) {
        var b = heap[i];
        while (i > 0) {
            var p = (i - 1) >> 1;
            if (heap[p].due <= b.due) break;
            place(heap[p], i);
            i = p;
        }
        place(b, i);
    }

    function down(i) {
        var b = heap[i], n = heap.length;
        for (;;) {
            var l = 2 * i + 1, r = l + 1, m = i, md = b.due;
            if (l < n && heap[l].due < md) { m = l; md = heap[l].due; }
            if (r < n && heap[r].due < md) m = r;
            if (m === i) break;
            place(heap[m], i);
            i = m;
        }
        place(b, i);
    }

    function insert(t, start) {
        var due = start + t._idleTimeout;
        t._idleStart = start;
        t[DUE] = due;
        var b = byDue[due];
        if (!b) {
            b = byDue[due] = new Bucket(due);
            heap.push(b);
            up(heap.length - 1);
        }
        t[BUCKET] = b;
        t[SLOT] = b.items.length;
        b.items.push(t);
        b.live++;
        pending++;
        if (t[REFED]) refed++;
    }

    function remove(t) {
        var i = t[SLOT];
        if (i < 0) return;
        var b = t[BUCKET];
        t[SLOT] = -1;
        t[BUCKET] = null;
        b.items[i] = null;
        pending--;
        if (t[REFED]) refed--;
        if (--b.live > 0) return;
        delete byDue[b.due];
        var last = heap.pop();
        if (last !== b) {
            place(last, b.slot);
            up(last.slot);
            down(last.slot);
        }
    }

    /* The next timer to fire, or null. */
    function first() {
        if (heap.length === 0) return null;
        var b = heap[0];
        while (b.items[b.head] === null) b.head++;
        return b.items[b.head];
    }

    /* ---- Timeout -------------------------------------------------------- */

    function Timeout(cb, after, args, repeat) {
        this._idleTimeout = after;
        this._idlePrev = null;
        this._idleNext = null;
        this._idleStart = 0;
        this._onTimeout = cb;
        this._timerArgs = args;
        this._repeat = repeat ? after : null;
        this._destroyed = false;
        this[DUE] = 0;
        this[BUCKET] = null;
        this[SLOT] = -1;
        this[REFED] = true;
        this[ID] = 0;
    }
    define(Timeout.prototype, 'ref', function ref() {
        if (!this[REFED]) {
            this[REFED] = true;
            if (this[SLOT] >= 0) refed++;
        }
        return this;
    });
    define(Timeout.prototype, 'unref', function unref() {
        if (this[REFED]) {
            this[REFED] = false;
            if (this[SLOT] >= 0) refed--;
        }
        return this;
    });
    define(Timeout.prototype, 'hasRef', function hasRef() { return this[REFED]; });
    define(Timeout.prototype, 'refresh', function refresh() {
        if (this._onTimeout && !this._destroyed) {
            remove(this);
            insert(this, loopNow);
        } else if (this._onTimeout && this[SLOT] < 0) { /* fired already: armed again, as in Node */
            this._destroyed = false;
            insert(this, loopNow);
            if (this[ID]) byId[this[ID]] = this;
        }
        return this;
    });
    define(Timeout.prototype, 'close', function close() {
        clearTimeout(this);
        return this;
    });
    define(Timeout.prototype, Symbol.toPrimitive, function () {
        if (!this[ID]) {
            this[ID] = nextId++;
            if (this[SLOT] >= 0) byId[this[ID]] = this;
        }
        return this[ID];
    });

    function schedule(cb, after, args, repeat) {
        checkCallback(cb);
        checkRoom();
        var t = new Timeout(cb, delayOf(after), args, repeat);
        insert(t, loopNow);
        return t;
    }

    function setTimeout(callback, after) {
        return schedule(callback, after, rest(arguments, 2), false);
    }

    function setInterval(callback, repeat) {
        return schedule(callback, repeat, rest(arguments, 2), true);
    }

    function clearTimeout(timer) {
        if (typeof timer === 'number' || typeof timer === 'string') {
            timer = byId[timer];
            if (!timer) return;
        }
        if (timer && timer instanceof Timeout && timer._onTimeout) {
            timer._onTimeout = null;
            timer._destroyed = true;
            remove(timer);
            if (timer[ID]) delete byId[timer[ID]];
        }
    }

    /* ---- Immediate ------------------------------------------------------ */

    function Immediate(cb, args) {
        this._idleNext = null;
        this._idlePrev = null;
        this._onImmediate = cb;
        this._argv = args;
        this._destroyed = false;
        this[REFED] = true;
        this[SLOT] = -1;
    }
    define(Immediate.prototype, 'ref', function ref() {
        if (!this[REFED]) {
            this[REFED] = true;
            if (this[SLOT] >= 0) immRefed++;
        }
        return this;
    });
    define(Immediate.prototype, 'unref', function unref() {
        if (this[REFED]) {
            this[REFED] = false;
            if (this[SLOT] >= 0) immRefed--;
        }
        return this;
    });
    define(Immediate.prototype, 'hasRef', function hasRef() { return this[REFED]; });

    function setImmediate(callback) {
        checkCallback(callback);
        checkRoom();
        var im = new Immediate(callback, rest(arguments, 1));
        im[SLOT] = imms.length;
        imms.push(im);
        immLive++;
        immRefed++;
        return im;
    }

    function dropImmediate(im) {
        imms[im[SLOT]] = null;
        im[SLOT] = -1;
        immLive--;
        if (im[REFED]) immRefed--;
    }

    function clearImmediate(im) {
        if (!im || !(im instanceof Immediate) || im._destroyed || im[SLOT] < 0) return;
        im._destroyed = true;
        dropImmediate(im);
        im._onImmediate = null;
    }

    /* ---- the loop ------------------------------------------------------- */

    function alive() {
        return refed > 0 || immRefed > 0;
    }

    function fire(t) {
        var start = phaseNow;
        remove(t);
        var cb = t._onTimeout, args = t._timerArgs;
        if (!t._repeat) {
            t._destroyed = true;
            if (t[ID]) delete byId[t[ID]];
        }
        try {
            if (args) cb.apply(t, args);
            else cb.call(t);
        } finally {
            /* cleared or refreshed by its own callback: leave it so */
            if (t._repeat && t._onTimeout && t[SLOT] < 0) {
                t._idleTimeout = t._repeat;
                insert(t, start);
            }
        }
    }

    /* Runs at most one timer or immediate. 1: one ran; 0: only timers
     * remain and none is due yet; -1: nothing keeps the loop alive. */
    function step() {
        var at = now();
        for (var pass = 0; pass < 3; pass++) {
            if (checkEnd < 0) { /* timers phase */
                if (phaseNow < 0) {
                    if (!alive()) return -1;
                    phaseNow = loopNow = Math.floor(at);
                }
                var t = first();
                if (t && t[DUE] <= phaseNow) {
                    fire(t);
                    return 1;
                }
                phaseNow = -1;
                checkEnd = imms.length;
            }
            while (immHead < checkEnd) { /* check phase */
                var im = imms[immHead++];
                if (!im) continue;
                dropImmediate(im);
                im._destroyed = true;
                var cb = im._onImmediate, args = im._argv;
                if (args) cb.apply(im, args);
                else cb.call(im);
                return 1;
            }
            checkEnd = -1;
            if (immHead >= imms.length) {
                imms.length = 0;
                immHead = 0;
            } else if (immHead > 1024) {
                var left = imms.slice(immHead);
                imms = left;
                immHead = 0;
                for (var i = 0; i < imms.length; i++) if (imms[i]) imms[i][SLOT] = i;
            }
            if (!alive()) return -1;
            if (immLive === 0 && pending > 0 && heap[0].due > at) return 0;
        }
        return 0;
    }

    /* After each callback: its microtasks, then Node's check for promises
     * rejected with no handler.  true (the reason in rt.loopRejection) when
     * there is one. */
    function settle() {
        var drain = rt.drainMicrotasks, unhandled = rt.unhandledRejections;
        if (typeof drain === 'function') while (drain.call(rt) > 0) {}
        if (typeof unhandled === 'function') {
            var list = unhandled.call(rt);
            if (list.length > 0) {
                rt.loopRejection = list[0];
                return true;
            }
        }
        return false;
    }

    /* The host's loop body, run after the microtasks of the synchronous
     * code: macrotasks, each followed by its microtasks, until the host is
     * needed.  0: only timers remain and none is due (move the clock to
     * rt.nextTimerDue(), then call again); -1: nothing keeps the loop alive,
     * the job is over; 2: a rejection has no handler (rt.loopRejection).  A
     * callback that throws propagates. */
    rt.runTimers = function () {
        for (;;) {
            var r = step();
            if (r !== 1) return r;
            if (settle()) return 2;
        }
    };

    /* The due time of the next timer, in whole milliseconds of rt.now()'s
     * clock; -1 when none. */
    rt.nextTimerDue = function () {
        return heap.length > 0 ? heap[0].due : -1;
    };


    var fns = { setTimeout: setTimeout, setInterval: setInterval, clearTimeout: clearTimeout,
                clearInterval: function clearInterval(timer) { clearTimeout(timer); },
                setImmediate: setImmediate, clearImmediate: clearImmediate };
    for (var k in fns) define(G, k, fns[k]);

    /* ---- require('timers'), require('timers/promises') ----------------- */
    /* Node's two modules over these same timers: 'timers' is the globals
     * (require('timers').setTimeout === setTimeout); 'timers/promises' the
     * promise forms, with Node's AbortError (name AbortError, code
     * ABORT_ERR, the signal's reason as cause), its option checks, and
     * setInterval as an async iterator that waits `delay` before each
     * value.  Waiting skips ahead on the job's clock like any timer. */
    function AbortError(message, options) {
        var e = new Error(message === undefined ? 'The operation was aborted' : message, options);
        Object.setPrototypeOf(e, AbortError.prototype);
        e.code = 'ABORT_ERR';
        return e;
    }
    AbortError.prototype = Object.create(Error.prototype, {
        constructor: { value: AbortError, writable: true, configurable: true },
        name: { value: 'AbortError', writable: true, configurable: true }
    });
    function received(v) {
        if (v === null) return 'Received null';
        var t = typeof v;
        if (t === 'string') return "Received type string ('" + v + "')";
        if (t === 'function') return 'Received function ' + (v.name || '<anonymous>');
        if (t === 'object') return 'Received an instance of ' + ((v.constructor && v.constructor.name) || 'Object');
        return 'Received type ' + t + ' (' + String(v) + ')';
    }
    function argError(what, type, v) {
        var e = new TypeError('The "' + what + '" ' + (what.indexOf('.') < 0 ? 'argument' : 'property') +
                              ' must be ' + type + '. ' + received(v));
        e.code = 'ERR_INVALID_ARG_TYPE';
        return e;
    }
    function options(o) {
        if (o === undefined) return {};
        if (o === null || typeof o !== 'object') throw argError('options', 'of type object', o);
        var sig = o.signal;
        if (sig !== undefined && !(G.AbortSignal && sig instanceof G.AbortSignal))
            throw argError('options.signal', 'an instance of AbortSignal', sig);
        if (o.ref !== undefined && typeof o.ref !== 'boolean') throw argError('options.ref', 'of type boolean', o.ref);
        return o;
    }
    function later(schedule, cancel, value, opts) {
        var P = G.Promise;
        try {
            opts = options(opts);
        } catch (e) {
            return P.reject(e);
        }
        var sig = opts.signal;
        if (sig && sig.aborted) return P.reject(new AbortError(undefined, { cause: sig.reason }));
        return new P(function (resolve, reject) {
            var t;
            function onAbort() {
                cancel(t);
                reject(new AbortError(undefined, { cause: sig.reason }));
            }
            t = schedule(function () {
                if (sig) sig.removeEventListener('abort', onAbort);
                resolve(value);
            });
            if (opts.ref === false && t && typeof t.unref === 'function') t.unref();
            if (sig) sig.addEventListener('abort', onAbort, { once: true });
        });
    }
    var promises = {
        setTimeout: function setTimeout(delay, value, opts) {
            return later(function (f) { return fns.setTimeout(f, delay); }, clearTimeout, value, opts);
        },
        setImmediate: function setImmediate(value, opts) {
            return later(function (f) { return fns.setImmediate(f); }, clearImmediate, value, opts);
        },
        setInterval: function setInterval(delay, value, opts) {
            var done = false, it = {
                next: function () {
                    if (done) return G.Promise.resolve({ value: undefined, done: true });
                    return promises.setTimeout(delay, value, opts).then(function (v) { return { value: v, done: false }; });
                },
                'return': function () {
                    done = true;
                    return G.Promise.resolve({ value: undefined, done: true });
                }
            };
            it[G.Symbol.asyncIterator] = function () { return this; };
            return it;
        },
        scheduler: {
            wait: function wait(delay, opts) { return promises.setTimeout(delay, undefined, opts); },
            'yield': function () { return promises.setImmediate(); }
        }
    };
    if (!rt.nodeModules) rt.nodeModules = {};
    rt.nodeModules.timers = { setTimeout: fns.setTimeout, clearTimeout: fns.clearTimeout, setImmediate: fns.setImmediate,
                              clearImmediate: fns.clearImmediate, setInterval: fns.setInterval,
                              clearInterval: fns.clearInterval, promises: promises };
    rt.nodeModules['timers/promises'] = promises;
})(globalThis, rt);

/*
 * promise.js -- Promise (ES2024 surface: then/catch/finally, resolve, reject,
 * all, allSettled, race, any, withResolvers) and AggregateError for Duktape
 * 2.7, loaded on first use of either global.
 *
 * Reactions run as microtasks on the queue of microtask.js, which the host
 * drains after the job's synchronous code, so callbacks run after that code,
 * in FIFO order, before the host reads the result. Thenables are adopted in a
 * separate job, as the specification orders it.
 *
 * Rejections that have no handler are recorded; rt.unhandledRejections()
 * returns the reasons of those still unhandled when it is called (normally
 * after the drain) and forgets them.
 */
(function (G, rt) {
    'use strict';
    var PENDING = 0, FULFILLED = 1, REJECTED = 2;
    var S = Symbol('promise.state');
    var ITER = Symbol.iterator;
    var enqueue = rt.enqueue;
    var tracked = [];

    function define(o, k, v) {
        Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true });
    }
    function callable(f, msg) {
        if (typeof f !== 'function') throw new TypeError(msg);
        return f;
    }
    function stateOf(p, who) {
        var st = Object(p) === p ? p[S] : undefined;
        if (!st) throw new TypeError('Method Promise.prototype.' + who + ' called on incompatible receiver ' + p);
        return st;
    }

    /* ---- core state machine --------------------------------------------- */

    function settle(p, state, value) {
        var st = p[S], q = st.q, i, off, job;
        if (st.s !== PENDING) return;
        st.s = state;
        st.v = value;
        st.q = null;
        if (state === REJECTED && !st.h) tracked.push(p);
        /* q holds triples (onFulfilled, onRejected, target): flat, so a
         * chain of promises is as shallow as it can be for the engine's
         * collector, which marks recursively (and rescans past a depth). */
        off = state === FULFILLED ? 0 : 1;
        job = state === FULFILLED ? fulfilledJob : rejectedJob;
        for (i = 0; i < q.length; i += 3) enqueue(job, q[i + off], q[i + 2], value);
    }

    function resolvePromise(p, x) {
        var then;
        if (x === p) return settle(p, REJECTED, new TypeError('Chaining cycle detected for promise'));
        if (Object(x) !== x) return settle(p, FULFILLED, x);
        try {
            then = x.then;
        } catch (e) {
            return settle(p, REJECTED, e);
        }
        if (typeof then !== 'function') return settle(p, FULFILLED, x);
        enqueue(resolveThenableJob, p, x, then);
    }

    /* Resolve/reject pair that acts only once (the executor's arguments). */
    function resolvingFunctions(p) {
        var done = false;
        return {
            resolve: function (x) {
                if (done) return;
                done = true;
                resolvePromise(p, x);
            },
            reject: function (r) {
                if (done) return;
                done = true;
                settle(p, REJECTED, r);
            }
        };
    }

    function resolveThenableJob(p, x, then) {
        var fns = resolvingFunctions(p);
        try {
            then.call(x, fns.resolve, fns.reject);
        } catch (e) {
            fns.reject(e);
        }
    }

    /* A reaction: handler h (or undefined) and its target, the derived
     * internal promise or a foreign capability { promise, resolve, reject }. */
    function react(h, target, arg, ok) {
        var result = arg;
        if (h !== undefined) {
            try {
                result = h(arg);
                ok = true;
            } catch (e) {
                result = e;
                ok = false;
            }
        }
        if (target[S] !== undefined) {
            if (ok) resolvePromise(target, result);
            else settle(target, REJECTED, result);
        } else {
            if (ok) target.resolve(result);
            else target.reject(result);
        }
    }
    function fulfilledJob(h, target, arg) { react(h, target, arg, true); }
    function rejectedJob(h, target, arg) { react(h, target, arg, false); }

    function createInternal() {
        var p = Object.create(Promise.prototype);
        p[S] = { s: PENDING, v: undefined, q: [], h: false };
        return p;
    }

    /* NewPromiseCapability(C) for constructors other than Promise itself. */
    function newCapability(C) {
        var cap = { promise: undefined, resolve: undefined, reject: undefined };
        if (C === Promise) {
            cap.promise = createInternal();
            var fns = resolvingFunctions(cap.promise);
            cap.resolve = fns.resolve;
            cap.reject = fns.reject;
            return cap;
        }
        if (typeof C !== 'function') throw new TypeError('Promise resolve or reject function is not callable');
        cap.promise = new C(function (res, rej) {
            if (cap.resolve !== undefined || cap.reject !== undefined) throw new TypeError('Promise executor has already been invoked');
            cap.resolve = res;
            cap.reject = rej;
        });
        callable(cap.resolve, 'Promise resolve function is not callable');
        callable(cap.reject, 'Promise reject function is not callable');
        return cap;
    }

    function ctorOf(p) {
        var C = p.constructor;
        return C === undefined ? Promise : C;
    }

    /* ---- constructor and prototype -------------------------------------- */

    function Promise(executor) {
        var fns;
        if (!(this instanceof Promise) || this[S]) throw new TypeError("Promise constructor cannot be invoked without 'new'");
        callable(executor, 'Promise resolver ' + executor + ' is not a function');
        this[S] = { s: PENDING, v: undefined, q: [], h: false };
        fns = resolvingFunctions(this);
        try {
            executor(fns.resolve, fns.reject);
        } catch (e) {
            fns.reject(e);
        }
    }
    var PP = Promise.prototype;

    define(PP, 'then', function then(onFulfilled, onRejected) {
        var st = stateOf(this, 'then'), C = ctorOf(this), target;
        var hf = typeof onFulfilled === 'function' ? onFulfilled : undefined;
        var hr = typeof onRejected === 'function' ? onRejected : undefined;
        target = C === Promise ? createInternal() : newCapability(C);
        if (st.s === PENDING) st.q.push(hf, hr, target);
        else if (st.s === FULFILLED) enqueue(fulfilledJob, hf, target, st.v);
        else enqueue(rejectedJob, hr, target, st.v);
        st.h = true;
        return C === Promise ? target : target.promise;
    });

    define(PP, 'catch', function (onRejected) {
        return this.then(undefined, onRejected);
    });

    define(PP, 'finally', function (onFinally) {
        var C;
        if (typeof onFinally !== 'function') return this.then(onFinally, onFinally);
        C = ctorOf(this);
        return this.then(function (v) {
            return C.resolve(onFinally()).then(function () { return v; });
        }, function (e) {
            return C.resolve(onFinally()).then(function () { throw e; });
        });
    });

    Object.defineProperty(PP, Symbol.toStringTag, { value: 'Promise', configurable: true });

    /* ---- statics ---------------------------------------------------------- */

    define(Promise, 'resolve', function resolve(x) {
        var cap;
        if (Object(x) === x && x[S] && x.constructor === this) return x;
        cap = newCapability(this);
        cap.resolve(x);
        return cap.promise;
    });

    define(Promise, 'reject', function reject(r) {
        var cap = newCapability(this);
        cap.reject(r);
        return cap.promise;
    });

    define(Promise, 'withResolvers', function withResolvers() {
        var cap = newCapability(this);
        return { promise: cap.promise, resolve: cap.resolve, reject: cap.reject };
    });

    /* Calls each(value, index) for the elements of an iterable; returns the
     * count. Closes the iterator when each() throws. */
    function iterate(iterable, each) {
        var it, step, i = 0;
        if (iterable === null || iterable === undefined || typeof iterable[ITER] !== 'function')
            throw new TypeError(typeof iterable + ' ' + iterable + ' is not iterable');
        it = iterable[ITER]();
        for (;;) {
            step = it.next();
            if (step.done) return i;
            try {
                each(step.value, i++);
            } catch (e) {
                if (typeof it['return'] === 'function') {
                    try { it['return'](); } catch (ignore) { /* the first error wins */ }
                }
                throw e;
            }
        }
    }

    /* Shared driver for all/allSettled/any: the callback decides what one
     * settlement does; `remaining` starts at 1 to cover the iteration. */
    function combinator(C, iterable, onItem, onEmpty) {
        var cap = newCapability(C), resolveFn, state;
        try {
            resolveFn = callable(C.resolve, 'Promise resolve is not a function');
            state = { values: [], remaining: 1, cap: cap };
            iterate(iterable, function (v, i) {
                state.values.push(undefined);
                state.remaining++;
                onItem(resolveFn.call(C, v), i, state);
            });
            if (--state.remaining === 0) onEmpty(state);
        } catch (e) {
            cap.reject(e);
        }
        return cap.promise;
    }

    function once(fn) {
        var called = false;
        return function (x) {
            if (called) return;
            called = true;
            fn(x);
        };
    }

    define(Promise, 'all', function all(iterable) {
        return combinator(this, iterable, function (p, i, st) {
            p.then(once(function (v) {
                st.values[i] = v;
                if (--st.remaining === 0) st.cap.resolve(st.values);
            }), st.cap.reject);
        }, function (st) { st.cap.resolve(st.values); });
    });

    define(Promise, 'allSettled', function allSettled(iterable) {
        return combinator(this, iterable, function (p, i, st) {
            function done(rec) {
                st.values[i] = rec;
                if (--st.remaining === 0) st.cap.resolve(st.values);
            }
            p.then(once(function (v) { done({ status: 'fulfilled', value: v }); }),
                once(function (r) { done({ status: 'rejected', reason: r }); }));
        }, function (st) { st.cap.resolve(st.values); });
    });

    define(Promise, 'any', function any(iterable) {
        function fail(st) {
            st.cap.reject(new AggregateError(st.values, 'All promises were rejected'));
        }
        return combinator(this, iterable, function (p, i, st) {
            p.then(st.cap.resolve, once(function (r) {
                st.values[i] = r;
                if (--st.remaining === 0) fail(st);
            }));
        }, fail);
    });

    define(Promise, 'race', function race(iterable) {
        var C = this, cap = newCapability(C), resolveFn;
        try {
            resolveFn = callable(C.resolve, 'Promise resolve is not a function');
            iterate(iterable, function (v) {
                resolveFn.call(C, v).then(cap.resolve, cap.reject);
            });
        } catch (e) {
            cap.reject(e);
        }
        return cap.promise;
    });

    /* ---- AggregateError ------------------------------------------------- */

    /* Only a data property counts as present: the host's lazy accessor for
     * this group must not be read (or replaced) by a test for it. */
    var aggDesc = Object.getOwnPropertyDescriptor(G, 'AggregateError');
    var AggregateError = aggDesc && 'value' in aggDesc ? aggDesc.value : undefined;
    if (typeof AggregateError !== 'function') {
        AggregateError = function AggregateError(errors, message) {
            var self = this instanceof AggregateError ? this : Object.create(AggregateError.prototype);
            var e = new Error(message);
            if (message !== undefined) define(self, 'message', String(message));
            var options = arguments[2];
            if (options !== null && typeof options === 'object' && 'cause' in options) define(self, 'cause', options.cause);
            define(self, 'errors', Array.from(errors));
            if (e.stack !== undefined) define(self, 'stack', e.stack);
            return self;
        };
        AggregateError.prototype = Object.create(Error.prototype);
        define(AggregateError.prototype, 'constructor', AggregateError);
        define(AggregateError.prototype, 'name', 'AggregateError');
        define(AggregateError.prototype, 'message', '');
        define(G, 'AggregateError', AggregateError);
    }

    /* Promise.try(fn, ...args) (ES2025): fn's result or throw, as a promise. */
    define(Promise, 'try', function (fn) {
        var cap = newCapability(this), args = Array.prototype.slice.call(arguments, 1);
        try {
            cap.resolve(fn.apply(undefined, args));
        } catch (e) {
            cap.reject(e);
        }
        return cap.promise;
    });
    Object.defineProperty(Promise['try'], 'name', { value: 'try', configurable: true });

    /* Array.fromAsync(items, mapFn, thisArg) (ES2026): awaits each element
     * (of an async iterable, a sync iterable or an array-like) and, with
     * mapFn, each mapped value, in order. */
    var asyncIter = Symbol.asyncIterator;
    define(Array, 'fromAsync', function fromAsync(items) {
        var C = this, mapFn = arguments[1], thisArg = arguments[2];
        return new Promise(function (resolve, reject) {
            var out, it, next, k = 0, sync = false, arrayLike = false, len = 0, m;
            function fail(e) { reject(e); }
            function closeAndFail(e) {
                var ret;
                try {
                    ret = it && it['return'];
                    if (ret !== undefined && ret !== null) {
                        var r = ret.call(it);
                        if (!sync && r && typeof r.then === 'function') {
                            r.then(function () { reject(e); }, function () { reject(e); });
                            return;
                        }
                    }
                } catch (ignored) { /* the first error wins */ }
                reject(e);
            }
            function put(v) {
                if (mapFn === undefined) return store(v);
                var mv;
                try { mv = mapFn.call(thisArg, v, k); } catch (e) { return arrayLike ? fail(e) : closeAndFail(e); }
                Promise.resolve(mv).then(store, arrayLike ? fail : closeAndFail);
            }
            function store(v) {
                try {
                    Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
                } catch (e) { return arrayLike ? fail(e) : closeAndFail(e); }
                k++;
                loop();
            }
            function finish() {
                try { out.length = k; } catch (e) { return fail(e); }
                resolve(out);
            }
            function loop() {
                var r;
                if (arrayLike) {
                    if (k >= len) return finish();
                    try { r = items[k]; } catch (e) { return fail(e); }
                    Promise.resolve(r).then(put, fail);
                    return;
                }
                try {
                    r = next.call(it);
                } catch (e) { return fail(e); }
                if (sync) {
                    if (r === null || typeof r !== 'object') return fail(new TypeError('iterator result is not an object'));
                    var done, value;
                    try { done = r.done; value = r.value; } catch (e) { return fail(e); }
                    if (done) return finish();
                    Promise.resolve(value).then(put, closeAndFail);
                    return;
                }
                Promise.resolve(r).then(function (res) {
                    if (res === null || (typeof res !== 'object' && typeof res !== 'function'))
                        return fail(new TypeError('iterator result is not an object'));
                    var d, v;
                    try { d = res.done; v = res.value; } catch (e) { return fail(e); }
                    if (d) return finish();
                    put(v);
                }, fail);
            }
            try {
                if (mapFn !== undefined && typeof mapFn !== 'function') throw new TypeError(mapFn + ' is not a function');
                if (items === null || items === undefined) throw new TypeError(items + ' is not iterable');
                m = items[asyncIter];
                if (m === undefined || m === null) {
                    m = items[Symbol.iterator];
                    if (m !== undefined && m !== null) sync = true;
                    else arrayLike = true;
                }
                if (arrayLike) {
                    items = Object(items);
                    len = Math.min(Math.max(Math.floor(+items.length) || 0, 0), 9007199254740991);
                    out = typeof C === 'function' ? new C(len) : new Array(len);
                } else {
                    out = typeof C === 'function' ? new C() : [];
                    if (typeof m !== 'function') throw new TypeError('Symbol.iterator is not a function');
                    it = m.call(items);
                    if (it === null || (typeof it !== 'object' && typeof it !== 'function')) throw new TypeError('iterator is not an object');
                    next = it.next;
                }
            } catch (e) {
                return fail(e);
            }
            loop();
        });
    });

    /* ---- host hooks ----------------------------------------------------- */

    rt.unhandledRejections = function () {
        var out = [], i, st;
        for (i = 0; i < tracked.length; i++) {
            st = tracked[i][S];
            if (!st.h) out.push(st.v);
        }
        tracked = [];
        return out;
    };

    /* [state, value] of one of these promises (0 pending, 1 fulfilled, 2
     * rejected), undefined for anything else; a rejection read here counts
     * as handled, since the host reports it as the job's error. */
    rt.promiseState = function (p) {
        var st = Object(p) === p ? p[S] : undefined;
        if (!st || typeof st.s !== 'number') return undefined;
        if (st.s === REJECTED) st.h = true;
        return [st.s, st.v];
    };

    define(G, 'Promise', Promise);
})(globalThis, rt);

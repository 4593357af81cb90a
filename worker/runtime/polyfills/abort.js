/*
 * abort.js -- Event, EventTarget, AbortController and AbortSignal, the
 * WHATWG globals Node 24 gives every script. Agent code cancels work with
 * them (`fetch`-style `{ signal }` options, `AbortSignal.timeout(ms)` in a
 * Promise.race, `signal.throwIfAborted()` in a retry loop).
 *
 * As in Node: abort reasons default to DOMExceptions (base64.js) named
 * AbortError ('This operation was aborted') and, for AbortSignal.timeout,
 * TimeoutError ('The operation was aborted due to timeout'); the timeout's
 * timer is unref'd, so it alone does not keep the job running; a signal of
 * AbortSignal.any follows the plain signals it was made from (an `any` of
 * `any` signals follows their sources), and aborting a source marks every
 * dependent signal aborted before any 'abort' listener runs. A listener that
 * throws does not stop the dispatch; its error is rethrown from a microtask,
 * which ends the job as an uncaught exception ends a Node process. Only
 * targets themselves receive events (no capture or bubble path).
 */
(function (G, rt) {
    'use strict';
    var EV = Symbol('event');
    var LISTENERS = Symbol('listeners');
    var SIG = Symbol('signal');
    var CTRL = Symbol('controller');
    var TAG = Symbol.toStringTag;

    function define(o, k, v) {
        Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true });
    }
    function getter(o, k, get, set) {
        Object.defineProperty(o, k, { get: get, set: set, enumerable: true, configurable: true });
    }
    function tag(ctor, name) {
        Object.defineProperty(ctor.prototype, TAG, { value: name, writable: false, enumerable: false, configurable: true });
    }

    var describe = rt.received; /* Node's " Received ..." (cw_runtime.c) */
    function nodeError(Ctor, code, message) {
        var e = new Ctor(message);
        e.code = code;
        return e;
    }
    function notNew(name) {
        return new TypeError('Class constructor ' + name + " cannot be invoked without 'new'");
    }
    function illegal() {
        return nodeError(TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', 'Illegal constructor');
    }
    function stamp() {
        var p = G.performance;
        return p && typeof p.now === 'function' ? p.now() : 0;
    }

    /* ---- Event ------------------------------------------------------------ */

    function Event(type, options) {
        if (!(this instanceof Event)) throw notNew('Event');
        if (arguments.length === 0) throw nodeError(TypeError, 'ERR_MISSING_ARGS', 'The "type" argument must be specified');
        var o = options === undefined || options === null ? {} : options;
        define(this, EV, {
            type: String(type), bubbles: !!o.bubbles, cancelable: !!o.cancelable, composed: !!o.composed,
            prevented: false, trusted: false, target: null, current: null, phase: 0, stop: false,
            stopNow: false, passive: false, dispatching: false, time: stamp()
        });
    }
    function ev(e) {
        var st = e && e[EV];
        if (!st) throw nodeError(TypeError, 'ERR_INVALID_THIS', 'Value of "this" must be of type Event');
        return st;
    }
    var EP = Event.prototype;
    getter(EP, 'type', function () { return ev(this).type; });
    getter(EP, 'bubbles', function () { return ev(this).bubbles; });
    getter(EP, 'cancelable', function () { return ev(this).cancelable; });
    getter(EP, 'composed', function () { return ev(this).composed; });
    getter(EP, 'defaultPrevented', function () { var s = ev(this); return s.cancelable && s.prevented; });
    getter(EP, 'isTrusted', function () { return ev(this).trusted; });
    getter(EP, 'target', function () { return ev(this).target; });
    getter(EP, 'currentTarget', function () { return ev(this).current; });
    getter(EP, 'srcElement', function () { return ev(this).target; });
    getter(EP, 'eventPhase', function () { return ev(this).phase; });
    getter(EP, 'timeStamp', function () { return ev(this).time; });
    getter(EP, 'returnValue', function () { var s = ev(this); return !(s.cancelable && s.prevented); },
           function (v) { if (!v) this.preventDefault(); });
    getter(EP, 'cancelBubble', function () { return ev(this).stop; },
           function (v) { if (v) ev(this).stop = true; });
    define(EP, 'preventDefault', function preventDefault() {
        var s = ev(this);
        if (!s.passive) s.prevented = true;
    });
    define(EP, 'stopPropagation', function stopPropagation() { ev(this).stop = true; });
    define(EP, 'stopImmediatePropagation', function stopImmediatePropagation() {
        var s = ev(this);
        s.stop = s.stopNow = true;
    });
    define(EP, 'composedPath', function composedPath() {
        var s = ev(this);
        return s.dispatching ? [s.current] : [];
    });
    var PHASES = { NONE: 0, CAPTURING_PHASE: 1, AT_TARGET: 2, BUBBLING_PHASE: 3 };
    for (var ph in PHASES) {
        Object.defineProperty(Event, ph, { value: PHASES[ph], enumerable: true });
        Object.defineProperty(EP, ph, { value: PHASES[ph], enumerable: true });
    }
    tag(Event, 'Event');

    /* ---- EventTarget ------------------------------------------------------ */

    function EventTarget() {
        if (!(this instanceof EventTarget)) throw notNew('EventTarget');
        define(this, LISTENERS, Object.create(null));
    }
    function listeners(t) {
        var l = t && t[LISTENERS];
        if (!l) throw nodeError(TypeError, 'ERR_INVALID_THIS', 'Value of "this" must be of type EventTarget');
        return l;
    }
    function flags(options) {
        if (typeof options === 'boolean') return { capture: options, once: false, passive: false, signal: undefined };
        var o = options === undefined || options === null ? {} : Object(options);
        return { capture: !!o.capture, once: !!o.once, passive: !!o.passive, signal: o.signal };
    }
    var TP = EventTarget.prototype;
    define(TP, 'addEventListener', function addEventListener(type, listener) {
        var options = arguments[2];
        var map = listeners(this);
        if (arguments.length < 2)
            throw nodeError(TypeError, 'ERR_MISSING_ARGS', 'The "type" and "listener" arguments must be specified');
        if (listener === null || listener === undefined) return;
        if (typeof listener !== 'function' && typeof listener !== 'object')
            throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE',
                            'The "listener" argument must be an instance of EventListener.' + describe(listener));
        var f = flags(options);
        if (f.signal !== undefined && !(f.signal instanceof AbortSignal))
            throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE',
                            'The "options.signal" property must be an instance of AbortSignal.' + describe(f.signal));
        if (f.signal && f.signal[SIG].aborted) return;
        type = String(type);
        var list = map[type] || (map[type] = []);
        for (var i = 0; i < list.length; i++)
            if (list[i].listener === listener && list[i].capture === f.capture) return;
        var rec = { listener: listener, capture: f.capture, once: f.once, passive: f.passive, removed: false };
        list.push(rec);
        if (f.signal) {
            var self = this;
            f.signal.addEventListener('abort', function () { drop(self, type, rec); }, { once: true });
        }
    });
    function drop(target, type, rec) {
        var list = listeners(target)[type];
        rec.removed = true;
        if (!list) return;
        var i = list.indexOf(rec);
        if (i >= 0) list.splice(i, 1);
    }
    define(TP, 'removeEventListener', function removeEventListener(type, listener) {
        var options = arguments[2];
        var list = listeners(this)[String(type)];
        if (!list) return;
        var capture = flags(options).capture;
        for (var i = 0; i < list.length; i++) {
            if (list[i].listener === listener && list[i].capture === capture) {
                drop(this, String(type), list[i]);
                return;
            }
        }
    });
    function report(err) {
        G.queueMicrotask(function () { throw err; });
    }
    function dispatch(target, event) {
        var s = event[EV];
        if (s.dispatching) throw new G.DOMException('The event is already being dispatched', 'InvalidStateError');
        var list = listeners(target)[s.type];
        s.dispatching = true;
        s.target = s.current = target;
        s.phase = 2;
        if (list) {
            list = list.slice();
            for (var i = 0; i < list.length && !s.stopNow; i++) {
                var rec = list[i];
                if (rec.removed) continue;
                if (rec.once) drop(target, s.type, rec);
                s.passive = rec.passive;
                try {
                    var l = rec.listener;
                    if (typeof l === 'function') {
                        l.call(target, event);
                        /* Node 24 marks the event as no longer being
                         * dispatched after each function listener: the ones
                         * after it see currentTarget null, eventPhase 0. */
                        s.dispatching = false;
                        s.current = null;
                        s.phase = 0;
                    } else if (l && typeof l.handleEvent === 'function') {
                        l.handleEvent(event);
                    }
                } catch (err) {
                    report(err);
                }
                s.passive = false;
            }
        }
        s.current = null;
        s.phase = 0;
        s.dispatching = false;
        return !(s.cancelable && s.prevented);
    }
    define(TP, 'dispatchEvent', function dispatchEvent(event) {
        listeners(this);
        if (!(event instanceof Event))
            throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "event" argument must be an instance of Event.' + describe(event));
        return dispatch(this, event);
    });
    tag(EventTarget, 'EventTarget');

    /* ---- AbortSignal ------------------------------------------------------ */

    function AbortSignal() {
        throw illegal();
    }
    AbortSignal.prototype = Object.create(TP);
    define(AbortSignal.prototype, 'constructor', AbortSignal);
    Object.setPrototypeOf(AbortSignal, EventTarget);

    function makeSignal() {
        var s = Object.create(AbortSignal.prototype);
        EventTarget.call(s);
        define(s, SIG, { aborted: false, reason: undefined, dependents: [], sources: null, handler: null, wrapper: null });
        return s;
    }
    function sig(s) {
        var st = s && s[SIG];
        if (!st) throw nodeError(TypeError, 'ERR_INVALID_THIS', 'Value of "this" must be of type AbortSignal');
        return st;
    }
    function fireAbort(s) {
        var e = new Event('abort');
        e[EV].trusted = true;
        dispatch(s, e);
    }
    function abortSignal(s, reason) {
        var st = s[SIG];
        if (st.aborted) return;
        st.aborted = true;
        st.reason = reason;
        var more = [];
        for (var i = 0; i < st.dependents.length; i++) {
            var d = st.dependents[i][SIG];
            if (d.aborted) continue;
            d.aborted = true;
            d.reason = reason;
            more.push(st.dependents[i]);
        }
        fireAbort(s);
        for (var j = 0; j < more.length; j++) fireAbort(more[j]);
    }
    var SP = AbortSignal.prototype;
    getter(SP, 'aborted', function () { return sig(this).aborted; });
    getter(SP, 'reason', function () { return sig(this).reason; });
    getter(SP, 'onabort', function () { return sig(this).handler; }, function (v) {
        var st = sig(this);
        st.handler = typeof v === 'function' || (v !== null && typeof v === 'object') ? v : null;
        if (!st.wrapper && st.handler) {
            st.wrapper = function (e) {
                var h = st.handler;
                if (typeof h === 'function') return h.call(this, e);
            };
            this.addEventListener('abort', st.wrapper);
        }
    });
    define(SP, 'throwIfAborted', function throwIfAborted() {
        var st = sig(this);
        if (st.aborted) throw st.reason;
    });
    function abortError() {
        return new G.DOMException('This operation was aborted', 'AbortError');
    }
    define(AbortSignal, 'abort', function abort(reason) {
        var s = makeSignal();
        s[SIG].aborted = true;
        s[SIG].reason = reason === undefined ? abortError() : reason;
        return s;
    });
    define(AbortSignal, 'timeout', function timeout(delay) {
        if (typeof delay !== 'number')
            throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "delay" argument must be of type number.' + describe(delay));
        if (delay !== Math.floor(delay))
            throw nodeError(RangeError, 'ERR_OUT_OF_RANGE', 'The value of "delay" is out of range. It must be an integer. Received ' + delay);
        if (delay < 0 || delay > 4294967295)
            throw nodeError(RangeError, 'ERR_OUT_OF_RANGE',
                            'The value of "delay" is out of range. It must be >= 0 && <= 4294967295. Received ' + delay);
        var s = makeSignal();
        G.setTimeout(function () {
            abortSignal(s, new G.DOMException('The operation was aborted due to timeout', 'TimeoutError'));
        }, delay).unref();
        return s;
    });
    define(AbortSignal, 'any', function any(signals) {
        if (!Array.isArray(signals))
            throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "signals" argument must be an instance of Array.' + describe(signals));
        var i;
        for (i = 0; i < signals.length; i++)
            if (!(signals[i] instanceof AbortSignal))
                throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'signals[' + i + '] is not of type AbortSignal.');
        var s = makeSignal(), st = s[SIG];
        for (i = 0; i < signals.length; i++) {
            if (signals[i][SIG].aborted) {
                st.aborted = true;
                st.reason = signals[i][SIG].reason;
                return s;
            }
        }
        st.sources = [];
        for (i = 0; i < signals.length; i++) {
            var from = signals[i][SIG].sources || [signals[i]];
            for (var j = 0; j < from.length; j++) {
                if (st.sources.indexOf(from[j]) >= 0) continue;
                st.sources.push(from[j]);
                from[j][SIG].dependents.push(s);
            }
        }
        return s;
    });
    tag(AbortSignal, 'AbortSignal');

    /* ---- AbortController -------------------------------------------------- */

    function AbortController() {
        if (!(this instanceof AbortController)) throw notNew('AbortController');
        define(this, CTRL, makeSignal());
    }
    function ctrl(c) {
        var s = c && c[CTRL];
        if (!s) throw nodeError(TypeError, 'ERR_INVALID_THIS', 'Value of "this" must be of type AbortController');
        return s;
    }
    getter(AbortController.prototype, 'signal', function () { return ctrl(this); });
    define(AbortController.prototype, 'abort', function abort(reason) {
        abortSignal(ctrl(this), reason === undefined ? abortError() : reason);
    });
    tag(AbortController, 'AbortController');

    var ctors = { Event: Event, EventTarget: EventTarget, AbortSignal: AbortSignal, AbortController: AbortController };
    for (var k in ctors) define(G, k, ctors[k]);
})(globalThis, rt);

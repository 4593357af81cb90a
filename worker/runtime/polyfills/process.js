/*
 * process.js -- Node's `process`, as much of it as a job can use without
 * learning anything about the machine it runs on.
 *
 * Agents write Node scripts: `process.env.X || 'default'`, `typeof process
 * !== 'undefined'` to detect Node, `process.nextTick`, `process.hrtime` and
 * `process.memoryUsage()` around a timed section, `process.stdout.write`.
 * Without a `process` those scripts end in a ReferenceError that Node never
 * gives.  What is here answers from the job's own world, never the host's:
 *
 *   env            an empty object (the executor's environment is not the
 *                  job's business); writable, as in Node
 *   argv/execArgv  empty: a job has no command line
 *   version(s)     the Node release whose behaviour codeworker follows (the
 *                  one tests/e2e/language-node24.json was recorded with)
 *   platform       'linux'; cwd() is '/'
 *   nextTick       the tick queue of microtask.js: all ticks, then all
 *                  promise jobs, as Node's processTicksAndRejections
 *   hrtime         [s, ns] on the job's clock (performance.now(): it starts
 *                  at the job's start and skips ahead with its timers)
 *   uptime         seconds on the same clock
 *   memoryUsage    the job's heap as the capped allocator counts it (rss,
 *                  heapTotal and heapUsed are all that one figure; external
 *                  and arrayBuffers 0: buffers live in the same heap);
 *                  constrainedMemory() is the job's memoryLimit and
 *                  availableMemory() what is left of it
 *   stdout/stderr  write(chunk) adds one log entry (level log / error)
 *                  holding the chunk less one trailing newline
 *   emitWarning    a warn entry in Node's words, as console.js writes them
 *
 * Not here, on purpose: exit/abort/kill (a job ends by returning or
 * throwing), pid/ppid/execPath/getuid (host facts), on/emit (no process
 * events are ever emitted), hrtime.bigint (Duktape has no BigInt), binding.
 * Calling one is the TypeError "process.exit is not a function".
 */
(function (G, rt) {
    'use strict';
    var NODE_VERSION = '24.22.3';
    var now = G.performance.now;
    var C = G.console;
    var log = C.log, error = C.error, warn = C.warn;
    /* The tick queue lives in microtask.js, which the promise group loads:
     * reading the trigger loads it. */
    void G.queueMicrotask;
    var enqueueTick = rt.enqueueTick;
    var memory = rt.memoryUsage;

    var describe = rt.received; /* Node's " Received ..." (cw_runtime.c) */
    function argError(name, type, v) {
        var e = new TypeError('The "' + name + '" argument must be ' + type + '.' + describe(v));
        e.code = 'ERR_INVALID_ARG_TYPE';
        return e;
    }
    function method(o, name, fn) {
        Object.defineProperty(o, name, { value: fn, writable: true, enumerable: true, configurable: true });
    }

    var P = {};
    P.version = 'v' + NODE_VERSION;
    P.versions = { node: NODE_VERSION };
    P.arch = 'x64';
    P.platform = 'linux';
    P.release = { name: 'node' };
    P.env = {};
    P.argv = [];
    P.execArgv = [];
    P.title = 'node';
    P.exitCode = undefined;

    method(P, 'nextTick', function nextTick(callback) {
        if (typeof callback !== 'function') throw argError('callback', 'of type function', callback);
        var args = [];
        for (var i = 1; i < arguments.length; i++) args.push(arguments[i]);
        enqueueTick(callback, args);
    });

    function hrtime(prev) {
        var ms = now();
        var s = Math.floor(ms / 1e3);
        var ns = Math.floor((ms - s * 1e3) * 1e6);
        if (prev === undefined) return [s, ns];
        if (!Array.isArray(prev)) throw argError('time', 'an instance of Array', prev);
        if (prev.length !== 2) {
            var e = new RangeError('The value of "time" is out of range. It must be 2. Received ' + prev.length);
            e.code = 'ERR_OUT_OF_RANGE';
            throw e;
        }
        var ds = s - prev[0], dns = ns - prev[1];
        if (dns < 0) {
            ds -= 1;
            dns += 1e9;
        }
        return [ds, dns];
    }
    method(P, 'hrtime', hrtime);
    method(P, 'uptime', function uptime() {
        return now() / 1e3;
    });

    method(P, 'memoryUsage', function memoryUsage() {
        var m = memory();
        return { rss: m[0], heapTotal: m[0], heapUsed: m[0], external: 0, arrayBuffers: 0 };
    });
    method(P.memoryUsage, 'rss', function rss() {
        return memory()[0];
    });
    method(P, 'constrainedMemory', function constrainedMemory() {
        return memory()[1];
    });
    method(P, 'availableMemory', function availableMemory() {
        var m = memory();
        return m[1] > m[0] ? m[1] - m[0] : 0;
    });
    method(P, 'cwd', function cwd() {
        return '/';
    });

    method(P, 'emitWarning', function emitWarning(warning, type, code) {
        if (type !== null && typeof type === 'object') { /* the options form */
            code = type.code;
            type = type.type;
        }
        var text;
        if (warning instanceof Error) {
            text = warning.name + ': ' + warning.message;
        } else if (typeof warning === 'string') {
            text = (code ? '[' + code + '] ' : '') + (typeof type === 'string' && type ? type : 'Warning') + ': ' + warning;
        } else {
            throw argError('warning', 'of type string or an instance of Error', warning);
        }
        warn.call(C, text);
    });

    function stream(fd, fn) {
        var s = { fd: fd, writable: true };
        method(s, 'write', function write(chunk, encoding, cb) {
            if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array))
                throw argError('chunk', 'of type string or an instance of Buffer, TypedArray, or DataView', chunk);
            var text = typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
            if (text.charCodeAt(text.length - 1) === 10) text = text.slice(0, -1);
            fn.call(C, '%s', text);
            if (typeof encoding === 'function') cb = encoding;
            if (typeof cb === 'function') enqueueTick(cb, []);
            return true;
        });
        return s;
    }
    P.stdout = stream(1, log);
    P.stderr = stream(2, error);

    Object.defineProperty(P, Symbol.toStringTag, { value: 'process', writable: false, enumerable: false, configurable: true });
    if (!rt.nodeModules)
        rt.nodeModules = {};
    rt.nodeModules.process = P;
    Object.defineProperty(G, 'process', { value: P, writable: true, enumerable: false, configurable: true });
})(globalThis, rt);

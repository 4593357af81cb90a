/*
 * harness.js -- the assertion helpers the polyfill and library tests use
 * (ES5).  tests/e2e/test_runtime_js.py runs each test file as one job of
 * the real executor (`codeworker exec`): this file, the test file, then an
 * `output` whose toJSON calls __t_finish(), so the afterDrain checks run
 * when the job's result is taken -- after its event loop has ended.
 *
 *   test(name, fn)        runs fn now; a throw fails the test
 *   afterDrain(name, fn)  runs fn after the host has drained the microtask
 *                         queue, i.e. when a job's result would be read
 *   eq(actual, expected)  SameValue for primitives, structural for objects
 */
var __t = { passed: 0, failed: 0, after: [], results: [] };

function __t_show(v) {
    var seen = [];
    function show(x) {
        var t = typeof x, out, k;
        if (t === 'string') return JSON.stringify(x);
        if (t === 'number') return x === 0 && 1 / x < 0 ? '-0' : String(x);
        if (t === 'symbol' || t === 'function') return String(x);
        if (x === null || t !== 'object') return String(x);
        if (seen.indexOf(x) >= 0) return '[Circular]';
        seen.push(x);
        if (Array.isArray(x)) {
            out = [];
            for (k = 0; k < x.length; k++) out.push(k in x ? show(x[k]) : '<hole>');
            return '[' + out.join(', ') + ']';
        }
        if (x instanceof Date) return 'Date(' + x.getTime() + ')';
        out = [];
        for (k in x) if (Object.prototype.hasOwnProperty.call(x, k)) out.push(k + ': ' + show(x[k]));
        return '{' + out.join(', ') + '}';
    }
    return show(v);
}

function __t_same(a, b) {
    if (a === b) return a !== 0 || 1 / a === 1 / b;
    if (a !== a && b !== b) return true;
    return false;
}

function __t_deep(a, b) {
    var ka, kb, i;
    if (__t_same(a, b)) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (a instanceof Date) return a.getTime() === b.getTime();
    ka = Object.keys(a);
    kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (i = 0; i < ka.length; i++) {
        if (ka[i] !== kb[i] || !__t_deep(a[ka[i]], b[kb[i]])) return false;
    }
    if (Array.isArray(a) && a.length !== b.length) return false;
    return true;
}

function eq(actual, expected, msg) {
    if (!__t_deep(actual, expected))
        throw new Error((msg ? msg + ': ' : '') + 'expected ' + __t_show(expected) + ', got ' + __t_show(actual));
}

function ok(cond, msg) {
    if (!cond) throw new Error(msg || 'assertion failed');
}

function throws(fn, ctor, msg) {
    try {
        fn();
    } catch (e) {
        if (ctor && !(e instanceof ctor)) throw new Error((msg ? msg + ': ' : '') + 'wrong error type: ' + e);
        return e;
    }
    throw new Error((msg ? msg + ': ' : '') + 'expected an exception');
}

function __t_run(name, fn) {
    try {
        fn();
        __t.passed++;
        __t.results.push([name, true, '']);
    } catch (e) {
        __t.failed++;
        __t.results.push([name, false, String(e && e.stack ? e.stack : e)]);
    }
}

function test(name, fn) {
    __t_run(name, fn);
}

function afterDrain(name, fn) {
    __t.after.push([name, fn]);
}

function __t_finish() {
    var i;
    for (i = 0; i < __t.after.length; i++) __t_run(__t.after[i][0], __t.after[i][1]);
    return __t.results;
}

/* timers.test.js -- timers.js and abort.js on the executor's event loop
 * (cw_runtime.c; the job's clock skips to each timer): Node's phase order,
 * delay coercion, clearing, intervals, unref, and AbortController/
 * AbortSignal/EventTarget.  afterDrain checks run once the loop is empty.
 * The job runs with a 120 s timeout (the most a job may ask): a timer due
 * later is a TIMEOUT. */

var order = [];
setTimeout(function () { order.push('t1'); }, 0);
setTimeout(function () {
    order.push('t2');
    Promise.resolve().then(function () { order.push('p-in-t2'); });
    setImmediate(function () { order.push('imm-from-t2'); });
    setTimeout(function () { order.push('t-from-t2'); }, 0);
}, 0);
setTimeout(function () { order.push('t3'); }, 1);
Promise.resolve().then(function () { order.push('p1'); });
order.push('sync');

test('callbacks wait for the synchronous code', function () {
    eq(order, ['sync']);
});

afterDrain('timers, then their microtasks, then the check phase', function () {
    eq(order, ['sync', 'p1', 't1', 't2', 'p-in-t2', 't3', 'imm-from-t2', 't-from-t2']);
});

var delays = [];
[30, 10, 20, 10, 0, 1, -5, 'x', 1.7, NaN, Math.pow(2, 31)].forEach(function (d) {
    setTimeout(function () { delays.push(String(d)); }, d);
});
afterDrain('delays as Node coerces them, ties in scheduling order', function () {
    eq(delays, ['0', '1', '-5', 'x', '1.7', 'NaN', '2147483648', '10', '10', '20', '30']);
});

var cleared = [], ticks = 0, iv;
var a = setTimeout(function () { cleared.push('a'); }, 5);
clearTimeout(a);
var b = setTimeout(function () { cleared.push('b'); }, 5);
clearTimeout(+b);
setTimeout(function (x, y) { cleared.push('c' + x + y); }, 5, 1, 2);
iv = setInterval(function () { ticks++; if (ticks === 3) clearInterval(iv); }, 10);
setTimeout(function () { cleared.push('unref'); }, 100000000).unref(); /* after every ref'd one */
afterDrain('clearTimeout by object and by number, interval args, unref', function () {
    eq(cleared, ['c12']);
    eq(ticks, 3);
    eq([typeof a.ref, a.hasRef(), a.unref().hasRef(), a.ref().hasRef()], ['function', true, false, true]);
});

var late = [];
setTimeout(function () { late.push('ninety seconds'); }, 90000);
setTimeout(function () { late.push('minute'); }, 60000);
afterDrain('long timers run at once, in due order (the clock skips)', function () {
    eq(late, ['minute', 'ninety seconds']);
});

test('bad callbacks are TypeErrors with Node\'s code', function () {
    var e = null;
    try { setTimeout('code', 1); } catch (x) { e = x; }
    eq([e.name, e.code, e.message], ['TypeError', 'ERR_INVALID_ARG_TYPE',
        'The "callback" argument must be of type function. Received type string (\'code\')']);
    eq([setTimeout.length, setInterval.length, setImmediate.length, clearTimeout.length], [2, 2, 1, 1]);
});

var aborts = [];
var c = new AbortController();
c.signal.addEventListener('abort', function (ev) { aborts.push([ev.type, ev.isTrusted, this === c.signal]); });
c.signal.onabort = function () { aborts.push('onabort'); };
c.abort();
test('AbortController.abort: listeners, onabort, the AbortError reason', function () {
    eq(aborts, [['abort', true, true], 'onabort']);
    eq([c.signal.aborted, c.signal.reason.name, c.signal.reason.message, c.signal.reason.code],
       [true, 'AbortError', 'This operation was aborted', 20]);
    var thrown = null;
    try { c.signal.throwIfAborted(); } catch (x) { thrown = x; }
    eq(thrown === c.signal.reason, true);
});

var timed = AbortSignal.timeout(50), keep = setTimeout(function () {}, 100), anyOf = AbortSignal.any([timed]);
afterDrain('AbortSignal.timeout and any', function () {
    eq([timed.aborted, timed.reason.name, timed.reason.message, anyOf.aborted, anyOf.reason === timed.reason],
       [true, 'TimeoutError', 'The operation was aborted due to timeout', true, true]);
});

test('EventTarget: once, duplicates, removal, handleEvent, preventDefault', function () {
    var t = new EventTarget(), seen = [];
    function h() { seen.push('h'); }
    t.addEventListener('x', h);
    t.addEventListener('x', h);
    t.addEventListener('x', function () { seen.push('once'); }, { once: true });
    t.addEventListener('x', { handleEvent: function (ev) { seen.push('obj'); ev.preventDefault(); } });
    var r1 = t.dispatchEvent(new Event('x', { cancelable: true }));
    t.removeEventListener('x', h);
    var r2 = t.dispatchEvent(new Event('x'));
    eq(seen, ['h', 'once', 'obj', 'obj']);
    eq([r1, r2], [false, true]);
    var e = null;
    try { new AbortSignal(); } catch (x) { e = x; }
    eq([e.name, e.code], ['TypeError', 'ERR_ILLEGAL_CONSTRUCTOR']);
});

/* promise.test.js -- Promise ordering against the host's microtask drain,
 * combinators, thenable adoption, unhandled-rejection reporting. */

var log = [];
Promise.resolve(1).then(function (v) { log.push('a' + v); return v + 1; }).then(function (v) { log.push('c' + v); });
Promise.resolve(2).then(function (v) { log.push('b' + v); });
new Promise(function (resolve) { log.push('executor'); resolve(3); }).then(function (v) { log.push('d' + v); });
queueMicrotask(function () { log.push('micro'); });
log.push('sync');

test('callbacks wait for the synchronous code', function () {
    eq(log, ['executor', 'sync']);
});

afterDrain('then callbacks run FIFO, chained ones a turn later', function () {
    eq(log, ['executor', 'sync', 'a1', 'b2', 'd3', 'micro', 'c2']);
});

var results = {};
function record(name) {
    return function (v) { results[name] = v; };
}
function fail(name) {
    return function (e) { results[name] = 'rejected: ' + (e && e.message !== undefined ? e.message : e); };
}

Promise.all([1, Promise.resolve(2), { then: function (r) { r(3); } }]).then(record('all'));
Promise.all([]).then(record('allEmpty'));
Promise.all([Promise.reject(new Error('x')), 1]).then(record('allRej'), fail('allRej'));
Promise.allSettled([Promise.resolve(1), Promise.reject(2)]).then(record('allSettled'));
Promise.race([new Promise(function () {}), Promise.resolve('fast')]).then(record('race'));
Promise.any([Promise.reject(1), Promise.resolve('any')]).then(record('any'));
Promise.any([Promise.reject(1), Promise.reject(2)]).then(record('anyAll'), function (e) {
    results.anyAll = [e instanceof AggregateError, e.name, e.errors];
});
Promise.reject(new Error('boom')).catch(function (e) { return 'caught ' + e.message; }).then(record('catch'));
Promise.resolve('v').finally(function () { return 'ignored'; }).then(record('finally'));
Promise.reject('r').finally(function () {}).then(null, record('finallyRej'));
Promise.resolve(1).then(function () { throw new TypeError('in then'); }).catch(fail('thenThrows'));
new Promise(function () { throw new Error('in executor'); }).catch(fail('execThrows'));
var self = Promise.resolve().then(function () { return self; });
self.catch(function (e) { results.cycle = e instanceof TypeError; });
Promise.resolve(Promise.resolve('nested')).then(record('nested'));
var wr = Promise.withResolvers();
wr.promise.then(record('withResolvers'));
wr.resolve('wr');
wr.resolve('ignored second');
(function () {
    var p = Promise.resolve(7);
    results.identity = Promise.resolve(p) === p;
})();

afterDrain('combinators and error paths', function () {
    eq(results.all, [1, 2, 3]);
    eq(results.allEmpty, []);
    eq(results.allRej, 'rejected: x');
    eq(results.allSettled, [{ status: 'fulfilled', value: 1 }, { status: 'rejected', reason: 2 }]);
    eq(results.race, 'fast');
    eq(results.any, 'any');
    eq(results.anyAll, [true, 'AggregateError', [1, 2]]);
    eq(results['catch'], 'caught boom');
    eq(results['finally'], 'v');
    eq(results.finallyRej, 'r');
    eq(results.thenThrows, 'rejected: in then');
    eq(results.execThrows, 'rejected: in executor');
    eq(results.cycle, true);
    eq(results.nested, 'nested');
    eq(results.withResolvers, 'wr');
    eq(results.identity, true);
});

var order2 = [];
var thenable = { then: function (r) { order2.push('thenable.then'); r('t'); } };
Promise.resolve().then(function () { order2.push('p1'); return thenable; }).then(function (v) { order2.push('after ' + v); });
Promise.resolve().then(function () { order2.push('p2'); }).then(function () { order2.push('p2b'); }).then(function () { order2.push('p2c'); });
var order3 = [];
Promise.resolve().then(function () { order3.push('q1'); return Promise.resolve('n'); }).then(function (v) { order3.push('after ' + v); });
Promise.resolve().then(function () { order3.push('r1'); }).then(function () { order3.push('r2'); })
    .then(function () { order3.push('r3'); }).then(function () { order3.push('r4'); });

afterDrain('adopting a thenable or a promise costs the turns V8 takes', function () {
    /* Both orders were read from Node 20. */
    eq(order2, ['p1', 'p2', 'thenable.then', 'p2b', 'after t', 'p2c']);
    eq(order3, ['q1', 'r1', 'r2', 'r3', 'after n', 'r4']);
});


test('async/await as lowered code uses it', function () {
    /* The shape swc/babel emit for `async function f() { var x = await p; return x * 2; }` */
    function asyncStep(gen, resolve, reject, next, thr, key, arg) {
        var info, value;
        try { info = gen[key](arg); value = info.value; } catch (e) { reject(e); return; }
        if (info.done) resolve(value);
        else Promise.resolve(value).then(next, thr);
    }
    function asyncToGenerator(fn) {
        return function () {
            var gen = fn.apply(this, arguments);
            return new Promise(function (resolve, reject) {
                function next(v) { asyncStep(gen, resolve, reject, next, thr, 'next', v); }
                function thr(e) { asyncStep(gen, resolve, reject, next, thr, 'throw', e); }
                next(undefined);
            });
        };
    }
    var state = 0;
    var f = asyncToGenerator(function () {
        return {
            next: function (v) {
                if (state++ === 0) return { value: Promise.resolve(21), done: false };
                return { value: v * 2, done: true };
            },
            'throw': function (e) { throw e; }
        };
    });
    f().then(function (v) { results.awaited = v; });
    afterDrain('awaited value', function () { eq(results.awaited, 42); });
});

test('protocol details', function () {
    throws(function () { Promise(function () {}); }, TypeError);
    throws(function () { new Promise(1); }, TypeError);
    throws(function () { Promise.prototype.then.call({}, function () {}); }, TypeError);
    eq(Object.prototype.toString.call(Promise.resolve()), '[object Promise]');
    ok(!Object.getOwnPropertyDescriptor(Promise.prototype, 'then').enumerable);
    eq(Object.keys(Promise.resolve(1)), []);
    eq(JSON.stringify({ p: Promise.resolve(1) }), '{"p":{}}');
});

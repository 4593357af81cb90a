/* clone.test.js -- structuredClone: JSON-like data, Date, Map, Set, typed
 * arrays, shared references and cycles; functions are refused. */

test('plain data', function () {
    var src = { a: 1, s: 'x', b: true, n: null, u: undefined, arr: [1, [2, 3]], nested: { deep: { x: -0 } } };
    var c = structuredClone(src);
    eq(c, src);
    ok(c !== src && c.arr !== src.arr && c.nested.deep !== src.nested.deep, 'deep copy');
    ok(Object.is(c.nested.deep.x, -0));
    ok('u' in c, 'undefined-valued keys kept');
    eq(structuredClone(5), 5);
    eq(structuredClone('s'), 's');
    eq(structuredClone(null), null);
    var holes = structuredClone([1, , 3]);
    ok(!(1 in holes) && holes.length === 3, 'holes kept');
});

test('cycles and shared references', function () {
    var a = { name: 'a' };
    a.self = a;
    a.list = [a, { back: a }];
    var c = structuredClone(a);
    ok(c !== a && c.self === c, 'self cycle');
    ok(c.list[0] === c && c.list[1].back === c, 'cycle through an array');
    var shared = { v: 1 }, pair = structuredClone([shared, shared]);
    ok(pair[0] === pair[1] && pair[0] !== shared, 'shared reference stays shared');
    eq(Object.getOwnPropertySymbols(a), [], 'source left unmarked');
});

test('Date, RegExp, boxed primitives, Error', function () {
    var d = new Date(2024, 0, 2), c = structuredClone({ d: d, r: /a+b/gi, s: new String('x'), e: new RangeError('bad') });
    ok(c.d instanceof Date && c.d.getTime() === d.getTime() && c.d !== d);
    ok(c.r instanceof RegExp && c.r.source === 'a+b' && c.r.global && c.r.ignoreCase);
    ok(c.s instanceof String && String(c.s) === 'x');
    ok(c.e instanceof RangeError && c.e.message === 'bad');
});

test('Map and Set', function () {
    var key = { k: 1 };
    var m = new Map([[key, new Set([1, key])], ['x', 2]]);
    var c = structuredClone(m);
    ok(c instanceof Map && c !== m);
    var ck = Array.from(c.keys())[0];
    ok(ck !== key && ck.k === 1, 'keys cloned');
    ok(c.get(ck).has(ck), 'identity kept inside the graph');
    eq(c.get('x'), 2);
});

test('typed arrays and buffers', function () {
    var u = new Uint8Array([1, 2, 3]), c = structuredClone({ u: u, f: new Float64Array([0.5]) });
    ok(c.u instanceof Uint8Array && c.u !== u && c.u.buffer !== u.buffer);
    eq(Array.prototype.slice.call(c.u), [1, 2, 3]);
    eq(c.f[0], 0.5);
    var buf = new ArrayBuffer(4);
    ok(structuredClone(buf).byteLength === 4);
});

test('prototypes are dropped; functions and symbols refused', function () {
    function P() { this.x = 1; }
    P.prototype.m = function () {};
    var c = structuredClone(new P());
    eq(c, { x: 1 });
    eq(Object.getPrototypeOf(c), Object.prototype);
    var e = throws(function () { structuredClone({ f: function () {} }); });
    eq(e.name, 'DataCloneError');
    ok(/could not be cloned/.test(e.message));
    eq(throws(function () { structuredClone(Symbol('s')); }).name, 'DataCloneError');
    eq(throws(function () { structuredClone(Promise.resolve()); }).name, 'DataCloneError');
    var o = { a: 1 };
    o.me = o;
    o.f = function () {};
    throws(function () { structuredClone(o); });
    eq(Object.getOwnPropertySymbols(o), [], 'marks removed after a failed clone');
});

test('does not load collections it does not need', function () {
    structuredClone({ a: [1] });
    var d = Object.getOwnPropertyDescriptor(globalThis, 'WeakMap');
    ok(typeof d.get === 'function', 'WeakMap still lazy');
});

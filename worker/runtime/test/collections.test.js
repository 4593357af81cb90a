/* collections.test.js -- Map, Set, WeakMap, WeakSet: insertion order,
 * SameValueZero keys, live iteration, constructor protocols. */

test('Map basics and insertion order', function () {
    var m = new Map([['b', 1], ['a', 2]]);
    m.set('c', 3).set('b', 4);
    eq(m.size, 3);
    eq(Array.from(m.keys()), ['b', 'a', 'c'], 'update keeps position');
    eq(Array.from(m.values()), [4, 2, 3]);
    eq(Array.from(m), [['b', 4], ['a', 2], ['c', 3]]);
    ok(m.delete('a') && !m.delete('a'));
    m.set('a', 5);
    eq(Array.from(m.keys()), ['b', 'c', 'a'], 're-added goes last');
    m.clear();
    eq(m.size, 0);
    eq(m.get('b'), undefined);
});

test('SameValueZero keys', function () {
    var m = new Map(), o = {}, f = function () {};
    m.set(NaN, 'nan').set(0, 'zero').set('0', 'str').set(o, 'obj').set(f, 'fn').set(null, 'null').set(undefined, 'undef').set(true, 't');
    eq(m.get(NaN), 'nan');
    eq(m.get(-0), 'zero');
    ok(Object.is(Array.from(m.keys())[1], 0), '-0 stored as +0');
    m.set(-0, 'negzero');
    eq(m.get(0), 'negzero');
    eq(m.get('0'), 'str');
    eq(m.get(o), 'obj');
    eq(m.get({}), undefined, 'distinct objects differ');
    eq(m.get(f), 'fn');
    eq(m.get(null), 'null');
    eq(m.get(undefined), 'undef');
    eq(m.get('undefined'), undefined);
    eq(m.get(true), 't');
    eq(m.get('true'), undefined);
    var s = Symbol('k');
    m.set(s, 'sym');
    eq(m.get(s), 'sym');
    eq(m.get(Symbol('k')), undefined);
});

test('frozen objects as keys', function () {
    var f = Object.freeze({}), g = Object.freeze([]), m = new Map();
    m.set(f, 1).set(g, 2);
    eq(m.get(f), 1);
    eq(m.get(g), 2);
    ok(m.has(f) && m.delete(f) && !m.has(f));
    eq(m.size, 1);
    var s = new Set([f, f, g]);
    eq(s.size, 2);
});

test('keys do not show through enumeration or JSON', function () {
    var o = { a: 1 };
    new Map().set(o, 1);
    eq(Object.keys(o), ['a']);
    eq(JSON.stringify(o), '{"a":1}');
    var k, names = [];
    for (k in o) names.push(k);
    eq(names, ['a']);
    eq(JSON.stringify(new Map([[1, 2]])), '{}');
});

test('iteration sees additions and skips deletions', function () {
    var m = new Map([[1, 'a'], [2, 'b'], [3, 'c']]), seen = [];
    m.forEach(function (v, k, map) {
        seen.push(k);
        if (k === 1) { map.delete(2); map.set(4, 'd'); }
        if (k === 3) map.delete(3);
    });
    eq(seen, [1, 3, 4]);
    var it = m.keys();
    eq(it.next().value, 1);
    m.delete(1);
    m.delete(4);
    m.set(5, 'e');
    eq(it.next(), { value: 5, done: false }, 'iterator standing on a deleted entry resumes');
    eq(it.next(), { value: undefined, done: true });
    m.set(6, 'f');
    eq(it.next().done, true, 'finished iterators stay finished');
    var it2 = m.values();
    m.clear();
    m.set(7, 'g');
    eq(it2.next().value, 'g', 'iterator survives clear()');
});

test('Set', function () {
    var s = new Set([1, 2, 2, NaN, NaN, 0, -0, 'x']);
    eq(s.size, 5);
    eq(Array.from(s), [1, 2, NaN, 0, 'x']);
    ok(s.has(NaN) && s.has(-0));
    s.add(1);
    eq(Array.from(s.entries())[0], [1, 1]);
    ok(s.keys === s.values || Set.prototype.keys === Set.prototype.values);
    ok(Set.prototype[Symbol.iterator] === Set.prototype.values);
    var seen = [];
    s.forEach(function (v, k, set) { seen.push([v, k, set === s]); });
    eq(seen[0], [1, 1, true]);
    eq(Array.from(new Set('hello')).join(''), 'helo', 'constructed from a string iterable');
});

test('protocol details', function () {
    throws(function () { Map(); }, TypeError);
    throws(function () { Set(); }, TypeError);
    throws(function () { Map.prototype.get.call({}, 1); }, TypeError);
    throws(function () { new Map([1]); }, TypeError);
    eq(Object.prototype.toString.call(new Map()), '[object Map]');
    eq(Object.prototype.toString.call(new Set().values()), '[object Set Iterator]');
    var d = Object.getOwnPropertyDescriptor(Map.prototype, 'size');
    ok(typeof d.get === 'function' && !d.enumerable);
    d = Object.getOwnPropertyDescriptor(Map.prototype, 'set');
    ok(!d.enumerable && d.writable);
    var k, own = [];
    for (k in new Map()) own.push(k);
    eq(own, []);
    var g = Map.groupBy([1, 2, 3], function (x) { return x % 2; });
    eq(g.get(1), [1, 3]);
});

test('subclassing as lowered classes do it (Super.apply)', function () {
    /* Duktape's Reflect.construct rejects newTarget, so lowered class code
     * falls back to calling the parent constructor with apply. */
    function MyMap(it) { Map.apply(this, arguments); }
    MyMap.prototype = Object.create(Map.prototype, { constructor: { value: MyMap } });
    var m = new MyMap([[1, 2]]);
    ok(m instanceof MyMap && m instanceof Map);
    eq(m.get(1), 2);
    m.set(3, 4);
    eq(m.size, 2);
    throws(function () { Map.apply(m, []); }, TypeError, 'no second initialisation');
});

test('WeakMap / WeakSet', function () {
    var wm = new WeakMap(), k1 = {}, k2 = function () {}, fz = Object.freeze({});
    wm.set(k1, 'a').set(k2, 'b').set(fz, 'c');
    eq(wm.get(k1), 'a');
    eq(wm.get(k2), 'b');
    eq(wm.get(fz), 'c');
    ok(wm.has(k1) && !wm.has({}));
    ok(wm.delete(k1) && !wm.has(k1));
    eq(wm.get('x'), undefined);
    throws(function () { wm.set('str', 1); }, TypeError);
    throws(function () { WeakMap(); }, TypeError);
    var other = new WeakMap();
    ok(!other.has(k2), 'collections are independent');
    eq(Object.keys(k2), []);
    var ws = new WeakSet([k1]);
    ok(ws.has(k1) && !ws.has(k2));
    ws.add(fz);
    ok(ws.has(fz));
    ok(ws.delete(k1) && !ws.has(k1));
    throws(function () { ws.add(1); }, TypeError);
    eq(Object.prototype.toString.call(ws), '[object WeakSet]');
});

/* builtins.test.js -- the lazily loaded built-in groups: iterators, Array, typed arrays,
 * String, Object, Math, Symbol, queueMicrotask and the lazy-load contract. */

test('nothing loads before it is touched', function () {
    ['Map', 'Set', 'WeakMap', 'WeakSet', 'Promise', 'Intl', 'structuredClone', 'AggregateError', 'queueMicrotask'].forEach(function (k) {
        var d = Object.getOwnPropertyDescriptor(globalThis, k);
        ok(d && typeof d.get === 'function', k + ' should still be a lazy accessor');
        eq(d.enumerable, false, k + ' enumerable');
    });
    var d = Object.getOwnPropertyDescriptor(Array.prototype, 'flat');
    ok(typeof d.get === 'function', 'Array.prototype.flat is lazy');
    ok(typeof [].flat === 'function', 'first read loads the group');
    d = Object.getOwnPropertyDescriptor(Array.prototype, 'flat');
    ok(typeof d.value === 'function' && !d.enumerable, 'then it is a data property');
    d = Object.getOwnPropertyDescriptor(Array.prototype, 'findLast');
    ok(typeof d.value === 'function', 'the whole group loaded');
    ok(typeof Object.getOwnPropertyDescriptor(Object, 'groupBy').get === 'function', 'other groups untouched');
});

test('assigning a lazy property behaves like plain assignment', function () {
    var a = [1, 2];
    a.at = 'own';
    eq(a.at, 'own', 'own property on the instance');
    eq([5].at(0), 5, 'prototype method intact');
    ok(!Object.prototype.propertyIsEnumerable.call(Array.prototype, 'at'));
    String.prototype.trimStart = function () { return 'mine'; };
    eq(' x'.trimStart(), 'mine', 'replacing the method on the holder');
    eq(' x'.trimEnd(), ' x', 'rest of the group loaded');
    String.prototype.trimStart = String.prototype.trimLeft;
});

test('installed methods are non-enumerable data properties', function () {
    [[Array.prototype, 'includes'], [Array.prototype, 'flat'], [Array, 'from'], [String.prototype, 'padStart'],
        [Object, 'entries'], [Math, 'fround']].forEach(function (p) {
        var touch = p[0][p[1]];
        var d = Object.getOwnPropertyDescriptor(p[0], p[1]);
        ok(d && typeof d.value === 'function', p[1] + ' is a data property');
        eq(d.enumerable, false, p[1] + ' enumerable');
        eq(d.writable, true, p[1] + ' writable');
    });
    var k, own = [];
    for (k in []) own.push(k);
    eq(own, [], 'for-in over an array');
});

test('array iterators', function () {
    var it = ['a', 'b'][Symbol.iterator]();
    eq(it.next(), { value: 'a', done: false });
    eq(it.next(), { value: 'b', done: false });
    eq(it.next(), { value: undefined, done: true });
    eq(Array.from(['x', 'y'].entries()), [[0, 'x'], [1, 'y']]);
    eq(Array.from(['x', 'y'].keys()), [0, 1]);
    ok(Array.prototype[Symbol.iterator] === Array.prototype.values, 'values is @@iterator');
    var proto = Object.getPrototypeOf(Object.getPrototypeOf([].values()));
    ok(proto[Symbol.iterator].call(it) === it, '%IteratorPrototype% returns this');
    eq(Object.prototype.toString.call([].values()), '[object Array Iterator]');
});

test('string iterator walks code points', function () {
    eq(Array.from('a\ud83d\ude00b'), ['a', '\ud83d\ude00', 'b']);
    eq(Array.from('x\ud800'), ['x', '\ud800'], 'lone surrogate');
    eq('\ud83d\ude00'.codePointAt(0), 0x1f600);
    eq(String.fromCodePoint(0x1f600), '\ud83d\ude00');
});

test('Array.from / Array.of', function () {
    eq(Array.from({ length: 3 }, function (_, i) { return i * 2; }), [0, 2, 4]);
    eq(Array.from([1, , 3]), [1, undefined, 3]);
    eq(Array.of(7), [7]);
    eq(Array.of(1, 2, 3), [1, 2, 3]);
    var iterable = {};
    iterable[Symbol.iterator] = function () {
        var n = 0;
        return { next: function () { n++; return { value: n, done: n > 3 }; } };
    };
    eq(Array.from(iterable), [1, 2, 3]);
    throws(function () { Array.from(null); }, TypeError);
});

test('Array.prototype.includes uses SameValueZero', function () {
    ok([1, NaN].includes(NaN));
    ok([-0].includes(0));
    ok(![1, 2, 3].includes(3, 3));
    ok([1, 2, 3].includes(3, -1));
    ok(!['1'].includes(1));
});

test('find family', function () {
    var a = [5, 12, 8, 130, 44];
    eq(a.find(function (x) { return x > 10; }), 12);
    eq(a.findIndex(function (x) { return x > 10; }), 1);
    eq(a.findLast(function (x) { return x > 10; }), 44);
    eq(a.findLastIndex(function (x) { return x > 1000; }), -1);
    eq([].find(function () { return true; }), undefined);
});

test('flat / flatMap', function () {
    eq([1, [2, [3, [4]]]].flat(), [1, 2, [3, [4]]]);
    eq([1, [2, [3, [4]]]].flat(Infinity), [1, 2, 3, 4]);
    eq([1, , [2, , 3]].flat(), [1, 2, 3]);
    eq([1, 2].flatMap(function (x) { return [x, x * 10]; }), [1, 10, 2, 20]);
    eq([[1], [[2]]].flatMap(function (x) { return x; }), [1, [2]]);
});

test('at / fill / copyWithin', function () {
    eq([1, 2, 3].at(-1), 3);
    eq([1, 2, 3].at(5), undefined);
    eq(new Array(3).fill(0), [0, 0, 0]);
    eq([1, 2, 3, 4].fill(9, 1, -1), [1, 9, 9, 4]);
    eq([1, 2, 3, 4, 5].copyWithin(0, 3), [4, 5, 3, 4, 5]);
    eq([1, 2, 3, 4, 5].copyWithin(1, 0, 3), [1, 1, 2, 3, 5]);
});

test('change-by-copy methods', function () {
    var a = [3, 1, 2];
    eq(a.toSorted(), [1, 2, 3]);
    eq(a.toReversed(), [2, 1, 3]);
    eq(a.with(0, 9), [9, 1, 2]);
    eq(a.toSpliced(1, 1, 'x', 'y'), [3, 'x', 'y', 2]);
    eq(a, [3, 1, 2], 'original untouched');
    throws(function () { a.with(3, 0); }, RangeError);
});

test('typed arrays gain array methods', function () {
    var u = new Uint8Array([3, 1, 2]);
    eq(u.indexOf(2), 2);
    ok(u.includes(1));
    eq(u.join('-'), '3-1-2');
    var m = u.map(function (x) { return x * 100; });
    ok(m instanceof Uint8Array, 'map keeps the type');
    eq(Array.from(m), [44, 100, 200], 'wraps like a Uint8Array');
    eq(Array.from(u.slice(1)), [1, 2]);
    eq(Array.from(new Float64Array([10, -1, 2]).sort()), [-1, 2, 10], 'numeric default sort');
    eq(Array.from(Uint8Array.from([1, 2, 3]).filter(function (x) { return x > 1; })), [2, 3]);
    eq(Array.from(new Uint8Array(3).fill(7)), [7, 7, 7]);
    eq(u.reduce(function (a, b) { return a + b; }, 0), 6);
    eq(Array.from(Int16Array.of(1, -2)), [1, -2]);
    var seen = [];
    for (var it = u[Symbol.iterator](), s = it.next(); !s.done; s = it.next()) seen.push(s.value);
    eq(seen, [3, 1, 2]);
});

test('padStart / padEnd', function () {
    eq('5'.padStart(3, '0'), '005');
    eq('abc'.padStart(10, '123'), '1231231abc');
    eq('abc'.padEnd(6, 'xy'), 'abcxyx');
    eq('abc'.padStart(2), 'abc');
    eq('a'.padEnd(3), 'a  ');
    eq('a'.padStart(3, ''), 'a');
});

test('replaceAll', function () {
    eq('a-b-c'.replaceAll('-', '+'), 'a+b+c');
    eq('aaa'.replaceAll('a', '$&$&'), 'aaaaaa');
    eq('xyx'.replaceAll('x', function (m, i) { return i; }), '0y2');
    eq('abc'.replaceAll('', '_'), '_a_b_c_');
    eq('a.b.c'.replaceAll(/\./g, '/'), 'a/b/c');
    throws(function () { 'a'.replaceAll(/a/, 'b'); }, TypeError);
    eq('$1'.replaceAll('$1', '$$'), '$');
});

test('at / trimStart / trimEnd', function () {
    eq('abc'.at(-1), 'c');
    eq('abc'.at(3), undefined);
    eq('  x  '.trimStart(), 'x  ');
    eq('  x  '.trimEnd(), '  x');
    eq('\u00a0\ufeffx'.trimLeft(), 'x');
});

test('matchAll', function () {
    var out = Array.from('a1b22c333'.matchAll(/(\d+)/g)).map(function (m) { return [m[0], m.index]; });
    eq(out, [['1', 1], ['22', 3], ['333', 6]]);
    throws(function () { 'x'.matchAll(/x/); }, TypeError);
    eq(Array.from('aXbX'.matchAll('X')).length, 2);
    eq(Array.from('abc'.matchAll(/(?:)/g)).length, 4, 'empty matches advance');
});

test('String.raw', function () {
    eq(String.raw({ raw: ['a', 'b', 'c'] }, 1, 2), 'a1b2c');
    eq(String.raw({ raw: 'xyz' }, '-', '-'), 'x-y-z');
});

test('Object.entries / values / fromEntries / descriptors / hasOwn / groupBy', function () {
    var o = { a: 1, b: 2 };
    eq(Object.entries(o), [['a', 1], ['b', 2]]);
    eq(Object.values(o), [1, 2]);
    eq(Object.fromEntries([['x', 1], ['y', 2]]), { x: 1, y: 2 });
    eq(Object.fromEntries(Object.entries(o).map(function (e) { return [e[0], e[1] * 2]; })), { a: 2, b: 4 });
    eq(Object.entries('ab'), [['0', 'a'], ['1', 'b']]);
    var d = Object.getOwnPropertyDescriptors({ get x() { return 1; }, y: 2 });
    eq(typeof d.x.get, 'function');
    eq(d.y, { value: 2, writable: true, enumerable: true, configurable: true });
    ok(Object.hasOwn({ q: 1 }, 'q'));
    ok(!Object.hasOwn({}, 'toString'));
    var g = Object.groupBy([1, 2, 3, 4], function (x) { return x % 2 ? 'odd' : 'even'; });
    eq(g.odd, [1, 3]);
    eq(Object.getPrototypeOf(g), null);
});

test('Number statics are native and correct', function () {
    ok(Number.isInteger(5) && !Number.isInteger(5.5));
    ok(Number.isSafeInteger(Math.pow(2, 53) - 1) && !Number.isSafeInteger(Math.pow(2, 53)));
    eq(Number.EPSILON, Math.pow(2, -52));
    eq(Number.MAX_SAFE_INTEGER, 9007199254740991);
    eq(Number.MIN_SAFE_INTEGER, -9007199254740991);
    ok(Number.isNaN(NaN) && !Number.isNaN('x'));
    ok(!Number.isFinite('1'));
    eq(Number.parseInt('12px'), 12);
    eq(Number.parseFloat('1.5e3'), 1500);
});

test('Math', function () {
    eq(Math.sign(-3), -1);
    eq(Math.trunc(-4.7), -4);
    eq(Math.log10(1000), 3);
    eq(Math.log2(8), 3);
    eq(Math.hypot(3, 4), 5);
    eq(Math.cbrt(27), 3);
    eq(Math.clz32(1), 31);
    eq(Math.imul(0xffffffff, 5), -5);
    eq(Math.fround(5.5), 5.5);
    eq(Math.fround(5.05), 5.050000190734863);
    ok(Math.abs(Math.expm1(1e-10) / 1.00000000005e-10 - 1) < 1e-15, 'expm1 precision');
    ok(Math.abs(Math.log1p(1e-10) / 0.99999999995e-10 - 1) < 1e-15, 'log1p precision');
    ok(Math.abs(Math.expm1(0.5) - 0.6487212707001282) < 1e-15);
    eq(Math.cbrt(-8), -2);
    ok(Math.abs(Math.sinh(1) - 1.1752011936438014) < 1e-15);
    ok(Math.abs(Math.cosh(1) - 1.5430806348152437) < 1e-15);
    ok(Math.abs(Math.tanh(0.5) - 0.46211715726000974) < 1e-15);
    eq(Math.tanh(Infinity), 1);
    eq(Math.sinh(-0), -0);
    ok(Math.abs(Math.asinh(1) - 0.881373587019543) < 1e-15);
    ok(Math.abs(Math.acosh(2) - 1.3169578969248166) < 1e-15);
    ok(Math.abs(Math.atanh(0.5) - 0.5493061443340549) < 1e-15);
});

test('Symbol additions and globalThis', function () {
    eq(typeof Symbol.asyncIterator, 'symbol');
    eq(Symbol('desc').description, 'desc');
    eq(Symbol().description, undefined);
    ok(globalThis.Array === Array);
});


var order = [];
queueMicrotask(function () { order.push('m1'); queueMicrotask(function () { order.push('m3'); }); });
queueMicrotask(function () { order.push('m2'); });
order.push('sync');

test('queueMicrotask defers to the host drain', function () {
    eq(order, ['sync']);
    throws(function () { queueMicrotask(1); }, TypeError);
});

afterDrain('queueMicrotask runs FIFO, nested jobs last', function () {
    eq(order, ['sync', 'm1', 'm2', 'm3']);
});

test('Array.prototype.sort is stable (ES2019)', function () {
    var recs = [], i;
    for (i = 0; i < 50; i++) recs.push({ k: i % 3, i: i });
    recs.sort(function (a, b) { return a.k - b.k; });
    for (i = 1; i < recs.length; i++) {
        ok(recs[i - 1].k < recs[i].k || recs[i - 1].i < recs[i].i, 'ties keep their order at ' + i);
    }
    var a = [3, 1, undefined, 2, , 10].sort();
    eq([a.length, a[0], a[1], a[3], 4 in a, 5 in a, a[4]], [6, 1, 10, 3, true, false, undefined], 'default order; undefined, then holes, last');
    var big = [];
    for (i = 0; i < 300; i++) big.push({ k: (i * 7919) % 10, i: i });
    big.sort(function (x, y) { return x.k - y.k; });
    for (i = 1; i < big.length; i++) ok(big[i - 1].k < big[i].k || big[i - 1].i < big[i].i, 'stable past the insertion runs');
    eq([[143, 'Rash'], [200, 'M']].map(function (x) { return x.slice().sort(function (p, q) { return p > q ? 1 : -1; }); }),
        [['Rash', 143], ['M', 200]], 'inconsistent comparator ordered as Node 20 orders it');
    eq([[1, 'b'], [0, 'a'], [1, 'a']].sort(function (x, y) { return x[0] - y[0]; }), [[0, 'a'], [1, 'b'], [1, 'a']]);
    eq(['b', 'a', 'c'].sort(function () { return NaN; }), ['b', 'a', 'c'], 'NaN counts as equal');
    eq([{ v: 2 }, { v: 1 }].sort().length, 2);
    throws(function () { [].sort(1); }, TypeError);
    var o = { 0: 'b', 1: 'a', length: 2 };
    Array.prototype.sort.call(o);
    eq([o[0], o[1]], ['a', 'b'], 'generic array-likes');
});

/* Node 24 has no Math.sumPrecise yet; expected values are the exact sums. */
test('Math.sumPrecise', function () {
    eq(Math.sumPrecise([0.1, 0.2, 0.3]), 0.6, 'exactly rounded (0.1 + 0.2 + 0.3 is 0.6000000000000001)');
    eq(Math.sumPrecise([1e20, 1, -1e20]), 1, 'no cancellation');
    eq(Math.sumPrecise([1e308, 1e308, -1e308]), 1e308, 'an overflowing partial');
    eq(Math.sumPrecise([1e308, 1e308]), Infinity, 'a sum that overflows');
    eq(1 / Math.sumPrecise([]), -Infinity, 'empty is -0');
    eq(1 / Math.sumPrecise([-0, -0]), -Infinity, 'all -0 is -0');
    ok(isNaN(Math.sumPrecise([Infinity, -Infinity])), '+Inf and -Inf');
    eq(Math.sumPrecise(new Set([1, 2])), 3, 'any iterable');
    var threw = false;
    try { Math.sumPrecise([1, '2']); } catch (e) { threw = e instanceof TypeError; }
    ok(threw, 'a non-number throws a TypeError');
});

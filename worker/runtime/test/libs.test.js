/* libs.test.js -- the everyday calls of each library a job may require(),
 * run from the ES5 bundles built by worker/libs/build.mjs, in a fresh heap
 * with lazily loaded polyfills. */

test('require: blocked and unknown modules', function () {
    var e = throws(function () { require('fs'); });
    ok(/blocked/.test(e.message), e.message);
    e = throws(function () { require('left-pad'); });
    ok(/not available/.test(e.message), e.message);
    ok(require('lodash') === require('lodash'), 'cached per heap');
});

test('lodash', function () {
    var _ = require('lodash');
    eq(_.groupBy([6.1, 4.2, 6.3], Math.floor), { 4: [4.2], 6: [6.1, 6.3] });
    eq(_.sortBy([{ u: 'fred', a: 48 }, { u: 'barney', a: 36 }, { u: 'fred', a: 40 }], ['u', 'a']).map(function (o) { return o.u + o.a; }),
        ['barney36', 'fred40', 'fred48']);
    eq(_.chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    eq(_.uniqBy([{ x: 1 }, { x: 2 }, { x: 1 }], 'x').length, 2);
    eq(_.get({ a: [{ b: { c: 3 } }] }, 'a[0].b.c'), 3);
    eq(_.cloneDeep({ a: [1, { b: 2 }] }), { a: [1, { b: 2 }] });
    eq(_.chain([1, 2, 3]).map(function (x) { return x * 2; }).sum().value(), 12);
    eq(_.camelCase('Foo Bar-baz'), 'fooBarBaz');
    eq(_.keyBy([{ id: 'a' }, { id: 'b' }], 'id').b, { id: 'b' });
    ok(_.isEqual(new Map([[1, 2]]), new Map([[1, 2]])), 'isEqual on Map');
    eq(_.orderBy([{ n: 1 }, { n: 3 }, { n: 2 }], ['n'], ['desc']).map(function (o) { return o.n; }), [3, 2, 1]);
});

test('date-fns', function () {
    var d = require('date-fns');
    eq(d.format(d.addDays(new Date(2024, 0, 30), 3), 'yyyy-MM-dd'), '2024-02-02');
    eq(d.differenceInDays(new Date(2024, 2, 1), new Date(2024, 1, 1)), 29);
    eq(d.format(d.parseISO('2024-07-04T10:20:30'), "EEEE, MMMM do yyyy 'at' HH:mm"), 'Thursday, July 4th 2024 at 10:20');
    ok(d.isValid(new Date(2024, 1, 29)));
    ok(d.isBefore(new Date(2020, 0, 1), new Date(2021, 0, 1)));
    eq(d.format(d.startOfWeek(new Date(2024, 4, 15)), 'yyyy-MM-dd'), '2024-05-12');
    eq(d.formatDistance(new Date(2024, 0, 1), new Date(2024, 0, 4)), '3 days');
    eq(d.format(d.parse('03/15/2024', 'MM/dd/yyyy', new Date()), 'yyyy-MM-dd'), '2024-03-15');
    eq(d.eachDayOfInterval({ start: new Date(2024, 0, 1), end: new Date(2024, 0, 3) }).length, 3);
});

test('mathjs', function () {
    var math = require('mathjs');
    eq(math.evaluate('sqrt(3^2+4^2)'), 5);
    eq(math.evaluate('2 * x + 1', { x: 20 }), 41);
    eq(math.round(math.mean([1, 2, 3, 4]), 2), 2.5);
    eq(math.median([5, 1, 3]), 3);
    eq(math.std([2, 4, 4, 4, 5, 5, 7, 9], 'uncorrected'), 2);
    eq(math.format(math.multiply(math.matrix([[1, 2], [3, 4]]), 2)), '[[2, 4], [6, 8]]');
    eq(math.det([[1, 2], [3, 4]]), -2);
    eq(math.evaluate('12.7 cm to inch').toString(), '5 inch');
    eq(math.format(math.fraction(1, 3)), '1/3');
    eq(math.evaluate('a = 3; a * 2').entries, [6]);
});

test('papaparse', function () {
    var Papa = require('papaparse');
    var r = Papa.parse('name,quote,n\n"Smith, J","He said ""hi""",3\nLee,plain,4\n', { header: true, skipEmptyLines: true, dynamicTyping: true });
    eq(r.errors, []);
    eq(r.data, [{ name: 'Smith, J', quote: 'He said "hi"', n: 3 }, { name: 'Lee', quote: 'plain', n: 4 }]);
    eq(r.meta.fields, ['name', 'quote', 'n']);
    eq(Papa.unparse([{ a: 1, b: 'x,y' }]), 'a,b\r\n1,"x,y"');
    eq(Papa.parse('a;b\n1;2', { delimiter: ';' }).data, [['a', 'b'], ['1', '2']]);
});

test('uuid', function () {
    var uuid = require('uuid');
    var a = uuid.v4(), b = uuid.v4();
    ok(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(a), a);
    ok(a !== b, 'distinct');
    ok(uuid.validate(a));
    eq(uuid.version(a), 4);
    eq(uuid.v5('hello', uuid.v5.DNS), '9342d47a-1bab-5709-9869-c840b2eac501');
    ok(/^[0-9a-f-]{36}$/.test(uuid.v7()));
    var seen = {}, i, dup = false;
    for (i = 0; i < 200; i++) {
        var u = uuid.v4();
        if (seen[u]) dup = true;
        seen[u] = true;
    }
    ok(!dup, '200 distinct v4');
});

test('validator', function () {
    var v = require('validator');
    ok(v.isEmail('foo@bar.com'));
    ok(!v.isEmail('foo@bar'));
    ok(v.isURL('https://example.com/path?q=1'));
    ok(v.isUUID('9342d47a-1bab-5709-9869-c840b2eac501'));
    ok(v.isIP('192.168.0.1') && !v.isIP('999.1.1.1'));
    ok(v.isISO8601('2024-01-02T03:04:05Z'));
    ok(v.isNumeric('-12.5'));
    ok(v.isCreditCard('4111111111111111'));
    eq(v.escape('<a href="x">'), '&lt;a href=&quot;x&quot;&gt;');
    eq(v.normalizeEmail('Foo.Bar@Gmail.com'), 'foobar@gmail.com');
});

test('jstat', function () {
    var j = require('jstat');
    var js = j.jStat || j;
    eq(js.mean([1, 2, 3, 4]), 2.5);
    eq(js.median([3, 1, 2]), 2);
    ok(Math.abs(js.stdev([2, 4, 4, 4, 5, 5, 7, 9]) - 2) < 1e-12);
    ok(Math.abs(js.normal.cdf(1.96, 0, 1) - 0.9750021048517795) < 1e-9);
    ok(Math.abs(js.studentt.inv(0.975, 10) - 2.2281388519649385) < 1e-6);
    eq(js([[1, 2], [3, 4]]).transpose().toArray ? js.transpose([[1, 2], [3, 4]]) : null, [[1, 3], [2, 4]]);
});

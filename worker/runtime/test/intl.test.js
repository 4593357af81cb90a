/* intl.test.js -- the en-US Intl subset and the locale methods routed to it.
 * Expected strings were produced by Node 20 (ICU) with TZ=UTC. */

var NF_CASES = [
    [{"style": "currency", "currency": "USD"}, 1234.5, "$1,234.50"],
    [{"style": "currency", "currency": "USD"}, -1234.5, "-$1,234.50"],
    [{"style": "currency", "currency": "EUR"}, 0.5, "\u20ac0.50"],
    [{"style": "currency", "currency": "GBP"}, 1000000, "\u00a31,000,000.00"],
    [{"style": "currency", "currency": "JPY"}, 1234.5, "\u00a51,235"],
    [{"style": "currency", "currency": "USD", "currencyDisplay": "code"}, 12, "USD\u00a012.00"],
    [{"style": "currency", "currency": "USD", "currencyDisplay": "name"}, 12, "12.00 US dollars"],
    [{"style": "currency", "currency": "USD", "currencyDisplay": "name"}, 1, "1.00 US dollars"],
    [{"style": "currency", "currency": "USD", "currencySign": "accounting"}, -5, "($5.00)"],
    [{"style": "currency", "currency": "CAD"}, 5, "CA$5.00"],
    [{"style": "currency", "currency": "USD", "minimumFractionDigits": 0}, 5, "$5"],
    [{"style": "currency", "currency": "USD", "maximumFractionDigits": 0}, 5.5, "$6"],
    [{"style": "percent"}, 0.256, "26%"],
    [{"style": "percent", "minimumFractionDigits": 1}, 0.256, "25.6%"],
    [{"style": "percent"}, -0.5, "-50%"],
    [{}, 1234567.891, "1,234,567.891"],
    [{}, 1.005, "1.005"],
    [{"maximumFractionDigits": 2}, 1.005, "1.01"],
    [{"maximumFractionDigits": 2}, 2.345, "2.35"],
    [{"minimumFractionDigits": 2}, 3, "3.00"],
    [{"maximumFractionDigits": 0}, 2.5, "3"],
    [{"maximumFractionDigits": 0}, -2.5, "-3"],
    [{"useGrouping": false}, 1234567, "1234567"],
    [{}, 0.0001, "0"],
    [{}, -0, "-0"],
    [{}, NaN, "NaN"],
    [{}, Infinity, "\u221e"],
    [{}, -Infinity, "-\u221e"],
    [{}, 1e21, "1,000,000,000,000,000,000,000"],
    [{}, 123456789012345680000, "123,456,789,012,345,680,000"],
    [{}, 1.5e-07, "0"],
    [{"maximumSignificantDigits": 3}, 123456, "123,000"],
    [{"maximumSignificantDigits": 3}, 0.00123456, "0.00123"],
    [{"minimumSignificantDigits": 3}, 1.5, "1.50"],
    [{"minimumIntegerDigits": 3}, 7, "007"],
    [{"signDisplay": "always"}, 5, "+5"],
    [{"signDisplay": "exceptZero"}, 0, "0"],
    [{"notation": "compact"}, 1234, "1.2K"],
    [{"notation": "compact"}, 12345, "12K"],
    [{"notation": "compact"}, 1234567, "1.2M"],
    [{"notation": "compact"}, 999999, "1M"],
    [{"notation": "compact"}, 999, "999"],
    [{"notation": "compact", "compactDisplay": "long"}, 2500000, "2.5 million"],
    [{"notation": "compact"}, 1.5, "1.5"],
    [{"style": "currency", "currency": "USD", "notation": "compact"}, 1234567, "$1.2M"],
    [{"useGrouping": "min2"}, 1234, "1234"],
    [{"useGrouping": "min2"}, 12345, "12,345"]
];

test('Intl.NumberFormat matches ICU output', function () {
    NF_CASES.forEach(function (c) {
        eq(new Intl.NumberFormat('en-US', c[0]).format(c[1]), c[2], JSON.stringify(c[0]) + ' ' + c[1]);
    });
});

test('NumberFormat API surface', function () {
    var nf = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
    eq(nf.format(1234.5), '$1,234.50');
    eq([1, 2].map(nf.format), ['$1.00', '$2.00'], 'format is bound');
    eq(nf.formatToParts(-1234.5).map(function (p) { return p.type; }),
        ['minusSign', 'currency', 'integer', 'group', 'integer', 'decimal', 'fraction']);
    var r = nf.resolvedOptions();
    eq([r.locale, r.style, r.currency, r.minimumFractionDigits, r.maximumFractionDigits], ['en-US', 'currency', 'USD', 2, 2]);
    throws(function () { new Intl.NumberFormat('en-US', { style: 'currency' }); }, TypeError);
    throws(function () { new Intl.NumberFormat('en-US', { maximumFractionDigits: 101 }); }, RangeError);
    throws(function () { new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 1 }); }, RangeError);
    eq(Intl.NumberFormat().format(1234.5678), '1,234.568', 'callable without new');
    eq(new Intl.NumberFormat('de-DE').format(1234.5), '1,234.5', 'every locale is en-US');
    eq(Intl.NumberFormat.supportedLocalesOf(['en-GB', 'de']), ['en-GB']);
});

test('Number.prototype.toLocaleString', function () {
    eq((1234567.891).toLocaleString(), '1,234,567.891');
    eq((1234.5).toLocaleString('en-US', { style: 'currency', currency: 'USD' }), '$1,234.50');
    eq((0.075).toLocaleString('en-US', { style: 'percent', minimumFractionDigits: 1 }), '7.5%');
    eq((5).toLocaleString('en-US', { minimumFractionDigits: 2 }), '5.00');
});

var DATE = new Date(1704467045123);
var DT_CASES = [
    ["toLocaleDateString", ["en-US"], "1/5/2024"],
    ["toLocaleTimeString", ["en-US"], "3:04:05 PM"],
    ["toLocaleString", ["en-US"], "1/5/2024, 3:04:05 PM"],
    ["toLocaleDateString", ["en-US", {"year": "numeric", "month": "long", "day": "numeric"}], "January 5, 2024"],
    ["toLocaleDateString", ["en-US", {"weekday": "long", "year": "numeric", "month": "long", "day": "numeric"}], "Friday, January 5, 2024"],
    ["toLocaleDateString", ["en-US", {"month": "short", "day": "numeric"}], "Jan 5"],
    ["toLocaleDateString", ["en-US", {"month": "2-digit", "day": "2-digit", "year": "numeric"}], "01/05/2024"],
    ["toLocaleDateString", ["en-US", {"year": "2-digit", "month": "numeric", "day": "numeric"}], "1/5/24"],
    ["toLocaleDateString", ["en-US", {"month": "long", "year": "numeric"}], "January 2024"],
    ["toLocaleDateString", ["en-US", {"weekday": "short"}], "Fri"],
    ["toLocaleDateString", ["en-US", {"dateStyle": "full"}], "Friday, January 5, 2024"],
    ["toLocaleDateString", ["en-US", {"dateStyle": "medium"}], "Jan 5, 2024"],
    ["toLocaleDateString", ["en-US", {"dateStyle": "short"}], "1/5/24"],
    ["toLocaleTimeString", ["en-US", {"hour": "2-digit", "minute": "2-digit"}], "03:04 PM"],
    ["toLocaleTimeString", ["en-US", {"hour12": false}], "15:04:05"],
    ["toLocaleTimeString", ["en-US", {"timeStyle": "short"}], "3:04 PM"],
    ["toLocaleString", ["en-US", {"dateStyle": "long", "timeStyle": "short"}], "January 5, 2024 at 3:04 PM"],
    ["toLocaleString", ["en-US", {"dateStyle": "short", "timeStyle": "medium"}], "1/5/24, 3:04:05 PM"],
    ["toLocaleString", ["en-US", {"timeZone": "UTC"}], "1/5/2024, 3:04:05 PM"],
    ["toLocaleDateString", [], "1/5/2024"]
];

test('Date locale methods match ICU output (process zone is UTC)', function () {
    ok(new Date(2024, 0, 1).getTimezoneOffset() === 0, 'tests expect TZ=UTC');
    DT_CASES.forEach(function (c) {
        eq(Date.prototype[c[0]].apply(DATE, c[1]), c[2], c[0] + ' ' + JSON.stringify(c[1]));
    });
});

test('DateTimeFormat API surface', function () {
    var f = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
    eq(f.format(DATE), 'Jan 5, 2024');
    eq([DATE].map(f.format), ['Jan 5, 2024'], 'format is bound');
    eq(new Intl.DateTimeFormat().format(DATE), '1/5/2024');
    eq(Intl.DateTimeFormat().resolvedOptions().timeZone, 'UTC');
    eq(new Intl.DateTimeFormat('en-US', { hour: 'numeric' }).format(DATE), '3 PM');
    throws(function () { new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York' }); }, RangeError);
    throws(function () { f.format(new Date(NaN)); }, RangeError);
    eq(DATE.toLocaleDateString('en-US', { hour: 'numeric' }), '1/5/2024, 3 PM', 'date fields added when only time given');
    eq(DATE.toLocaleTimeString('en-US', { month: 'long' }), 'January at 3:04:05 PM', 'time fields added when only date given');
    var fmt = function (o) { return new Intl.DateTimeFormat('en-US', o).format(DATE); };
    /* Expected strings read from Node 20. */
    eq([fmt({ month: 'short', day: 'numeric', hour: 'numeric' }), fmt({ month: 'long', day: 'numeric', year: 'numeric', hour: 'numeric', minute: 'numeric' }),
        fmt({ weekday: 'long', hour: 'numeric' }), fmt({ weekday: 'long', month: 'numeric', day: 'numeric', hour: 'numeric' }),
        fmt({ weekday: 'short', month: 'long', day: 'numeric', hour: 'numeric' }), fmt({ year: 'numeric', hour: 'numeric' }),
        fmt({ minute: 'numeric' }), fmt({ minute: '2-digit', second: '2-digit' }), fmt({ hour: 'numeric', hour12: false }),
        fmt({ hour: '2-digit', minute: '2-digit', hour12: false }), fmt({ fractionalSecondDigits: 2, second: 'numeric' })],
        ['Jan 5, 3 PM', 'January 5, 2024 at 3:04 PM', 'Friday 3 PM', 'Friday, 1/5, 3 PM', 'Fri, January 5 at 3 PM', '2024, 3 PM',
            '4', '04:05', '15', '15:04', '5.12']);
});

test('Collator and PluralRules', function () {
    var c = new Intl.Collator('en', { numeric: true });
    eq(['a10', 'a9', 'B', 'a'].sort(c.compare), ['a', 'a9', 'a10', 'B']);
    eq(new Intl.Collator('en', { sensitivity: 'base' }).compare('a', 'A'), 0);
    var pr = new Intl.PluralRules('en-US');
    eq([0, 1, 2].map(function (n) { return pr.select(n); }), ['other', 'one', 'other']);
    var ord = new Intl.PluralRules('en-US', { type: 'ordinal' });
    eq([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101].map(function (n) { return ord.select(n); }),
        ['one', 'two', 'few', 'other', 'other', 'other', 'other', 'one', 'two', 'few', 'one']);
});

test('Intl is a plain namespace', function () {
    eq(Object.prototype.toString.call(Intl), '[object Intl]');
    eq(Object.keys(Intl), []);
    ok(!Object.getOwnPropertyDescriptor(globalThis, 'Intl').enumerable);
});

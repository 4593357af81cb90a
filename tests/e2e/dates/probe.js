// Runs in codeworker (as a job, timeZone = the zone) and in Node 24 (with
// TZ = the zone, by record.js); both write the same `output`.
var strings = input.strings;
var parse = strings.map(function (s) {
  var a = Date.parse(s), b = new Date(s).getTime();
  return a === b || (a !== a && b !== b) ? (isNaN(a) ? null : a) : ["MISMATCH", a, b];
});
function safe(f) {
  try { var v = f(); return typeof v === 'number' && isNaN(v) ? 'NaN' : v; }
  catch (e) { return e.name + ': ' + e.message; }
}
var stamps = [0, 1395532800000, 1705314600000, 1710052200000, 1710054000000, 1710041400000, 1730611800000,
  1730615400000, 1711846800000, 1729990800000, 1712417400000, 1728145800000, 1718452800000, 1719792000123,
  -1, -86400001, -62198755200000, -62135596800000, 253402300799999, 253402300800000, 8.64e15, -8.64e15,
  951782400000, 1e12 + 123, NaN];
var format = stamps.map(function (t) {
  var d = new Date(t);
  return [safe(function () { return d.toString(); }), safe(function () { return d.toDateString(); }),
    safe(function () { return d.toTimeString(); }), safe(function () { return d.toUTCString(); }),
    safe(function () { return d.toGMTString(); }), safe(function () { return d.toISOString(); }),
    safe(function () { return d.toJSON(); }), safe(function () { return JSON.stringify({d: d}); }),
    safe(function () { return String(d); }), safe(function () { return d + ''; }),
    safe(function () { return d.getTimezoneOffset(); }), safe(function () { return d.getHours(); }),
    safe(function () { return d.getDate(); }), safe(function () { return d.getDay(); }),
    safe(function () { return d.getMonth(); }), safe(function () { return d.getFullYear(); }),
    safe(function () { return d.valueOf(); }), safe(function () { return Date.parse(d.toString()); }),
    safe(function () { return Date.parse(d.toUTCString()); }), safe(function () { return Date.parse(d.toISOString()); })];
});
var local = [[2024, 0, 15, 10, 30], [2024, 2, 10, 2, 30], [2024, 2, 10, 3, 30], [2024, 10, 3, 1, 30],
  [2024, 2, 31, 2, 30], [2024, 9, 27, 2, 30], [2024, 3, 7, 2, 30], [2024, 9, 6, 2, 30], [99, 0, 1],
  [2024, 0], [2024, 12, 1], [2024, 0, 32], [1900, 0, 1], [1, 0, 1], [2024, 5, 15, 12, 0, 0, 500]].map(function (a) {
  var d = new (Function.prototype.bind.apply(Date, [null].concat(a)))();
  return [d.getTime(), d.getHours(), d.getTimezoneOffset()];
});
var setters = (function () {
  var d = new Date(2024, 0, 15, 12, 0);
  var out = [];
  d.setMonth(5); out.push(d.getTime(), d.getHours());
  d.setHours(0, 0, 0, 0); out.push(d.getTime());
  d.setDate(d.getDate() + 200); out.push(d.getTime(), d.getTimezoneOffset());
  d.setFullYear(2020, 1, 29); out.push(d.getTime());
  d.setUTCHours(25); out.push(d.getTime());
  // Setters that land on a skipped or repeated local time in some zone.
  [[2024, 2, 10, 2, 30], [2024, 10, 3, 1, 30], [2024, 2, 31, 2, 30], [2024, 9, 27, 2, 30], [2024, 3, 7, 2, 30],
   [2024, 9, 6, 2, 30]].forEach(function (a) {
    var e = new Date(a[0], a[1], a[2], 12);
    e.setHours(a[3], a[4]); out.push(e.getTime());
    var f = new Date(a[0], a[1], a[2] - 1, a[3], a[4]);
    f.setDate(a[2]); out.push(f.getTime());
    var g = new Date(a[0], a[1], a[2], 12);
    g.setMinutes(a[3] * 60 - 12 * 60 + a[4]); out.push(g.getTime());
  });
  return out;
})();
var misc = {
  utc: [safe(function () { return Date.UTC(2020); }), safe(function () { return Date.UTC(2020, 1); }),
    safe(function () { return Date.UTC(); }), safe(function () { return Date.UTC(99); }),
    safe(function () { return Date.UTC(2020, 0, 1, 0, 0, 0, -1); }), safe(function () { return Date.UTC(275761); }),
    safe(function () { return Date.UTC(2024, 1, 30, 25, 61, 61, 1001); }), safe(function () { return Date.UTC('2020'); })],
  shape: [Date.name, Date.length, Date.UTC.length, Date.parse.length, Date.prototype.constructor === Date,
    Date.prototype.toGMTString === Date.prototype.toUTCString, new Date(0) instanceof Date,
    Object.prototype.toString.call(new Date(0)), typeof Date(), typeof Date.now(), new Date(new Date(5)).getTime(),
    new Date(new Date(1705314600123)).getTime(), new Date(undefined).getTime(), new Date(null).getTime(),
    new Date(true).getTime(), new Date('5').getTime(), new Date(1705314600000.9).getTime(),
    new Date({valueOf: function () { return 7; }}).getTime(),
    new Date({toString: function () { return '2024-01-15'; }, valueOf: undefined}).getTime(),
    safe(function () { return Date.prototype.toString.call({}); }),
    safe(function () { return new Date(8.64e15 + 1).getTime(); }), new Date(2024, 0, 15).constructor === Date,
    typeof Date.prototype.toISOString, Date.prototype.toString.name, Date.prototype.toISOString.length],
  invalid: [String(new Date('x')), new Date(NaN).toDateString(), new Date(NaN).toTimeString(),
    new Date(NaN).toUTCString(), safe(function () { return new Date(NaN).toISOString(); }),
    new Date(NaN).toJSON(), JSON.stringify([new Date(NaN)]), new Date(NaN).getTimezoneOffset()]
};
output = {parse: parse, format: format, local: local, setters: setters, misc: misc};

// Date and Unicode costs, run the same way in codeworker and in Node 24:
//   codeworker exec loadtest/bench_dates.js --timeout 60
//   node -e "var input={}, output; $(cat loadtest/bench_dates.js); console.log(JSON.stringify(output))"
// Each figure is the mean cost of one call, in microseconds (normalize: ms).
var now = typeof performance !== 'undefined' && performance.now ? function () { return performance.now(); }
                                                                  : function () { return Date.now(); };
function time(n, f) {
  var t0 = now();
  for (var i = 0; i < n; i++) f(i);
  return (now() - t0) / n;
}
var parts = [], word = ['cafe\u0301 ', 'Stra\u00dfe ', '\ud55c\uad6d\uc5b4 ', '\ufb01le ', 'plain ascii text ', '\u00c5ngstr\u00f6m '];
var len = 0;
for (var i = 0; len < 1 << 20; i++) { parts.push(word[i % word.length]); len += word[i % word.length].length; }
var big = parts.join('');
var ascii = new Array((1 << 20) + 1).join('a');
var strings = ['2024-01-15T10:30:00Z', '2024-01-15T10:30:00+0200', '2024-01-15 10:30', 'Mon, 15 Jan 2024 10:30:00 GMT',
  'January 15, 2024', '1/15/2024 10:30 PM', 'Sun Mar 23 2014 00:00:00 GMT+0000 (Coordinated Universal Time)'];
var sink = 0;
var d = new Date(1705314600000);
output = {
  normalizeNFC_1MB_ms: time(5, function () { sink += big.normalize('NFC').length; }),
  normalizeNFD_1MB_ms: time(5, function () { sink += big.normalize('NFD').length; }),
  normalizeNFKC_1MB_ms: time(5, function () { sink += big.normalize('NFKC').length; }),
  normalizeASCII_1MB_ms: time(5, function () { sink += ascii.normalize('NFC').length; }),
  toUpperCase_1MB_ms: time(5, function () { sink += big.toUpperCase().length; }),
  parse_us: strings.map(function (s) { return [s, Math.round(time(20000, function () { sink += Date.parse(s); }) * 1e4) / 10]; }),
  toString_us: Math.round(time(20000, function () { sink += d.toString().length; }) * 1e4) / 10,
  toISOString_us: Math.round(time(20000, function () { sink += d.toISOString().length; }) * 1e4) / 10,
  getHours_us: Math.round(time(100000, function (i) { sink += new Date(i * 3600000).getHours(); }) * 1e4) / 10,
  sink: sink > 0
};

// String cases: [op, string, argument?]; each answer is the list of UTF-16
// code units of the result (or the error), so lone surrogates compare exactly.
function units(s) {
  if (typeof s !== 'string') return s;
  var u = [];
  for (var i = 0; i < s.length; i++) u.push(s.charCodeAt(i));
  return u;
}
// Strings travel as code-unit lists too (a job's JSON cannot carry a lone surrogate).
function str(u) { return typeof u === 'string' ? u : String.fromCharCode.apply(null, u); }
output = input.cases.map(function (c) {
  var op = c[0], s = str(c[1]), arg = c[2];
  try {
    switch (op) {
      case 'normalize': return units(c.length > 2 ? s.normalize(arg) : s.normalize());
      case 'isWellFormed': return s.isWellFormed();
      case 'toWellFormed': return units(s.toWellFormed());
      case 'toLocaleUpperCase': return units(c.length > 2 ? s.toLocaleUpperCase(arg) : s.toLocaleUpperCase());
      case 'toLocaleLowerCase': return units(c.length > 2 ? s.toLocaleLowerCase(arg) : s.toLocaleLowerCase());
      case 'toUpperCase': return units(s.toUpperCase());
      case 'toLowerCase': return units(s.toLowerCase());
      case 'normalize.call': return units(String.prototype.normalize.call(arg));
      case 'length': return s.normalize(arg).length;
      case 'props': return [typeof ''.normalize, ''.normalize.length, ''.normalize.name, ''.isWellFormed.length,
        ''.toLocaleUpperCase.length, Object.keys(String.prototype).length,
        Object.prototype.propertyIsEnumerable.call(String.prototype, 'normalize')];
    }
  } catch (e) {
    return e.name + ': ' + e.message;
  }
  return 'unknown op';
});

// record_results_node24.js -- records results_node24.json, the answers Node 24 gives for
// the join/repeat/padStart/padEnd expressions test_results.py checks the sandbox against:
//   node tests/security/record_results_node24.js tests/security/results_node24.json
const E = [
"[1,2,3].join()", "[1,2,3].join(undefined)", "[1,null,undefined,3].join('-')", "[,,].join()", "[].join()", "[].join('x')",
"['a'].join('-')", "[1,2,3].join('')", "[[1,2],[3]].join(';')", "[1,[2,[3,null]]].join()", "[,'a',,'b'].join()",
"Array.prototype.join.call({length: 3, 0: 'a', 2: 'c'}, '+')", "Array.prototype.join.call({length: '2', 0: 1, 1: 2})",
"Array.prototype.join.call({length: -1, 0: 'a'})", "Array.prototype.join.call({length: 2.7, 0: 'a', 1: 'b', 2: 'c'})",
"Array.prototype.join.call({length: NaN, 0: 'a'})", "Array.prototype.join.call({}, '-')",
"Array.prototype.join.call('abc', '.')", "Array.prototype.join.call(123)", "Array.prototype.join.call(true, '-')",
"Array.prototype.join.call(null)", "Array.prototype.join.call(undefined)",
"[1,2].join({toString: function () { return '#' }})", "[{toString: function () { return 'o' }}, 2].join()",
"[{valueOf: function () { return 1 }, toString: function () { return 't' }}].join()",
"(function () { var a = [1,2,3]; a.length = 5; return a.join('|') })()",
"(function () { Array.prototype[1] = 'P'; var r = [0,,2].join(); delete Array.prototype[1]; return r })()",
"(function () { Object.prototype[2] = 'O'; var r = Array.prototype.join.call({length: 4, 0: 'z'}); delete Object.prototype[2]; return r })()",
"(function () { var a = [1,2,3]; Object.defineProperty(a, 1, {get: function () { a[2] = 'z'; return 'g' }}); return a.join() })()",
"(function () { var a = []; a.length = 4; a[0] = {toString: function () { a[3] = 'late'; return 'x' }}; return a.join('-') })()",
"(function () { var a = []; a.length = 4; a[0] = {toString: function () { a.length = 1; return 'x' }}; a[2] = 'c'; return a.join('-') })()",
"(function () { var a = []; a[100000] = 'x'; return a.join('').length })()",
"(function () { var a = []; a[5] = 'e'; a[2] = 'b'; return a.join('.') })()",
"(function () { var a = []; a[3] = 1; a.foo = 'no'; return a.join() })()",
"(function () { var o = {length: 3}; Object.defineProperty(o, 1, {get: function () { return 'g' }}); return Array.prototype.join.call(o) })()",
"(function () { var n = 0; var o = {get length() { n++; return 2 }, 0: 'a', 1: 'b'}; return Array.prototype.join.call(o) + n })()",
"(function () { var order = []; var a = [{toString: function () { order.push('e'); return '1' }}]; a.join({toString: function () { order.push('s'); return ',' }}); return order.join('') })()",
"[1.5, -0, 1e21, NaN, Infinity, 0.1].join()", "[true, false].join(1)", "new Array(5).join('ab')", "new Array(3).join()",
"Array(3).join(null)", "Array(3).join(undefined)", "['\\ud83d\\ude00', 'a'].join('\\u00e9')", "['a', 'b'].join('\\ud83d\\ude00').length",
"[Symbol('s')].join()", "[1, 2].join(Symbol('s'))", "[{toString: function () { throw new TypeError('t') }}].join()",
"[{toString: function () { return {} }, valueOf: function () { return 'v' }}].join()",
"[{toString: function () { return {} }, valueOf: function () { return {} }}].join()",
"new Array(100000).join('ab').length", "new Array(2).join('\\u0000').length",
"'ab'.repeat(3)", "'ab'.repeat(0)", "''.repeat(5)", "'x'.repeat(2.9)", "'x'.repeat('3')", "'x'.repeat(-1)",
"'x'.repeat(Infinity)", "'x'.repeat(-Infinity)", "'x'.repeat(NaN)", "'x'.repeat()", "''.repeat(Math.pow(2, 40))", "'\\ud83d\\ude00'.repeat(2)",
"String.prototype.repeat.call(12, 2)", "String.prototype.repeat.call(null, 2)", "String.prototype.repeat.call(undefined, 2)",
"'a'.repeat({valueOf: function () { return 2 }})", "'ab'.repeat(-0.5)", "'ab'.repeat(1000).length", "'abc'.repeat(1000).slice(-4)",
"String.prototype.repeat.call({toString: function () { return 'q' }}, 3)",
"'abc'.padStart(10)", "'abc'.padStart(10, 'foo')", "'abc'.padStart(6, '123465')", "'abc'.padStart(8, '0')", "'abc'.padStart(1)",
"'abc'.padStart(5, '')", "'abc'.padEnd(10, 'foo')", "'abc'.padEnd(6, '123456')", "'abc'.padEnd(-1)", "'abc'.padStart(NaN)",
"'abc'.padStart(5.9, '*')", "'\\ud83d\\ude00'.padStart(5, '\\ud83d\\ude00').length", "'\\ud83d\\ude00'.padStart(5, '\\ud83d\\ude00').charCodeAt(0)",
"'x'.padEnd(4, undefined)", "'x'.padEnd(4, null)", "String.prototype.padStart.call(5, 3, 0)", "'x'.padEnd(3, {toString: function () { return 'yz' }})",
"'abc'.padStart('6', 12)", "'abc'.padEnd(Infinity, '')", "'abc'.padStart(-Infinity)", "String.prototype.padEnd.call(null, 3)",
"'x'.padStart(100000, 'ab').length", "'x'.padStart(100000, 'ab').slice(0, 5)", "'x'.padEnd(100001, 'abc').slice(-3)",
"'x'.padStart(4, Symbol('s'))", "'x'.repeat(Symbol('s'))"
];
const out = E.map(e => { try { return [e, JSON.stringify((0, eval)(e))] } catch (x) { return [e, 'throws ' + x.name] } });
require('fs').writeFileSync(process.argv[2], '[' + out.map(x => JSON.stringify(x)).join(',\n') + ']\n');
console.log(out.length);

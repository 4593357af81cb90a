// Records Node's answers to strings_probe.js (by hand, with Node 24):
//   node tests/e2e/dates/record_strings.js > tests/e2e/dates/strings.json
'use strict';
const fs = require('fs');
const path = require('path');
const S = ['caf\u00e9', 'cafe\u0301', '\ufb01', '\u212b', '\u1e9b\u0323', '\ud55c\uad6d\uc5b4', '\u1100\u1161\u11a8',
  '\u2460', 'x\u00b2', '\u01c4', '\ud83d\udc4d\ud83c\udffd', '\ud800', 'abc', '', 'e\u0328\u0301', '\uff71\uff72\uff73',
  '\ud835\udc00\ud835\udc01', '\u00c5\u0301', 'A\u030a\u0327', '\ufdfa', 'Stra\u00dfe', '\u0958', '\u1f80\u0301'];
const cases = [];
for (const s of S) {
  cases.push(['normalize', s]);
  for (const f of ['NFC', 'NFD', 'NFKC', 'NFKD']) cases.push(['normalize', s, f]);
}
for (const f of ['nfc', 'NFX', '', null, 'NFC ']) cases.push(['normalize', 'abc', f]);
cases.push(['normalize', 'caf\u00e9', undefined]);
cases.push(['normalize.call', '', 123], ['normalize.call', '', null], ['normalize.call', '', 'cafe\u0301']);
cases.push(['length', '\ud83d\udc4d\ud83c\udffd', 'NFD'], ['length', '\u1e9b\u0323', 'NFKC'], ['length', '\ufdfa', 'NFKD']);
for (const s of ['abc', '\ud800', '\udc00', 'a\ud800b', '\ud83d\ude00', '\ude00\ud83d', '\ud83d\ud83d\ude00', '',
  '\udfff\ud800\udc00\ud800', 'x\udbff']) {
  cases.push(['isWellFormed', s], ['toWellFormed', s]);
}
const upper = [['istanbul', 'tr'], ['i', 'tr'], ['i', 'az'], ['i', 'en-US'], ['\u0131', 'en'], ['\u00df', 'de'],
  ['stra\u00dfe', 'de-DE'], ['\u01c6', 'und'], ['\u0149', 'en'], ['\u03ac\u03b4\u03b9\u03ba\u03bf\u03c2', 'el'],
  ['\u03ac\u03b4\u03b9\u03ba\u03bf\u03c2', 'en'], ['i\u0307', 'lt'], ['i\u0307', 'en'], ['i', ['tr', 'en']], ['i', []],
  ['i', 'x'], ['i', 'en_US'], ['i', 'EN-us'], ['i', 'tr-TR'], ['\u1f00\u0345', 'el'], ['i', 'tr-u-co-phonebk']];
for (const [s, l] of upper) cases.push(['toLocaleUpperCase', s, l]);
cases.push(['toLocaleUpperCase', 'i']);
const lower = [['\u0130STANBUL', 'tr'], ['I', 'tr'], ['I', 'en'], ['\u0130', 'en'], ['\u039f\u0394\u039f\u03a3', 'el'],
  ['\u038c\u03a3\u039f\u03a3', 'en'], ['I', 'lt'], ['\u00cc', 'lt'], ['\u03a3\u0391\u03a3. \u03a3', 'en'], ['\u01c5', 'en'],
  ['I\u0307', 'tr'], ['I', 'az'], ['\u0130', 'lt'], ['J\u0301', 'lt']];
for (const [s, l] of lower) cases.push(['toLocaleLowerCase', s, l]);
cases.push(['toLocaleLowerCase', '\u0130']);
for (const s of ['\u00df', '\u0149', '\u0390', '\u0587', '\ufb03', '\u01f0', '\u0391\u03a3', '\u0391\u03a3 \u0391',
  '\u03a3', 'a\u03a3b', '\u0130', '\uab70', '\ud801\udc28', '\u01c8', '\u1fb3', '\ufb00', '\u1e9e', '\u0345',
  '\u2c65', '\u023a', 'A\u03a3\u0301', '\u03a3\u0301', '\ud801\udc00', '\u10d0', '\u1c90', '\ua7c0', '\u0131']) {
  cases.push(['toUpperCase', s], ['toLowerCase', s]);
}
cases.push(['props', '']);
const units = (s) => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));
for (const c of cases) c[1] = units(c[1]);
const vm = require('vm');
const probe = fs.readFileSync(path.join(__dirname, 'strings_probe.js'), 'utf8');
const sandbox = { input: { cases: JSON.parse(JSON.stringify(cases)) } };
vm.runInNewContext(probe, sandbox);
process.stdout.write(JSON.stringify({ node: process.version, icu: process.versions.icu,
  unicode: process.versions.unicode, cases, expected: sandbox.output }) + '\n');

// Records Node's answers to probe.js (run by hand with Node 24; the tests
// read the committed expected.json and never need Node):
//   node tests/e2e/dates/record.js > tests/e2e/dates/expected.json
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const dir = __dirname;
const zones = JSON.parse(fs.readFileSync(path.join(dir, 'zones.json'), 'utf8'));
const strings = JSON.parse(fs.readFileSync(path.join(dir, 'parse_strings.json'), 'utf8'));
const probe = fs.readFileSync(path.join(dir, 'probe.js'), 'utf8');
const fuzz = JSON.parse(fs.readFileSync(path.join(dir, 'fuzz_strings.json'), 'utf8'));
const out = { node: process.version, icu: process.versions.icu, tz: process.versions.tz, zones: {}, fuzz: {} };
for (const zone of zones) {
  const script = 'var input = ' + JSON.stringify({ strings }) + ';\nvar output;\n' + probe +
    '\nprocess.stdout.write(JSON.stringify(output));';
  const text = execFileSync(process.execPath, ['-e', script], { env: { TZ: zone }, encoding: 'utf8' });
  out.zones[zone] = JSON.parse(text);
  const fz = 'process.stdout.write(JSON.stringify(' + JSON.stringify(fuzz) +
    '.map(function (s) { var v = Date.parse(s); return v !== v ? null : v; })));';
  out.fuzz[zone] = JSON.parse(execFileSync(process.execPath, ['-e', fz], { env: { TZ: zone }, encoding: 'utf8' }));
}
process.stdout.write(JSON.stringify(out) + '\n');

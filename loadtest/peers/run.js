#!/usr/bin/env node
// Peer benchmark harness: runs a codeworker job file (JSONL) under Node's
// `vm`, vm2 and isolated-vm with one fresh sandbox per job, so codeworker's
// pass rate and latency can be compared with the usual in-process
// alternatives on exactly the same jobs. See README.md for usage.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const { spawnSync } = require('child_process');

const PEERS = ['vm', 'vm2', 'isolated-vm'];
const USAGE = `usage: node run.js --peer vm|vm2|isolated-vm|all --jobs FILE.jsonl
                  [--repeat N] [--limit N] [--warmup N] [--unique-code] [--json OUT.json]`;

// Same defaults and clamps as the job contract: never "unlimited".
const TIMEOUT_S = { def: 30, min: 1, max: 120 };
const MEMORY_MB = { def: 128, min: 8, max: 512 };
const MAX_LOG_LINES = 1000;
const MAX_LOG_BYTES = 64 * 1024;
const MAX_REPORTED_FAILURES = 50;

// ---------------------------------------------------------------------------
// Command line

function die(msg) {
  process.stderr.write(`run.js: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { peer: null, jobs: null, repeat: 1, limit: Infinity, warmup: 10, json: null, uniqueCode: false };
  const intArg = (name, v) => {
    if (v === undefined || !/^\d+$/.test(v)) die(`${name} needs a non-negative integer`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--peer': opts.peer = argv[++i]; break;
      case '--jobs': opts.jobs = argv[++i]; break;
      case '--repeat': opts.repeat = intArg(a, argv[++i]); break;
      case '--limit': opts.limit = intArg(a, argv[++i]); break;
      case '--warmup': opts.warmup = intArg(a, argv[++i]); break;
      case '--json': opts.json = argv[++i]; break;
      case '--unique-code': opts.uniqueCode = true; break;
      case '-h': case '--help': process.stdout.write(USAGE + '\n'); process.exit(0); break;
      default: die(`unknown argument ${a}`);
    }
  }
  if (!opts.peer) die('--peer is required');
  if (opts.peer !== 'all' && !PEERS.includes(opts.peer)) die(`unknown peer ${opts.peer}`);
  if (!opts.jobs) die('--jobs is required');
  if (opts.json === undefined) die('--json needs a file name');
  if (opts.repeat < 1) die('--repeat must be at least 1');
  return opts;
}

// ---------------------------------------------------------------------------
// Jobs

function clampLimit(value, { def, min, max }) {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) return def;
  return Math.min(max, Math.max(min, n));
}

function loadJobs(file, limit) {
  const jobs = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length && jobs.length < limit; i++) {
    if (lines[i].trim() === '') continue;
    let raw;
    try { raw = JSON.parse(lines[i]); } catch (e) { die(`${file}:${i + 1}: ${e.message}`); }
    if (typeof raw.code !== 'string') die(`${file}:${i + 1}: job has no code`);
    // inputData is either JSON text or a JSON value; the sandbox always
    // receives JSON text and parses it itself, so no host object leaks in.
    let inputJson = 'null';
    let inputError = null;
    if (typeof raw.inputData === 'string') {
      try { JSON.parse(raw.inputData); inputJson = raw.inputData; } catch (e) { inputError = `inputData is not valid JSON: ${e.message}`; }
    } else if (raw.inputData !== undefined) {
      inputJson = JSON.stringify(raw.inputData);
    }
    jobs.push({
      jobId: raw.jobId !== undefined ? String(raw.jobId) : `line-${i + 1}`,
      code: raw.code,
      inputJson,
      inputError,
      timeoutMs: clampLimit(raw.timeout, TIMEOUT_S) * 1000,
      memoryMb: clampLimit(raw.memoryLimit, MEMORY_MB),
      hasExpect: Object.prototype.hasOwnProperty.call(raw, 'expect'),
      expect: raw.expect,
    });
  }
  return jobs;
}

function jsonEqual(a, b) {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
}

// ---------------------------------------------------------------------------
// Code shared by every peer and evaluated inside each fresh sandbox.

// Consumes the two globals the host planted (__emit, __inputJson), defines
// `input` and a console whose methods format arguments inside the sandbox
// and hand the host a level and a string only.
const BOOTSTRAP = `(function () {
  'use strict';
  var g = globalThis, emit = g.__emit, json = g.__inputJson;
  delete g.__emit; delete g.__inputJson;
  var stringify = JSON.stringify, join = Array.prototype.join, ErrorCtor = Error;
  function fmt(v) {
    if (typeof v === 'string') return v;
    if (v instanceof ErrorCtor) return String(v);
    try { var s = stringify(v); return s === undefined ? String(v) : s; } catch (e) { return String(v); }
  }
  function level(name) {
    return function () {
      var parts = [];
      for (var i = 0; i < arguments.length; i++) parts.push(fmt(arguments[i]));
      emit(name, join.call(parts, ' '));
    };
  }
  g.console = { log: level('log'), info: level('info'), warn: level('warn'), error: level('error'), debug: level('debug') };
  g.input = JSON.parse(json);
})();`;

// Evaluated after the job with the job's remaining time budget; the host
// parses the resulting text, so the output crosses the boundary as JSON.
const READ_OUTPUT = 'JSON.stringify(globalThis.output)';

function makeLogSink() {
  const logs = [];
  let bytes = 0;
  let dropped = 0;
  return {
    logs,
    emit(levelName, line) {
      const text = `[${String(levelName)}] ${String(line)}`;
      if (logs.length >= MAX_LOG_LINES || bytes + text.length > MAX_LOG_BYTES) { dropped++; return; }
      bytes += text.length;
      logs.push(text);
    },
    finish() { if (dropped) logs.push(`[harness] ${dropped} log lines dropped`); return logs; },
  };
}

// Reads name/message of whatever the job threw without trusting it. Only
// isolated-vm copies errors out; for vm and vm2 this touches sandbox objects
// from the host, which is one more reason those two are not boundaries.
function describeError(e) {
  try {
    if (e !== null && (typeof e === 'object' || typeof e === 'function')) {
      const name = e.name;
      const msg = e.message;
      const text = typeof msg === 'string' ? (typeof name === 'string' && name ? `${name}: ${msg}` : msg) : '(non-Error value thrown)';
      return text.slice(0, 300);
    }
    return `thrown: ${String(e)}`.slice(0, 300);
  } catch (_) {
    return '(unreadable error)';
  }
}

// Node's vm (and vm2 on top of it) creates its timeout error inside the
// context's realm, where a job could forge one, so the error code only counts
// when the clock agrees that the job's budget is spent.
function isVmTimeout(e, deadline) {
  try {
    return e !== null && typeof e === 'object' && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT' && performance.now() >= deadline;
  } catch (_) {
    return false;
  }
}

function remaining(deadline) {
  return Math.max(1, Math.ceil(deadline - performance.now()));
}

// ---------------------------------------------------------------------------
// Peers. Each `runJob(job, code)` creates a fresh sandbox, runs the job and
// tears the sandbox down, returning { errorType, message, outputJson, logs }.

function makeVmPeer() {
  const vm = require('vm');
  const bootstrap = new vm.Script(BOOTSTRAP, { filename: 'bootstrap.js' });
  const readOutput = new vm.Script(READ_OUTPUT, { filename: 'output.js' });
  return {
    name: 'vm',
    runJob(job, code) {
      const sink = makeLogSink();
      // afterEvaluate: promise callbacks run inside the timed evaluation (as
      // in isolated-vm) instead of on the host's queue after it.
      const ctx = vm.createContext({ __emit: sink.emit, __inputJson: job.inputJson }, { microtaskMode: 'afterEvaluate' });
      bootstrap.runInContext(ctx);
      let script;
      try {
        script = new vm.Script(code, { filename: 'job.js' });
      } catch (e) {
        return { errorType: 'SYNTAX_ERROR', message: describeError(e), logs: sink.finish() };
      }
      const deadline = performance.now() + job.timeoutMs;
      let outputJson;
      try {
        script.runInContext(ctx, { timeout: remaining(deadline) });
        outputJson = readOutput.runInContext(ctx, { timeout: remaining(deadline) });
      } catch (e) {
        return { errorType: isVmTimeout(e, deadline) ? 'TIMEOUT' : 'RUNTIME_ERROR', message: describeError(e), logs: sink.finish() };
      }
      return { outputJson, logs: sink.finish() };
    },
  };
}

function makeVm2Peer() {
  const { VM, VMScript } = require('vm2');
  const bootstrap = new VMScript(BOOTSTRAP, 'bootstrap.js').compile();
  const readOutput = new VMScript(READ_OUTPUT, 'output.js').compile();
  return {
    name: 'vm2',
    runJob(job, code) {
      const sink = makeLogSink();
      const sandbox = new VM({ timeout: job.timeoutMs, sandbox: { __emit: sink.emit, __inputJson: job.inputJson } });
      sandbox.run(bootstrap);
      let script;
      try {
        script = new VMScript(code, 'job.js').compile();
      } catch (e) {
        return { errorType: 'SYNTAX_ERROR', message: describeError(e), logs: sink.finish() };
      }
      const deadline = performance.now() + job.timeoutMs;
      let outputJson;
      try {
        sandbox.run(script);
        // vm2 fixes the timeout when the VM is created and applies it to each
        // run(): the output read gets a fresh budget (matters only for a
        // hostile toJSON).
        outputJson = sandbox.run(readOutput);
      } catch (e) {
        return { errorType: isVmTimeout(e, deadline) ? 'TIMEOUT' : 'RUNTIME_ERROR', message: describeError(e), logs: sink.finish() };
      }
      return { outputJson, logs: sink.finish() };
    },
  };
}

function makeIsolatedVmPeer() {
  const ivm = require('isolated-vm');
  return {
    name: 'isolated-vm',
    runJob(job, code) {
      const sink = makeLogSink();
      const isolate = new ivm.Isolate({ memoryLimit: job.memoryMb });
      try {
        const context = isolate.createContextSync();
        const jail = context.global;
        jail.setSync('__emit', new ivm.Callback(sink.emit));
        jail.setSync('__inputJson', job.inputJson);
        context.evalSync(BOOTSTRAP, { filename: 'bootstrap.js' });
        let script;
        try {
          script = isolate.compileScriptSync(code, { filename: 'job.js' });
        } catch (e) {
          return { errorType: 'SYNTAX_ERROR', message: describeError(e), logs: sink.finish() };
        }
        const deadline = performance.now() + job.timeoutMs;
        let outputJson;
        try {
          script.runSync(context, { timeout: remaining(deadline) });
          outputJson = context.evalSync(READ_OUTPUT, { timeout: remaining(deadline), filename: 'output.js' });
        } catch (e) {
          // Classified by the isolate's state and the clock: the message alone
          // proves nothing, a job can throw any text it likes.
          let errorType = 'RUNTIME_ERROR';
          if (isolate.isDisposed) errorType = 'MEMORY_LIMIT';
          else if (performance.now() >= deadline && e instanceof Error && /timed out/.test(e.message)) errorType = 'TIMEOUT';
          return { errorType, message: describeError(e), logs: sink.finish() };
        }
        return { outputJson, logs: sink.finish() };
      } finally {
        if (!isolate.isDisposed) isolate.dispose();
      }
    },
  };
}

const PEER_FACTORIES = { vm: makeVmPeer, vm2: makeVm2Peer, 'isolated-vm': makeIsolatedVmPeer };

// ---------------------------------------------------------------------------
// Running and reporting

function runOne(peer, job, code) {
  if (job.inputError) return { errorType: 'RUNTIME_ERROR', message: job.inputError, logs: [] };
  let res;
  try {
    res = peer.runJob(job, code);
  } catch (e) {
    // A failure outside the job's own compile/run steps (sandbox creation,
    // bootstrap): report it rather than abort the whole benchmark.
    return { errorType: 'HARNESS_ERROR', message: describeError(e), logs: [] };
  }
  if (res.errorType) return res;
  let output;
  if (res.outputJson !== undefined) {
    if (typeof res.outputJson !== 'string') return { errorType: 'RUNTIME_ERROR', message: 'output did not serialize to JSON text', logs: res.logs };
    try { output = JSON.parse(res.outputJson); } catch (e) {
      return { errorType: 'RUNTIME_ERROR', message: `output is not valid JSON: ${e.message}`, logs: res.logs };
    }
  }
  if (job.hasExpect && !jsonEqual(output, job.expect)) {
    const got = res.outputJson === undefined ? 'undefined' : res.outputJson.slice(0, 120);
    return { errorType: 'OUTPUT_MISMATCH', message: `got ${got}`, logs: res.logs };
  }
  return { output, logs: res.logs };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

const round = (x, digits) => Number(x.toFixed(digits));

async function benchmarkPeer(peerName, jobs, opts) {
  const peer = PEER_FACTORIES[peerName]();
  let seq = 0;
  const codeFor = (job) => (opts.uniqueCode ? `${job.code}\n// run ${process.pid}.${seq++}\n` : job.code);

  for (let i = 0; i < opts.warmup && jobs.length > 0; i++) {
    const job = jobs[i % jobs.length];
    runOne(peer, job, codeFor(job));
    await null;
  }

  const latencies = [];
  const failures = [];
  const errorTypes = {};
  let passed = 0;
  const start = performance.now();
  for (let r = 0; r < opts.repeat; r++) {
    for (const job of jobs) {
      const code = codeFor(job);
      const t0 = performance.now();
      const res = runOne(peer, job, code);
      latencies.push(performance.now() - t0);
      // Let promise callbacks a job left on the host's queue (vm2) run now,
      // not pile up behind the whole benchmark.
      await null;
      if (!res.errorType) { passed++; continue; }
      errorTypes[res.errorType] = (errorTypes[res.errorType] || 0) + 1;
      if (failures.length < MAX_REPORTED_FAILURES) {
        failures.push({ jobId: job.jobId, run: r, errorType: res.errorType, message: res.message, logs: res.logs.slice(0, 5) });
      }
    }
  }
  const wallMs = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const count = latencies.length;
  return {
    count,
    passed,
    failed: count - passed,
    jobsPerSec: count > 0 ? round(count / (wallMs / 1000), 1) : 0,
    p50Ms: round(percentile(latencies, 50), 3),
    p90Ms: round(percentile(latencies, 90), 3),
    p99Ms: round(percentile(latencies, 99), 3),
    maxMs: round(latencies.length ? latencies[latencies.length - 1] : 0, 3),
    errorTypes,
    failures,
  };
}

// Each peer of `--peer all` runs in its own child process so garbage, JIT
// state and a possible crash of one peer do not bleed into the next.
function runPeerInChild(peerName, opts) {
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'peers-')), 'report.json');
  const args = [__filename, '--peer', peerName, '--jobs', opts.jobs, '--repeat', String(opts.repeat),
    '--warmup', String(opts.warmup), '--json', tmp, '--quiet-table'];
  if (Number.isFinite(opts.limit)) args.push('--limit', String(opts.limit));
  if (opts.uniqueCode) args.push('--unique-code');
  const child = spawnSync(process.execPath, process.execArgv.concat(args), { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    if (child.status !== 0) {
      const why = child.signal ? `signal ${child.signal}` : `exit status ${child.status}`;
      return { crashed: `peer process ended with ${why}` };
    }
    return JSON.parse(fs.readFileSync(tmp, 'utf8'))[peerName];
  } finally {
    fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  }
}

function printTable(report, opts, jobCount) {
  const header = ['peer', 'jobs', 'passed', 'failed', 'jobs/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'];
  const rows = [];
  for (const [name, r] of Object.entries(report)) {
    if (r.crashed) { rows.push([name, '-', '-', '-', '-', '-', '-', '-', '-']); continue; }
    rows.push([name, r.count, r.passed, r.failed, r.jobsPerSec.toFixed(1), r.p50Ms.toFixed(2),
      r.p90Ms.toFixed(2), r.p99Ms.toFixed(2), r.maxMs.toFixed(2)].map(String));
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const fmtRow = (row) => row.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  const out = [];
  out.push(`jobs: ${opts.jobs} (${jobCount} jobs x ${opts.repeat} runs${opts.uniqueCode ? ', unique code' : ''}, warmup ${opts.warmup}), node ${process.version}`);
  out.push(fmtRow(header));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) out.push(fmtRow(row));
  for (const [name, r] of Object.entries(report)) {
    if (r.crashed) { out.push('', `${name}: ${r.crashed} (no memory limit in this peer: a job that exhausts the heap takes the host down)`); continue; }
    if (r.failures.length === 0) continue;
    const types = Object.entries(r.errorTypes).map(([t, n]) => `${t} ${n}`).join(', ');
    out.push('', `${name} failures (${types}):`);
    for (const f of r.failures.slice(0, 5)) out.push(`  ${f.jobId}${opts.repeat > 1 ? ` (run ${f.run})` : ''}: ${f.errorType}: ${f.message}`);
    if (r.failed > 5) out.push(`  ... ${r.failed - 5} more`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

async function main() {
  const argv = process.argv.slice(2);
  const quietIdx = argv.indexOf('--quiet-table'); // internal: used by `--peer all`
  if (quietIdx >= 0) argv.splice(quietIdx, 1);
  const opts = parseArgs(argv);
  const jobs = loadJobs(opts.jobs, opts.limit);

  const report = {};
  if (opts.peer === 'all') {
    for (const p of PEERS) report[p] = runPeerInChild(p, opts);
  } else {
    report[opts.peer] = await benchmarkPeer(opts.peer, jobs, opts);
  }
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(report, null, 2) + '\n');
  if (quietIdx < 0) printTable(report, opts, jobs.length);
}

main().catch((e) => {
  process.stderr.write(`run.js: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});

// End-to-end tests of @codeworker/client against a real Kafka broker and a
// running codeworker worker; test/run.sh starts both and passes the topics in
// CW_BROKERS, CW_JOBS_TOPIC and CW_RESULTS_TOPIC. The mapping tests at the end
// need no broker: they check the client's view of the schema examples.

import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';

import { Kafka, Partitioners, logLevel } from 'kafkajs';

import {
  CodeworkerAbortedError,
  CodeworkerClient,
  CodeworkerClosedError,
  CodeworkerError,
  CodeworkerTimeoutError,
  toExecuteCodeResult,
  type ExecuteCodeResult,
  type JobResult,
} from '../src/index';

const brokers = (process.env['CW_BROKERS'] ?? '127.0.0.1:9092').split(',');
const jobsTopic = process.env['CW_JOBS_TOPIC'];
const resultsTopic = process.env['CW_RESULTS_TOPIC'];
const cancelTopic = process.env['CW_CANCEL_TOPIC'];
// dist/test/ -> the repository's schemas/examples/
const examplesDir = path.resolve(__dirname, '..', '..', '..', '..', '..', 'schemas', 'examples');

function topics(): { jobsTopic: string; resultsTopic: string } {
  if (!jobsTopic || !resultsTopic) {
    throw new Error('CW_JOBS_TOPIC and CW_RESULTS_TOPIC must name a running worker\'s topics (test/run.sh sets them)');
  }
  return { jobsTopic, resultsTopic };
}

let client: CodeworkerClient;

before(async () => {
  client = new CodeworkerClient({ brokers, ...topics(), ...(cancelTopic ? { cancelTopic } : {}), clientId: 'codeworker-client-test' });
  await client.connect();
});

after(async () => {
  await client?.close();
});

test('sum and average of the input', async () => {
  const r = await client.execute(
    {
      code:
        'var sum = 0;\n' +
        'for (var i = 0; i < input.values.length; i++) sum += input.values[i];\n' +
        'output = { sum: sum, average: sum / input.values.length };',
      inputData: { values: [1, 2, 3, 4, 5] },
      timeout: 10,
      memoryLimit: 64,
    },
    { waitMs: 30_000 },
  );
  assert.equal(r.success, true);
  assert.deepEqual(r.output, { sum: 15, average: 3 });
  assert.equal(r.error, undefined);
  assert.equal(r.errorType, undefined);
  assert.equal(typeof r.executionTimeMs, 'number');
  assert.equal(r.raw.resultCode, 'SUCCESS');
  assert.equal(r.raw.jobId, r.jobId);
  assert.equal(r.raw.timeout, 10);
  assert.equal(r.raw.memoryLimit, 64);
});

test('inputData as a JSON string, as MemberJunction passes it', async () => {
  const r = await client.execute({ code: 'output = input.values.length', inputData: '{"values":[1,2,3]}' });
  assert.equal(r.success, true);
  assert.equal(r.output, 3);
});

test('a syntax error is success false with errorType SYNTAX_ERROR', async () => {
  const r = await client.execute({ code: 'var x = ;' });
  assert.equal(r.success, false);
  assert.equal(r.errorType, 'SYNTAX_ERROR');
  assert.equal(r.output, undefined);
  assert.match(r.error ?? '', /^SyntaxError: /);
  assert.equal(r.raw.resultCode, 'SYNTAX_ERROR');
  assert.equal(r.raw.output, null);
});

test('a runtime error keeps the logs printed before it and names the line', async () => {
  const r = await client.execute({ code: 'console.log("before");\nvar o = null;\no.x = 1;' });
  assert.equal(r.success, false);
  assert.equal(r.errorType, 'RUNTIME_ERROR');
  assert.match(r.error ?? '', /^TypeError: .*line 3/);
  assert.deepEqual(r.logs, ['[LOG] before']);
});

test('logs are returned, MemberJunction-formatted and raw', async () => {
  const r = await client.execute({
    code:
      'console.log("rows", input.rows.length);\n' +
      'console.info({ a: 1 });\n' +
      'console.warn("careful");\n' +
      'console.error("bad", 42);\n' +
      'output = "done";',
    inputData: { rows: [1, 2] },
  });
  assert.equal(r.success, true);
  assert.equal(r.output, 'done');
  assert.deepEqual(r.logs, ['[LOG] rows 2', '[INFO] {"a":1}', '[WARN] careful', '[ERROR] bad 42']);
  assert.deepEqual(
    r.raw.logs.map((e) => e.level),
    ['log', 'info', 'warn', 'error'],
  );
  assert.equal(r.raw.logsTruncated, false);
  for (const e of r.raw.logs) assert.equal(typeof e.elapsedMs, 'number');
});

test('50 concurrent executes all resolve with their own outputs', async () => {
  const n = 50;
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      client.execute({ code: 'output = { i: input.i, square: input.i * input.i }', inputData: { i } }, { waitMs: 60_000 }),
    ),
  );
  const elapsed = Date.now() - started;
  assert.equal(results.length, n);
  results.forEach((r, i) => {
    assert.equal(r.success, true, `job ${i}: ${r.error ?? ''}`);
    assert.deepEqual(r.output, { i, square: i * i });
  });
  assert.equal(new Set(results.map((r) => r.jobId)).size, n);
  assert.equal(client.inFlight, 0);
  console.log(`timing: 50 concurrent executes answered in ${elapsed} ms`);
});

test('the wait timeout rejects with CodeworkerTimeoutError; the client keeps working', async () => {
  const jobId = `busy-${randomUUID()}`;
  const started = Date.now();
  await assert.rejects(
    client.execute({ jobId, code: 'var n = 0; while (true) { n++; }', timeout: 2 }, { waitMs: 500 }),
    (error: unknown) => {
      assert.ok(error instanceof CodeworkerTimeoutError);
      assert.ok(error instanceof CodeworkerError);
      assert.equal(error.jobId, jobId);
      assert.equal(error.waitMs, 500);
      return true;
    },
  );
  const waited = Date.now() - started;
  assert.ok(waited >= 450 && waited < 5_000, `rejected after ${waited} ms`);
  assert.equal(client.inFlight, 0);
  // The busy job still runs to its own 2 s timeout; its late result must be
  // ignored, and other calls must go on being answered meanwhile.
  const r = await client.execute({ code: 'output = 7 * 6' });
  assert.equal(r.output, 42);
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const r2 = await client.execute({ code: 'output = "still fine"' });
  assert.equal(r2.output, 'still fine');
});

test('a job that exceeds its own timeout resolves with errorType TIMEOUT', async () => {
  const r = await client.execute({ code: 'console.log("start"); while (true) {}', timeout: 1 }, { waitMs: 30_000 });
  assert.equal(r.success, false);
  assert.equal(r.errorType, 'TIMEOUT');
  assert.equal(r.raw.timeout, 1);
});

test('a given jobId is used, echoed, and cannot be in flight twice', async () => {
  const jobId = `mine-${randomUUID()}`;
  const first = client.execute({ jobId, code: 'output = 1' });
  await assert.rejects(client.execute({ jobId, code: 'output = 2' }), CodeworkerError);
  const r = await first;
  assert.equal(r.jobId, jobId);
  assert.equal(r.raw.jobId, jobId);
  assert.equal(r.output, 1);
});

test('audit fields are copied into the result', async () => {
  const actionId = randomUUID();
  const userId = randomUUID();
  const r = await client.execute({
    code: 'output = true',
    actionId,
    userId,
    agentRunId: 'run-42',
    context: { tenant: 'acme', step: 3 },
  });
  assert.equal(r.raw.actionId, actionId);
  assert.equal(r.raw.userId, userId);
  assert.equal(r.raw.agentRunId, 'run-42');
  assert.deepEqual(r.raw.context, { tenant: 'acme', step: 3 });
  assert.equal(r.raw.actionExecutionLog?.ActionID, actionId);
  assert.equal(r.raw.actionExecutionLog?.UserID, userId);
});

test('trace context: the traceparent option reaches the audit row; a bad one is refused', async () => {
  const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const r = await client.execute({ code: 'output = 1' }, { traceparent: tp, tracestate: 'rojo=1' });
  assert.equal(r.raw.actionExecutionLog?.TraceParent, tp);
  assert.equal(r.raw.actionExecutionLog?.TraceState, 'rojo=1');
  const f = await client.execute({ code: 'output = 2', traceparent: tp });
  assert.equal(f.raw.actionExecutionLog?.TraceParent, tp);
  assert.equal(f.raw.actionExecutionLog?.TraceState, null);
  await assert.rejects(client.execute({ code: 'output = 3' }, { traceparent: '00-nope' }), CodeworkerError);
});

test('cancel() stops a running job: its execute() resolves CANCELLED with the logs so far', async () => {
  const jobId = `cancel-${randomUUID()}`;
  const pending = client.execute({ jobId, code: "console.log('working'); while (true) {}", timeout: 60 });
  await new Promise((r) => setTimeout(r, 1500));
  await client.cancel(jobId, 'the user left');
  const r = await pending;
  assert.equal(r.success, false);
  assert.equal(r.raw.resultCode, 'CANCELLED');
  assert.equal(r.raw.actionExecutionLog?.Message, 'Execution cancelled: the user left');
  assert.ok(r.raw.executionTimeMs < 30_000);
  await assert.rejects(client.cancel(''), TypeError);
});

test('results for unknown jobIds and unreadable records are ignored', async () => {
  const kafka = new Kafka({ brokers, clientId: 'codeworker-client-test-intruder', logLevel: logLevel.ERROR });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const pending = client.execute({ code: 'output = "mine"' });
    const stranger = { ...toExecuteCodeResult(example('result-success.json')).raw, jobId: `stranger-${randomUUID()}` };
    await producer.send({
      topic: topics().resultsTopic,
      messages: [
        { key: stranger.jobId, value: JSON.stringify(stranger) },
        { key: 'garbage', value: 'not json {' },
        { key: 'no-id', value: JSON.stringify({ hello: 'world' }) },
        { key: 'null', value: null },
      ],
    });
    const r = await pending;
    assert.equal(r.output, 'mine');
  } finally {
    await producer.disconnect();
  }
});

test('an aborted wait rejects with CodeworkerAbortedError', async () => {
  const controller = new AbortController();
  const p = client.execute({ code: 'while (true) {}', timeout: 1 }, { signal: controller.signal });
  controller.abort();
  await assert.rejects(p, CodeworkerAbortedError);
  assert.equal(client.inFlight, 0);
});

test('two clients on the same topics each get their own results; close rejects waiters', async () => {
  const second = new CodeworkerClient({ brokers, ...topics(), clientId: 'codeworker-client-test-2' });
  await second.connect();
  assert.notEqual(second.groupId, client.groupId);
  const [a, b] = await Promise.all([
    client.execute({ code: 'output = "a"' }),
    second.execute({ code: 'output = "b"' }),
  ]);
  assert.equal(a.output, 'a');
  assert.equal(b.output, 'b');

  const waiting = assert.rejects(
    second.execute({ code: 'while (true) {}', timeout: 1 }, { waitMs: 30_000 }),
    CodeworkerClosedError,
  );
  await second.close();
  await waiting;
  await assert.rejects(second.execute({ code: 'output = 1' }), CodeworkerClosedError);
  await second.close();
});

test('connect() fails with a clear error when the topics do not exist', async () => {
  const lost = new CodeworkerClient({
    brokers,
    jobsTopic: `missing-${randomUUID()}`,
    resultsTopic: `missing-${randomUUID()}`,
    topicWaitMs: 500,
  });
  await assert.rejects(lost.connect(), (error: unknown) => {
    assert.ok(error instanceof CodeworkerError);
    assert.match(error.message, /do not exist/);
    return true;
  });
  await assert.rejects(lost.execute({ code: 'output = 1' }), CodeworkerClosedError);
});

function example(name: string): JobResult {
  return JSON.parse(readFileSync(path.join(examplesDir, name), 'utf8')) as JobResult;
}

test('every valid result example maps to the MemberJunction shape', () => {
  const names = readdirSync(examplesDir).filter((n) => n.startsWith('result-') && !n.endsWith('.invalid.json'));
  assert.ok(names.length >= 5, `found ${names.length} examples in ${examplesDir}`);
  for (const name of names) {
    const raw = example(name);
    const r: ExecuteCodeResult = toExecuteCodeResult(raw);
    assert.equal(r.success, raw.success, name);
    assert.equal(r.raw, raw, name);
    assert.equal(r.logs.length, raw.logs.length, name);
    if (raw.success) {
      assert.deepEqual(r.output, raw.output, name);
      assert.equal(r.error, undefined, name);
      assert.equal(r.errorType, undefined, name);
    } else {
      assert.equal(r.output, undefined, name);
      assert.equal(r.errorType, raw.resultCode, name);
      assert.ok(r.error && r.error.includes(raw.error?.message ?? '\u0000'), name);
    }
  }
  const failed = toExecuteCodeResult(example('result-runtime-error.json'));
  assert.equal(failed.error, "TypeError: cannot read property 'length' of undefined (line 4)");
  assert.deepEqual(failed.logs.slice(0, 1), ['[WARN] rows 2']);
});

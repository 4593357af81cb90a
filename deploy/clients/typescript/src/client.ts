// CodeworkerClient: publishes execute-code jobs to codeworker's jobs topic and
// resolves each call with its result from the results topic. One idempotent
// producer and one read_committed results consumer per client are shared by
// every concurrent execute(); results are matched to callers by jobId.
//
// No result can be missed: connect() reads the results topic's end offsets
// before anything is produced, and the consumer (in a group of its own, so it
// is assigned every partition) seeks to them on joining, before its first
// fetch. It tracks its position per partition in memory and seeks back to it
// after any rebalance, so nothing is skipped or read twice.

import { randomUUID } from 'node:crypto';
import {
  Kafka,
  Partitioners,
  logLevel,
  type Consumer,
  type KafkaConfig,
  type Producer,
} from 'kafkajs';

import { CodeworkerAbortedError, CodeworkerClosedError, CodeworkerError, CodeworkerTimeoutError } from './errors';
import type { ExecuteCodeResult, ExecuteRequest, JobResult, ResultError } from './types';

/** Options of a CodeworkerClient. */
export interface CodeworkerClientOptions {
  /** Bootstrap brokers, "host:port". */
  brokers: string[];
  /** Where jobs go; the worker's --jobs-topic. Default "execute-code.jobs". */
  jobsTopic?: string;
  /** Where results come from; the worker's --results-topic. Default "execute-code.results". */
  resultsTopic?: string;
  /** Where cancel() publishes; the worker's --cancel-topic. Default "execute-code.cancel". */
  cancelTopic?: string;
  /** Kafka client id. Default "codeworker-client". */
  clientId?: string;
  /**
   * Prefix of this instance's results consumer group; a random UUID is
   * appended, because every instance must be assigned every results
   * partition. Default "<clientId>.results".
   */
  groupPrefix?: string;
  /** Wait used by execute() when the call gives none. Default 60,000 ms. */
  defaultWaitMs?: number;
  /** How long connect() waits for the jobs and results topics to exist. Default 30,000 ms. */
  topicWaitMs?: number;
  /**
   * Anything else kafkajs takes (ssl, sasl, connectionTimeout, retry,
   * logLevel, logCreator…). logLevel defaults to ERROR.
   */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
}

/** Options of one execute() call. */
export interface ExecuteOptions {
  /** How long to wait for the result, from the call; default: the client's defaultWaitMs. */
  waitMs?: number | undefined;
  /** Cancels the wait (not the job) with a CodeworkerAbortedError. */
  signal?: AbortSignal | undefined;
  /**
   * The W3C trace context of the caller's span, sent as the job message's
   * `traceparent` header (and `tracestate` with it): the worker copies them
   * to the result's headers and ActionExecutionLog.TraceParent/TraceState.
   */
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

/** W3C Trace Context, as the worker checks it (common/cw_trace.h). */
const TRACEPARENT = /^(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}(-[!-~]*)?$/;
function isTraceparent(tp: string): boolean {
  return TRACEPARENT.test(tp) && tp.length <= 256 && (tp.length === 55 || !tp.startsWith('00'));
}
const TRACESTATE = /^[ -~]{1,512}$/;

interface Pending {
  resolve: (result: ExecuteCodeResult) => void;
  reject: (error: Error) => void;
}

type State = 'new' | 'connecting' | 'connected' | 'closing' | 'closed';

const DEFAULT_JOBS_TOPIC = 'execute-code.jobs';
const DEFAULT_RESULTS_TOPIC = 'execute-code.results';
const DEFAULT_CANCEL_TOPIC = 'execute-code.cancel';
const DEFAULT_CLIENT_ID = 'codeworker-client';

/** Submits jobs to codeworker over Kafka and awaits their results. */
export class CodeworkerClient {
  readonly jobsTopic: string;
  readonly resultsTopic: string;
  readonly cancelTopic: string;
  /** This instance's results consumer group. */
  readonly groupId: string;

  private readonly kafka: Kafka;
  private readonly defaultWaitMs: number;
  private readonly topicWaitMs: number;
  private readonly pending = new Map<string, Pending>();
  /** Produce requests not yet acknowledged; close() lets them finish. */
  private readonly sends = new Set<Promise<unknown>>();
  /** Next offset to read, per results partition. */
  private readonly positions = new Map<number, string>();
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private state: State = 'new';
  private failure: Error | undefined;

  constructor(options: CodeworkerClientOptions) {
    if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
      throw new TypeError('brokers must be a non-empty array of "host:port"');
    }
    const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
    this.jobsTopic = options.jobsTopic ?? DEFAULT_JOBS_TOPIC;
    this.resultsTopic = options.resultsTopic ?? DEFAULT_RESULTS_TOPIC;
    this.cancelTopic = options.cancelTopic ?? DEFAULT_CANCEL_TOPIC;
    this.groupId = `${options.groupPrefix ?? `${clientId}.results`}.${randomUUID()}`;
    this.defaultWaitMs = checkMs('defaultWaitMs', options.defaultWaitMs ?? 60_000);
    this.topicWaitMs = checkMs('topicWaitMs', options.topicWaitMs ?? 30_000);
    this.kafka = new Kafka({
      logLevel: logLevel.ERROR,
      ...options.kafka,
      brokers: options.brokers,
      clientId,
    });
  }

  /** Number of execute() calls waiting for their result. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Waits for both topics, positions this instance's results consumer at the
   * current end of the results topic, starts it, and connects the producer.
   * Call once, before execute().
   */
  async connect(): Promise<void> {
    if (this.state !== 'new') {
      throw new CodeworkerError(`connect() called on a client that is ${this.state}`);
    }
    this.state = 'connecting';
    try {
      await this.startConsumer();
      this.assertConnecting();
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      this.producer = producer;
      await producer.connect();
      this.assertConnecting();
    } catch (error) {
      await this.shutdown();
      if (this.state === 'connecting') this.state = 'closed';
      throw error;
    }
    this.state = 'connected';
  }

  /**
   * Publishes one job and resolves with its result, success or not. Rejects
   * with CodeworkerTimeoutError when no result arrives within waitMs — the
   * job may still run — and with CodeworkerError when publishing fails.
   */
  execute(request: ExecuteRequest, options: ExecuteOptions = {}): Promise<ExecuteCodeResult> {
    if (this.failure !== undefined) {
      return Promise.reject(this.failure);
    }
    if (this.state !== 'connected' || this.producer === undefined) {
      return Promise.reject(new CodeworkerClosedError(`client is ${this.state}, not connected`));
    }
    if (typeof request.code !== 'string') {
      return Promise.reject(new TypeError('code must be a string'));
    }
    const jobId = request.jobId ?? randomUUID();
    if (typeof jobId !== 'string' || jobId.length === 0) {
      return Promise.reject(new TypeError('jobId must be a non-empty string'));
    }
    if (this.pending.has(jobId)) {
      return Promise.reject(new CodeworkerError(`job ${jobId} is already waiting for its result`));
    }
    let waitMs: number;
    try {
      waitMs = checkMs('waitMs', options.waitMs ?? this.defaultWaitMs);
    } catch (error) {
      return Promise.reject(error);
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.traceparent !== undefined) {
      if (!isTraceparent(options.traceparent)) {
        return Promise.reject(new CodeworkerError(`traceparent ${JSON.stringify(options.traceparent)} is not a W3C traceparent`));
      }
      headers['traceparent'] = options.traceparent;
      if (options.tracestate !== undefined) {
        if (!TRACESTATE.test(options.tracestate) || options.tracestate.split(',').length > 32) {
          return Promise.reject(new CodeworkerError(`tracestate ${JSON.stringify(options.tracestate)} is not a W3C tracestate`));
        }
        headers['tracestate'] = options.tracestate;
      }
    }
    const signal = options.signal;
    if (signal?.aborted) {
      return Promise.reject(new CodeworkerAbortedError(jobId, signal.reason));
    }
    const value = JSON.stringify({ ...request, jobId });
    const producer = this.producer;

    return new Promise<ExecuteCodeResult>((resolve, reject) => {
      const onAbort = (): void => settle(new CodeworkerAbortedError(jobId, signal?.reason));
      const timer = setTimeout(() => settle(new CodeworkerTimeoutError(jobId, waitMs)), waitMs);
      const settle = (outcome: ExecuteCodeResult | Error): void => {
        if (this.pending.get(jobId) !== entry) return;
        this.pending.delete(jobId);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const entry: Pending = { resolve: settle, reject: settle };
      this.pending.set(jobId, entry);
      signal?.addEventListener('abort', onAbort, { once: true });

      const send = producer
        .send({
          topic: this.jobsTopic,
          acks: -1,
          messages: [{ key: jobId, value, headers }],
        })
        .catch((error: unknown) => {
          const wrapped = new CodeworkerError(`publishing job ${jobId} failed: ${describe(error)}`, { cause: error });
          settle(wrapped);
        })
        .finally(() => this.sends.delete(send));
      this.sends.add(send);
    });
  }

  /**
   * Asks every worker to cancel the job `jobId` (the cancel topic, key =
   * jobId): a job not yet run is answered CANCELLED without running, a
   * running one is stopped and answered CANCELLED with its logs, a finished
   * or unknown one is left alone. Resolves once the broker has the record;
   * a pending execute() for the job then resolves with resultCode
   * CANCELLED (or with its result, if it finished first). `reason` (at most
   * 256 bytes) goes into the audit row's Message.
   */
  async cancel(jobId: string, reason?: string): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.state !== 'connected' || this.producer === undefined) {
      throw new CodeworkerClosedError(`client is ${this.state}, not connected`);
    }
    if (typeof jobId !== 'string' || jobId.length === 0 || Buffer.byteLength(jobId) > 256) {
      throw new TypeError('jobId must be a string of 1 to 256 bytes');
    }
    if (reason !== undefined && (typeof reason !== 'string' || Buffer.byteLength(reason) > 256)) {
      throw new TypeError('reason must be a string of at most 256 bytes');
    }
    const value = JSON.stringify({ jobId, ...(reason !== undefined ? { reason } : {}), requestedAt: new Date().toISOString() });
    try {
      await this.producer.send({
        topic: this.cancelTopic,
        acks: -1,
        messages: [{ key: jobId, value, headers: { 'content-type': 'application/json' } }],
      });
    } catch (error: unknown) {
      throw new CodeworkerError(`publishing the cancel of ${jobId} failed: ${describe(error)}`, { cause: error });
    }
  }

  /**
   * Rejects every waiting call with CodeworkerClosedError, lets jobs being
   * published finish publishing (up to 10 s), and stops the consumer and the
   * producer. Safe to call more than once. The consumer group commits no
   * offsets, so the broker drops it once it is empty.
   */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.state = 'closing';
    this.rejectAll(new CodeworkerClosedError('client closed'));
    if (this.sends.size > 0) {
      await withDeadline(Promise.allSettled([...this.sends]), 10_000, 'pending sends').catch(() => undefined);
    }
    await this.shutdown();
    this.state = 'closed';
  }

  private async startConsumer(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await this.waitForTopics(admin);
      // The end of the results topic before anything is produced: every
      // result for a job of this client lies at or after these offsets.
      for (const p of await admin.fetchTopicOffsets(this.resultsTopic)) {
        this.positions.set(p.partition, p.high);
      }
    } finally {
      await admin.disconnect();
    }

    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 1_000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) {
        this.failure = new CodeworkerError(`results consumer stopped: ${describe(event.payload.error)}`, {
          cause: event.payload.error,
        });
        this.rejectAll(this.failure);
      }
    });
    // GROUP_JOIN is emitted after every join and before the next fetch, so
    // seeking here positions each partition before anything is read from it:
    // at the end taken above, or past the last result read before a
    // rebalance. The group commits nothing; positions live in this process.
    let firstJoin: () => void = () => undefined;
    const joined = new Promise<void>((resolve) => (firstJoin = resolve));
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      for (const partition of event.payload.memberAssignment[this.resultsTopic] ?? []) {
        const offset = this.positions.get(partition);
        // A partition added after connect() has no position; fromBeginning
        // below makes it start at its first offset.
        if (offset !== undefined) consumer.seek({ topic: this.resultsTopic, partition, offset });
      }
      firstJoin();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.resultsTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        this.positions.set(partition, (BigInt(message.offset) + 1n).toString());
        if (message.value !== null) this.onResult(message.value);
      },
    });
    await withDeadline(joined, this.topicWaitMs, `results consumer did not join group ${this.groupId}`);
  }

  private assertConnecting(): void {
    // close() may run while connect() awaits; it then owns the shutdown.
    if ((this.state as State) !== 'connecting') {
      throw new CodeworkerClosedError('client closed while connecting');
    }
  }

  private async waitForTopics(admin: ReturnType<Kafka['admin']>): Promise<void> {
    const deadline = Date.now() + this.topicWaitMs;
    const wanted = [this.jobsTopic, this.resultsTopic];
    for (;;) {
      const existing = new Set(await admin.listTopics());
      const missing = wanted.filter((t) => !existing.has(t));
      if (missing.length === 0) {
        const metadata = await admin.fetchTopicMetadata({ topics: wanted });
        const leaderless = metadata.topics.some(
          (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
        );
        if (!leaderless) return;
      } else if (Date.now() >= deadline) {
        throw new CodeworkerError(
          `topic(s) ${missing.join(', ')} do not exist after ${this.topicWaitMs} ms; ` +
            'codeworker creates them at start-up unless --no-create-topics',
        );
      }
      if (Date.now() >= deadline) {
        throw new CodeworkerError(`topics ${wanted.join(', ')} have partitions without a leader`);
      }
      await sleep(250);
    }
  }

  private onResult(value: Buffer): void {
    if (this.pending.size === 0) return;
    let doc: unknown;
    try {
      doc = JSON.parse(value.toString('utf8'));
    } catch {
      return;
    }
    if (!isResult(doc)) return;
    const waiter = this.pending.get(doc.jobId as string);
    if (waiter !== undefined) waiter.resolve(toExecuteCodeResult(doc));
  }

  private rejectAll(error: Error): void {
    for (const waiter of [...this.pending.values()]) waiter.reject(error);
  }

  private async shutdown(): Promise<void> {
    const producer = this.producer;
    const consumer = this.consumer;
    this.producer = undefined;
    this.consumer = undefined;
    await Promise.allSettled([producer?.disconnect(), consumer?.disconnect()]);
  }
}

/**
 * Maps a result document to the shape MemberJunction's Execute Code action
 * reads (CodeExecutionResult), keeping the document in `raw`. Exported for
 * consumers that read results some other way (an audit sink, a replay).
 */
export function toExecuteCodeResult(raw: JobResult): ExecuteCodeResult {
  return {
    success: raw.success,
    output: raw.success ? raw.output : undefined,
    logs: (raw.logs ?? []).map((entry) => `[${entry.level.toUpperCase()}] ${entry.message}`),
    error: raw.error ? formatError(raw.error) : undefined,
    errorType: raw.errorType ?? undefined,
    executionTimeMs: raw.executionTimeMs,
    jobId: raw.jobId ?? '',
    raw,
  };
}

function formatError(error: ResultError): string {
  let text = error.name ? `${error.name}: ${error.message}` : error.message;
  if (error.line !== null && !/\bline \d+/.test(error.message)) text += ` (line ${error.line})`;
  return text;
}

function isResult(doc: unknown): doc is JobResult {
  if (typeof doc !== 'object' || doc === null) return false;
  const d = doc as Record<string, unknown>;
  return typeof d['jobId'] === 'string' && typeof d['success'] === 'boolean' && typeof d['resultCode'] === 'string';
}

function checkMs(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2_147_483_647) {
    throw new RangeError(`${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CodeworkerError(message)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

// The messages exchanged with codeworker, written by hand to mirror
// schemas/job.schema.json and schemas/result.schema.json at the repository
// root (those schemas, and the worker's parser behind them, are the
// authority), plus the MemberJunction-shaped result this client returns.
// Kept in one file so a schema change has exactly one place to land here.

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** How a job ended (result.schema.json `$defs/resultCode`). */
export type ResultCode =
  | 'SUCCESS'
  | 'SYNTAX_ERROR'
  | 'RUNTIME_ERROR'
  | 'TIMEOUT'
  | 'MEMORY_LIMIT'
  | 'OUTPUT_LIMIT'
  | 'SECURITY_ERROR'
  | 'INVALID_REQUEST'
  | 'WORKER_CRASHED'
  | 'EXPIRED'
  | 'CANCELLED';

/** Every result code except SUCCESS (result.schema.json `$defs/failureCode`). */
export type ErrorType = Exclude<ResultCode, 'SUCCESS'>;

/**
 * The execute-code job (job.schema.json). Field names are MemberJunction's.
 * `null` for an optional member means absent; unknown members are ignored by
 * the worker.
 */
export interface Job {
  /** 1–256 bytes of UTF-8, echoed in the result; results are keyed by it. */
  jobId: string;
  /** The script: reads the global `input`, assigns the global `output`. At most 1 MiB. */
  code: string;
  /** "javascript" (default) or "js", case-insensitive. */
  language?: string | null | undefined;
  /** Exposed as `input`; a string is parsed as JSON text (MemberJunction's convention). */
  inputData?: JsonValue | undefined;
  /** Seconds; default 30, clamped to 1–120. A numeric string is accepted. */
  timeout?: number | string | null | undefined;
  /** Megabytes of heap; default 128, clamped to 8–512. A numeric string is accepted. */
  memoryLimit?: number | string | null | undefined;
  /** Audit: ActionExecutionLog.ActionID. Copied into the result. */
  actionId?: string | null | undefined;
  /** Audit: ActionExecutionLog.UserID. Copied into the result. */
  userId?: string | null | undefined;
  /** Audit: the agent run. Copied into the result. */
  agentRunId?: string | null | undefined;
  /** Free-form audit context (≤ 64 KiB serialized), copied into the result. */
  context?: JsonValue | undefined;
  /** After this instant the job is not run (result EXPIRED): epoch ms or RFC 3339 with a zone. */
  expiresAt?: number | string | null | undefined;
  /** Result topic override, honoured only when it matches the worker's reply.topic.pattern. */
  replyTopic?: string | null | undefined;
  /**
   * Makes the job deterministic (an integer 0..2^53-1): Math.random and crypto
   * draw from it and the job's clock is logical, so the same job with the same
   * seed and clockStart gives the same result (README "Replay").
   */
  seed?: number | null | undefined;
  /** Where the job's Date.now() starts (Unix ms); `codeworker replay` passes the recorded start. */
  clockStart?: number | null | undefined;
  /** The job's local time zone, an IANA name such as "Europe/Berlin"; default UTC. */
  timeZone?: string | null | undefined;
  /**
   * W3C trace context for callers that cannot set Kafka headers; the
   * `traceparent` execute() option (a header) wins over it. Malformed is INVALID_REQUEST.
   */
  traceparent?: string | null | undefined;
  /** The tracestate that goes with traceparent. */
  tracestate?: string | null | undefined;
}

/** One console call (result.schema.json `$defs/logEntry`). */
export interface LogEntry {
  /** console.log/dir are "log", console.trace is "debug", a failed console.assert is "error". */
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
  /** Arguments joined by spaces; at most 8 KiB of UTF-8. */
  message: string;
  /** Milliseconds since the job started. */
  elapsedMs: number;
  /** Present, and true, only when the message was clipped. */
  truncated?: true;
}

/** What went wrong (result.schema.json `$defs/error`). */
export interface ResultError {
  /** TypeError, SyntaxError, TimeoutError, SecurityError…; null when a non-object was thrown. */
  name: string | null;
  message: string;
  /** Line in the job's own code, when known. */
  line: number | null;
  /** Column in the job's own code; null until source lowering maps columns. */
  column: number | null;
  stack: string | null;
}

/** The process that wrote a result (Kafka worker only). */
export interface ResultWorker {
  host: string;
  pid: number;
  version: string;
}

/** Where the job message was read (Kafka worker only). */
export interface ResultSource {
  topic: string;
  partition: number;
  offset: number;
}

/** A row for MemberJunction's ActionExecutionLog table, ready to insert (Kafka worker only). */
export interface ActionExecutionLogRow {
  ID: string;
  ActionID: string | null;
  UserID: string | null;
  StartedAt: string;
  EndedAt: string;
  /** JSON text: the job's inputs. */
  Params: string;
  /** Human-readable outcome; null on success. */
  Message: string | null;
  /** Not a MemberJunction column: the job's W3C traceparent, null when it had none (or an invalid one). */
  TraceParent?: string | null;
  /** Not a MemberJunction column: the tracestate that came with it. */
  TraceState?: string | null;
  /** JSON text: the inputs plus the outputs. */
  ResultParams: string;
  ResultCode: string;
  RetentionPeriod: number | null;
  EntityActionID: string | null;
  EntityActionInvocationTypeID: string | null;
  TargetEntityID: string | null;
  TargetRecordID: string | null;
}

/**
 * The result document (result.schema.json). `success` is true exactly when
 * `resultCode` is SUCCESS, exactly when `errorType` and `error` are null;
 * on failure `output` is null.
 */
export interface JobResult {
  /** null only for INVALID_REQUEST without a readable id, or an early WORKER_CRASHED. */
  jobId: string | null;
  success: boolean;
  resultCode: ResultCode;
  errorType: ErrorType | null;
  /** The JSON value of `output` (or of a top-level `return`); null on failure. */
  output: JsonValue;
  logs: LogEntry[];
  logsTruncated: boolean;
  /** Only on a result the supervisor wrote for a job whose executor it killed
   * or lost: true when `logs` were recovered from the executor's log region,
   * false when they could not be (then `logs` is empty). */
  logsRecovered?: boolean;
  error: ResultError | null;
  executionTimeMs: number;
  memoryPeakBytes: number;
  startedAt: string;
  endedAt: string;
  /** The limits actually enforced; null when the job was never parsed. */
  timeout: number | null;
  memoryLimit: number | null;
  /** One line per limit that was clamped or fell back to its default. */
  limitAdjustments: string[];
  actionId?: string;
  userId?: string;
  agentRunId?: string;
  context?: JsonValue;
  /** Kafka worker only: ms from consumption to an executor starting the job. */
  queueTimeMs?: number;
  /** Kafka worker only: which delivery produced the result (1 for the first). */
  attempt?: number;
  worker?: ResultWorker;
  source?: ResultSource;
  actionExecutionLog?: ActionExecutionLogRow;
}

/**
 * What `CodeworkerClient.execute` takes: a job whose `jobId` is optional
 * (a random UUID is used when it is absent).
 */
export type ExecuteRequest = Omit<Job, 'jobId'> & { jobId?: string | undefined };

/**
 * What `CodeworkerClient.execute` resolves to: the fields of MemberJunction's
 * CodeExecutionResult, which its Execute Code action maps, plus the whole
 * result document in `raw`.
 */
export interface ExecuteCodeResult {
  success: boolean;
  /** The value the code assigned to `output`; undefined on failure (as in MemberJunction). */
  output: JsonValue | undefined;
  /** Console lines as MemberJunction formats them: "[LOG] message", "[WARN] message"… */
  logs: string[];
  /** "Name: message" (plus the line when known); undefined on success. */
  error: string | undefined;
  /** undefined on success. */
  errorType: ErrorType | undefined;
  executionTimeMs: number;
  /** The job id the result answers. */
  jobId: string;
  /** The whole result document as the worker published it. */
  raw: JobResult;
}

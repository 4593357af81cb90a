// Public surface of @codeworker/client: the client, its typed errors, and the
// job/result types that mirror the repository's JSON Schemas.

export { CodeworkerClient, toExecuteCodeResult } from './client';
export type { CodeworkerClientOptions, ExecuteOptions } from './client';
export { CodeworkerAbortedError, CodeworkerClosedError, CodeworkerError, CodeworkerTimeoutError } from './errors';
export type {
  ActionExecutionLogRow,
  ErrorType,
  ExecuteCodeResult,
  ExecuteRequest,
  Job,
  JobResult,
  JsonValue,
  LogEntry,
  ResultCode,
  ResultError,
  ResultSource,
  ResultWorker,
} from './types';

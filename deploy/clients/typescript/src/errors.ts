// Typed errors of the client, so callers can tell "the job is slow" from
// "the client is unusable" with instanceof instead of parsing messages.
// A job that *ran* and failed is not an error here: it resolves with
// success: false and an errorType.

/** Base class of every error this package throws. */
export class CodeworkerError extends Error {
  override name = 'CodeworkerError';
}

/**
 * No result arrived within `waitMs`. The job was published and may still run
 * (and its result still be published later, then ignored by this client);
 * set `expiresAt` on the job to stop a worker from starting it after the
 * caller has given up.
 */
export class CodeworkerTimeoutError extends CodeworkerError {
  override name = 'CodeworkerTimeoutError';
  readonly jobId: string;
  readonly waitMs: number;

  constructor(jobId: string, waitMs: number) {
    super(`no result for job ${jobId} within ${waitMs} ms (the job may still run)`);
    this.jobId = jobId;
    this.waitMs = waitMs;
  }
}

/** The client was closed (or never connected) while the call needed it. */
export class CodeworkerClosedError extends CodeworkerError {
  override name = 'CodeworkerClosedError';
}

/** The wait was cancelled through the caller's AbortSignal. */
export class CodeworkerAbortedError extends CodeworkerError {
  override name = 'CodeworkerAbortedError';
  readonly jobId: string;

  constructor(jobId: string, reason?: unknown) {
    super(`wait for job ${jobId} aborted${reason instanceof Error ? `: ${reason.message}` : ''}`);
    this.jobId = jobId;
  }
}

/*
 * cw_interrupt: stopping a native computation at the job's deadline.
 *
 * Why: Duktape reads the job's deadline between bytecode instructions and
 * in its allocator, never inside a C or Rust function it calls.  One such
 * function can run for longer than any job may: a backtracking regular
 * expression (`/^(a+)+\1$/` on 40 characters is 2^40 steps).  Until now
 * the supervisor's hard kill ended those, half a second late and with the
 * job's logs recovered from the log region at best.  Here the executor
 * itself stops the computation at the deadline, and the job ends as an
 * ordinary TIMEOUT from inside its heap, with its logs and on time.
 *
 * How: while a job runs, an interval timer (ITIMER_REAL) is armed to fire
 * SIGALRM at its deadline and every millisecond after.  A computation run
 * through cw_intr_call() is *interruptible*: if the signal lands while it
 * runs, the handler jumps (siglongjmp) back into cw_intr_call(), which
 * returns CW_INTR_STOPPED.  The computation's own frames are abandoned, not
 * unwound: whatever memory they held is never freed and whatever state they
 * were changing is never looked at again.  That is only sound because
 *   - an interruptible computation touches nothing that outlives it except
 *     memory (no locks, no descriptors, no Duktape heap), and its caller
 *     treats every object the computation could have changed as dead;
 *   - the handler never jumps while the thread is inside the allocator:
 *     the `busy` probe given to cw_intr_install() says so (for Rust code,
 *     cw_lower_alloc_busy()), and the handler then returns and the next
 *     tick, a millisecond later, tries again;
 *   - the executor retires after the job (a fresh process replaces it), so
 *     the abandoned memory is returned to the system with the process.
 * Outside an interruptible call the signal does nothing (the engine's own
 * checks see the deadline); SA_RESTART keeps it from failing system calls.
 *
 * State: the handler can reach only process-wide storage, so this file
 * keeps the one static block of the executor's signal state (installed,
 * active, the jump buffer).  The process is single-threaded; nothing else
 * in the code base is global.
 *
 * Cancellation (codeworker cancel): the supervisor sends SIGUSR1 to the
 * executor of a job that was cancelled while it ran.  The handler records
 * it and fires the deadline timer at once, so an interruptible computation
 * stops as at the deadline and the sandbox's deadline check, which reads
 * cw_intr_cancelled(), ends the job from inside its heap -- with its logs,
 * as CANCELLED.  The supervisor signals only a job that has sent START,
 * and the executor forgets any request when it reads the next JOB frame
 * (cw_intr_cancel_reset()), so a late request never reaches another job.
 *
 * Contract: cw_intr_install() once per process (before confinement; it
 * sets a signal handler); cw_intr_arm()/cw_intr_disarm() around a job;
 * cw_intr_call() for each interruptible computation (not nested: an inner
 * call runs plainly).  Without cw_intr_install() every call runs plainly
 * and arming is a no-op, so the sandbox behaves the same in processes that
 * never install it (unit tests, tools).
 */
#ifndef CW_INTERRUPT_H
#define CW_INTERRUPT_H

#include <stdint.h>

#include "cw_err.h"

/* Install the SIGALRM and SIGUSR1 (cancel) handlers.  `busy` (may be NULL) returns nonzero while
 * the thread is somewhere the handler must not jump out of. */
cw_err_t cw_intr_install(int (*busy)(void));

/* 1 when the supervisor asked the current job to stop (SIGUSR1). */
int cw_intr_cancelled(void);

/* Forget a cancel request: before each job is read. */
void cw_intr_cancel_reset(void);

/* Fire at `deadline_ns` (CLOCK_MONOTONIC) and every millisecond after;
 * CW_ERR_SYSTEM if the timer could not be set.  A no-op before install. */
cw_err_t cw_intr_arm(int64_t deadline_ns);

/* Stop the timer (and forget any stop).  A no-op before install. */
cw_err_t cw_intr_disarm(void);

/* What cw_intr_call returns. */
#define CW_INTR_DONE 0    /* fn returned; *ret is its value */
#define CW_INTR_STOPPED 1 /* the deadline stopped fn; *ret is untouched */

/* Run fn(arg) so that the deadline can stop it. */
int cw_intr_call(int (*fn)(void *arg), void *arg, int *ret);

/* Nonzero once a call has been stopped since the last arm: the process
 * holds abandoned memory and should retire after its job. */
int cw_intr_stopped_since_arm(void);

#endif /* CW_INTERRUPT_H */

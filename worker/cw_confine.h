/*
 * cw_confine.h -- the executor's OS-level confinement, and the supervisor's
 * check that it took effect.
 *
 * The Duktape sandbox is the first wall; this is the second, for the day the
 * engine has a memory-safety bug that lets job code run machine code.  After
 * start-up and before it reads its first job, an executor:
 *
 *   1. loads everything it would otherwise load lazily (time zone data),
 *   2. closes every descriptor but 0, 1, 2 and its channel, and empties its
 *      environment,
 *   3. sets resource limits: no core files, no file growth, no new
 *      processes, few descriptors, a bounded address space,
 *   4. when started as root, drops to an unprivileged user and group
 *      (default nobody/nogroup) and checks it cannot get root back,
 *   5. sets no_new_privs and makes itself non-dumpable,
 *   6. installs a seccomp filter allowing only the system calls a running
 *      executor makes; any other call kills the process (SIGSYS), and the
 *      supervisor reports the job as SECURITY_ERROR.
 *
 * The executor reports nothing about this over the channel: the supervisor
 * reads /proc/<pid>/status itself once the executor says READY
 * (cw_confine_verify) and refuses an executor that is not confined.
 * SECURITY.md describes the layers and what each one stops.
 */
#ifndef CW_CONFINE_H
#define CW_CONFINE_H

#include <stddef.h>
#include <sys/types.h>

/* Executor command-line flag that skips confinement (development only). */
#define CW_CONFINE_INSECURE_FLAG "--insecure-no-sandbox"

typedef struct cw_confine_conf {
    int insecure;     /* skip every step (and the supervisor's check) */
    char user[64];    /* name or number; used only when started as root */
    char group[64];
    size_t max_job_bytes;    /* sizes the address-space limit */
    size_t max_result_bytes; /* likewise */
} cw_confine_conf_t;

void cw_confine_conf_default(cw_confine_conf_t *c);

/*
 * Confine the calling process, which must be single-threaded.  `chan_fd` is
 * the one descriptor besides 0-2 that stays open.  Returns 0, or -1 with the
 * reason in `err`; after a failure the process is in an unknown, partly
 * confined state and must exit without running a job.
 */
int cw_confine_apply(const cw_confine_conf_t *c, int chan_fd, char *err, size_t err_size);

/* The RLIMIT_AS an executor gets for `c` (bytes). */
size_t cw_confine_as_limit(const cw_confine_conf_t *c);

/* The CPU-time backstop for one job, armed by the executor as the job starts:
 * RLIMIT_CPU's soft limit becomes the CPU time used so far plus the job's
 * timeout plus CW_CONFINE_CPU_SLACK_S, so the kernel sends SIGXCPU (which
 * terminates) even when the supervisor's wall-clock kill is late -- its timers
 * share a loop with Kafka calls that can block (cw_worker.c).  CPU time <=
 * wall time for a single-threaded executor, so the supervisor's kill at
 * deadline + grace always comes first when its loop runs.  Relative to the
 * executor's own usage, so a long-lived executor is never hit by CPU spent on
 * earlier jobs.  0, or -1 with errno. */
#define CW_CONFINE_CPU_SLACK_S 2
int cw_confine_cpu_backstop(double timeout_s);

/*
 * Supervisor side: check that executor `pid` is confined -- seccomp in filter
 * mode, no_new_privs set, and, when `expect_unprivileged`, no uid or gid 0
 * and no effective capabilities.  `status_fd` is /proc/<pid>/status opened
 * before the executor confined itself (a non-dumpable process's /proc entry
 * may be hidden from an unprivileged supervisor), or -1 to open it by path
 * now.  Returns 0, or -1 with the reason in `err`.
 */
int cw_confine_verify(pid_t pid, int status_fd, int expect_unprivileged, char *err, size_t err_size);

#endif /* CW_CONFINE_H */

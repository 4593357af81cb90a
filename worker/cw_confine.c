/*
 * cw_confine.c -- executor confinement (see cw_confine.h for the steps) and
 * the supervisor's check of /proc/<pid>/status.
 *
 * The system-call allowlist was taken from what executors actually do:
 * strace of the end-to-end suite and the corpora (after start-up) shows only
 * read/writev on the channel, brk/mmap/munmap/mremap for the allocator,
 * mmap/mprotect (a PROT_NONE guard page) for the lowering step's stacks,
 * getrandom for the per-job PRNG seed, and the clock (normally served by the
 * vDSO, allowed for when it falls back to a real call).  Lazy file reads --
 * /etc/localtime on the first Date, the CPU count the lowering library reads
 * from cgroups -- are done before the filter goes on (here, and in
 * cw_lowering_warmup()).  A few calls glibc makes on error paths are allowed too (abort's
 * tgkill to itself, writes to stderr), so that a crash is reported as a
 * crash and not as an escape attempt.
 */
#include "cw_confine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

/* Sanitizer runtimes need a few more calls (LeakSanitizer's exit-time scan
 * runs a tracer thread), and reserve terabytes of address space for shadow
 * memory, so an RLIMIT_AS cannot apply.  Never true in a release build. */
#if defined(__SANITIZE_ADDRESS__)
#define CW_CONFINE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CW_CONFINE_SANITIZED 1
#endif
#endif
#ifndef CW_CONFINE_SANITIZED
#define CW_CONFINE_SANITIZED 0
#endif

/* Largest memoryLimit a job can ask for (common/cw_job.c clamps to it). */
#define CW_CONFINE_MAX_JOB_HEAP ((size_t)512 << 20)
/* Address space the lowering step maps for its private stacks
 * (worker/lower/cw_lower.h): a 128 MiB mapping kept for reuse, and for a
 * large source a one-off 16 MiB + 5 KiB per byte, sources being at most
 * 256 KiB.  Reserved, mostly never touched, but it counts for RLIMIT_AS. */
#define CW_CONFINE_LOWER_STACKS (((size_t)128 << 20) + ((size_t)16 << 20) + ((size_t)5 << 10) * (256 << 10))

/* The executor's C stack.  Duktape recurses on it once per native call
 * level (a callback called from forEach/map/sort/replace/JSON reviver...),
 * up to DUK_USE_NATIVE_CALL_RECLIMIT (worker/duktape/duk_config.h: 7,000),
 * measured at 0.6-1 KiB a level: ~4-7 MiB at the limit, which is a crash
 * under a 4 MiB stack and tight under the usual 8 MiB.  64 MiB leaves the
 * regex executor and JSON recursion room on top of the deepest native chain.
 * The main thread's stack grows on demand up to the limit in force, and the
 * kernel keeps at least 128 MiB below it free of mappings. */
#define CW_CONFINE_STACK ((size_t)64 << 20)

void cw_confine_conf_default(cw_confine_conf_t *c) {
    memset(c, 0, sizeof(*c));
    snprintf(c->user, sizeof(c->user), "%s", "nobody");
    snprintf(c->group, sizeof(c->group), "%s", "nogroup");
    c->max_job_bytes = 8u << 20;
    c->max_result_bytes = 1u << 20;
}

/*
 * The address-space limit is a backstop, not the memory limit: the capped
 * allocator stops a job at exactly memoryLimit.  It is sized so that no job
 * within its limits ever meets it: glibc's per-chunk overhead makes the
 * executor's footprint up to ~1.7x the bytes the allocator counts (measured:
 * 875 MB VmPeak for a 512 MB object bomb), the job message is parsed (cJSON)
 * outside the cap, and the lowering step reserves large stacks.  So: twice
 * the largest heap, a base for the binary and its libraries, the lowering
 * stacks, the executor's own stack, and a multiple of the job and result
 * sizes -- 2.9 GiB by default.
 */
size_t cw_confine_as_limit(const cw_confine_conf_t *c) {
    return 2 * CW_CONFINE_MAX_JOB_HEAP + ((size_t)256 << 20) + CW_CONFINE_LOWER_STACKS + CW_CONFINE_STACK +
           16 * c->max_job_bytes + 4 * c->max_result_bytes;
}

__attribute__((format(printf, 3, 4))) static int cw_confine_fail(char *err, size_t n, const char *fmt,
                                                                ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- identity ----------------------------------------------------------- */

static int cw_confine_number(const char *s, unsigned long *out) {
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v >= UINT32_MAX)
        return -1;
    *out = v;
    return 0;
}

static int cw_confine_lookup(const cw_confine_conf_t *c, uid_t *uid, gid_t *gid, char *err, size_t n) {
    unsigned long v;
    if (cw_confine_number(c->user, &v) == 0) {
        *uid = (uid_t)v;
    } else {
        errno = 0;
        struct passwd *pw = getpwnam(c->user);
        if (!pw)
            return cw_confine_fail(err, n, "user \"%s\" not found (%s); set sandbox.user", c->user,
                                   errno ? strerror(errno) : "no such entry");
        *uid = pw->pw_uid;
    }
    if (cw_confine_number(c->group, &v) == 0) {
        *gid = (gid_t)v;
    } else {
        errno = 0;
        struct group *gr = getgrnam(c->group);
        if (!gr)
            return cw_confine_fail(err, n, "group \"%s\" not found (%s); set sandbox.group", c->group,
                                   errno ? strerror(errno) : "no such entry");
        *gid = gr->gr_gid;
    }
    if (*uid == 0 || *gid == 0)
        return cw_confine_fail(err, n, "refusing to run executors as uid/gid 0 (%s:%s)", c->user, c->group);
    return 0;
}

static int cw_confine_drop(uid_t uid, gid_t gid, char *err, size_t n) {
    if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
        return cw_confine_fail(err, n, "dropping to uid %u gid %u: %s", (unsigned)uid, (unsigned)gid,
                               strerror(errno));
    uid_t r, e, s;
    gid_t rg, eg, sg;
    if (getresuid(&r, &e, &s) || getresgid(&rg, &eg, &sg) || r != uid || e != uid || s != uid ||
        rg != gid || eg != gid || sg != gid || getgroups(0, NULL) != 0)
        return cw_confine_fail(err, n, "identity did not change as requested");
    /* Both must fail now; if either works, the drop was not real. */
    if (setresuid(0, 0, 0) == 0 || setresgid(0, 0, 0) == 0)
        return cw_confine_fail(err, n, "could regain root after dropping privileges");
    return 0;
}

/* ---- descriptors -------------------------------------------------------- */

/* Close every descriptor but 0-2 and `keep`, then list /proc/self/fd to
 * prove it.  Returns the number still open that should not be, or -1. */
static int cw_confine_fds(int keep) {
    if (keep > 3)
        (void)close_range(3, (unsigned)keep - 1, 0);
    (void)close_range((unsigned)keep + 1, ~0U, 0);
    for (int pass = 0; pass < 2; pass++) {
        DIR *d = opendir("/proc/self/fd");
        if (!d)
            return -1;
        int stray[64], nstray = 0;
        struct dirent *de;
        while ((de = readdir(d)) && nstray < 64) {
            if (de->d_name[0] == '.')
                continue;
            int fd = atoi(de->d_name);
            if (fd > 2 && fd != keep && fd != dirfd(d))
                stray[nstray++] = fd;
        }
        closedir(d);
        if (nstray == 0)
            return 0;
        if (pass == 1)
            return nstray;
        for (int i = 0; i < nstray; i++)
            close(stray[i]);
    }
    return 0;
}

/* ---- limits ------------------------------------------------------------- */

static int cw_confine_limit(int res, rlim_t v, const char *name, char *err, size_t n) {
    struct rlimit cur;
    if (getrlimit(res, &cur) == 0 && cur.rlim_max != RLIM_INFINITY && cur.rlim_max < v)
        v = cur.rlim_max; /* never try to raise a limit we were given */
    struct rlimit rl = {v, v};
    if (setrlimit(res, &rl))
        return cw_confine_fail(err, n, "setrlimit(%s): %s", name, strerror(errno));
    return 0;
}

int cw_confine_cpu_backstop(double timeout_s) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts))
        return -1;
    if (!(timeout_s > 0) || timeout_s > 86400)
        timeout_s = 86400;
    struct rlimit cur;
    if (getrlimit(RLIMIT_CPU, &cur))
        return -1;
    rlim_t soft = (rlim_t)ts.tv_sec + (rlim_t)timeout_s + 1 + CW_CONFINE_CPU_SLACK_S;
    if (cur.rlim_max != RLIM_INFINITY && soft > cur.rlim_max)
        soft = cur.rlim_max;
    struct rlimit rl = {soft, cur.rlim_max};
    return setrlimit(RLIMIT_CPU, &rl);
}

static int cw_confine_limits(const cw_confine_conf_t *c, char *err, size_t n) {
    /* No fixed RLIMIT_CPU: executors are long-lived and CPU time accumulates
     * over thousands of jobs, so any fixed limit would one day kill a healthy
     * executor in the middle of someone's job.  CPU per job is bounded by the
     * supervisor's wall-clock SIGKILL at deadline + grace (an executor is
     * single-threaded, so CPU time <= wall time), and behind it by the
     * per-job soft limit of cw_confine_cpu_backstop. */
    if (cw_confine_limit(RLIMIT_CORE, 0, "RLIMIT_CORE", err, n) ||
        cw_confine_limit(RLIMIT_FSIZE, 0, "RLIMIT_FSIZE", err, n) ||
        cw_confine_limit(RLIMIT_NOFILE, 8, "RLIMIT_NOFILE", err, n) ||
        cw_confine_limit(RLIMIT_MEMLOCK, 0, "RLIMIT_MEMLOCK", err, n) ||
        cw_confine_limit(RLIMIT_MSGQUEUE, 0, "RLIMIT_MSGQUEUE", err, n) ||
        cw_confine_limit(RLIMIT_STACK, (rlim_t)CW_CONFINE_STACK, "RLIMIT_STACK", err, n))
        return -1;
#if !CW_CONFINE_SANITIZED
    if (cw_confine_limit(RLIMIT_NPROC, 0, "RLIMIT_NPROC", err, n) ||
        cw_confine_limit(RLIMIT_AS, (rlim_t)cw_confine_as_limit(c), "RLIMIT_AS", err, n))
        return -1;
#else
    (void)c;
#endif
    /* With RLIMIT_FSIZE at 0 a write to a regular file fails with EFBIG
     * instead of killing the process. */
    signal(SIGXFSZ, SIG_IGN);
    return 0;
}

/* ---- seccomp ------------------------------------------------------------ */

/* libseccomp's SCMP_Ax() macros leave a field to default initialization,
 * which clang's -Wmissing-field-initializers rejects: spell every field. */
static struct scmp_arg_cmp cw_arg(unsigned arg, enum scmp_compare op, scmp_datum_t a, scmp_datum_t b) {
    struct scmp_arg_cmp c = {.arg = arg, .op = op, .datum_a = a, .datum_b = b};
    return c;
}
#define CW_EQ(arg, v) cw_arg(arg, SCMP_CMP_EQ, (scmp_datum_t)(v), 0)
#define CW_CLEAR(arg, bits) cw_arg(arg, SCMP_CMP_MASKED_EQ, (scmp_datum_t)(bits), 0)
#define CW_SET(arg, bits) cw_arg(arg, SCMP_CMP_MASKED_EQ, (scmp_datum_t)(bits), (scmp_datum_t)(bits))

#define CW_ALLOW(call, ...)                                                                        \
    do {                                                                                           \
        if (!rc)                                                                                   \
            rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(call), __VA_ARGS__);                  \
    } while (0)
#define CW_DENY(call)                                                                              \
    do {                                                                                           \
        if (!rc)                                                                                   \
            rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(call), 0);                    \
    } while (0)

static int cw_confine_seccomp(int chan, char *err, size_t n) {
    scmp_filter_ctx f = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (!f)
        return cw_confine_fail(err, n, "seccomp_init failed");
    int rc = seccomp_attr_set(f, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (!rc)
        rc = seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 1);

    /* The channel, and stdout/stderr for diagnostics (stdout is stderr). */
    CW_ALLOW(read, 1, CW_EQ(0, chan));
    CW_ALLOW(write, 1, CW_EQ(0, chan));
    CW_ALLOW(writev, 1, CW_EQ(0, chan));
    for (int fd = 1; fd <= 2; fd++) {
        CW_ALLOW(write, 1, CW_EQ(0, fd));
        CW_ALLOW(writev, 1, CW_EQ(0, fd));
    }
    CW_ALLOW(close, 0);

    /* Memory: anonymous mappings only, never executable. */
    CW_ALLOW(brk, 0);
    CW_ALLOW(mmap, 2, CW_CLEAR(2, PROT_EXEC),
             CW_SET(3, MAP_ANONYMOUS));
    CW_ALLOW(mprotect, 1, CW_CLEAR(2, PROT_EXEC));
    CW_ALLOW(munmap, 0);
    CW_ALLOW(mremap, 0);
    CW_ALLOW(madvise, 1, CW_EQ(2, MADV_DONTNEED));
    CW_ALLOW(madvise, 1, CW_EQ(2, MADV_FREE));

    /* Entropy for Math.random, clocks for Date and the deadline. */
    CW_ALLOW(getrandom, 0);
    /* cw_confine_cpu_backstop: getrlimit/setrlimit of RLIMIT_CPU on itself. */
    CW_ALLOW(prlimit64, 2, CW_EQ(0, 0), CW_EQ(1, RLIMIT_CPU));
    CW_ALLOW(clock_gettime, 0);
    /* The job's deadline signal (cw_interrupt.h): the real-time interval
     * timer only, whose SIGALRM comes to this process alone. */
    CW_ALLOW(setitimer, 1, CW_EQ(0, ITIMER_REAL));
    CW_ALLOW(clock_getres, 0);
    CW_ALLOW(gettimeofday, 0);
    CW_ALLOW(time, 0);

    /* Process life and glibc internals: locks, signal return, and abort(),
     * which signals itself -- only itself, only SIGABRT. */
    CW_ALLOW(futex, 0);
    CW_ALLOW(exit, 0);
    CW_ALLOW(exit_group, 0);
    CW_ALLOW(rt_sigreturn, 0);
    CW_ALLOW(restart_syscall, 0);
    CW_ALLOW(rt_sigprocmask, 0);
    CW_ALLOW(getpid, 0);
    CW_ALLOW(gettid, 0);
    CW_ALLOW(tgkill, 2, CW_EQ(0, getpid()),
             CW_EQ(2, SIGABRT));

    /* Probes stdio makes on first use of a stream: refused, not fatal, so a
     * diagnostic can still be written. */
#if !CW_CONFINE_SANITIZED
    CW_DENY(fstat);
    CW_DENY(newfstatat);
    CW_DENY(lseek);
    CW_DENY(ioctl);
#else
    /* What the sanitizer runtimes do at exit (LeakSanitizer stops the
     * process with a tracer thread and reads /proc/self/maps) and when they
     * symbolize a report. */
    CW_ALLOW(fstat, 0);
    CW_ALLOW(newfstatat, 0);
    CW_ALLOW(stat, 0);
    CW_ALLOW(lseek, 0);
    CW_ALLOW(ioctl, 0);
    CW_ALLOW(getdents, 0);
    CW_ALLOW(fcntl, 0);
    CW_ALLOW(mmap, 0);
    CW_ALLOW(mprotect, 0);
    CW_ALLOW(madvise, 0);
    CW_ALLOW(clone, 0);
    CW_ALLOW(ptrace, 0);
    CW_ALLOW(wait4, 0);
    CW_ALLOW(prctl, 0);
    CW_ALLOW(sched_yield, 0);
    CW_ALLOW(sigaltstack, 0);
    CW_ALLOW(rt_sigaction, 0);
    CW_ALLOW(open, 0);
    CW_ALLOW(openat, 0);
    CW_ALLOW(read, 0);
    CW_ALLOW(getdents64, 0);
    CW_ALLOW(kill, 0);
    CW_ALLOW(tgkill, 0);
    CW_ALLOW(getppid, 0);
    CW_ALLOW(nanosleep, 0);
    CW_ALLOW(clock_nanosleep, 0);
    CW_ALLOW(pread64, 0);
    CW_ALLOW(readlink, 0);
    CW_ALLOW(getrlimit, 0);
    CW_ALLOW(prlimit64, 0);
#endif

    if (rc) {
        seccomp_release(f);
        return cw_confine_fail(err, n, "building the seccomp filter: %s", strerror(-rc));
    }
    rc = seccomp_load(f);
    seccomp_release(f);
    if (rc)
        return cw_confine_fail(err, n, "loading the seccomp filter: %s", strerror(-rc));
    return 0;
}

#undef CW_ALLOW
#undef CW_DENY
#undef CW_EQ
#undef CW_CLEAR
#undef CW_SET

/* ---- the whole sequence ------------------------------------------------- */

int cw_confine_apply(const cw_confine_conf_t *c, int chan_fd, char *err, size_t n) {
    if (c->insecure)
        return 0;
    if (chan_fd < 3)
        return cw_confine_fail(err, n, "channel descriptor %d overlaps stdio", chan_fd);

    /* Everything that needs the file system happens first. */
    int root = getuid() == 0 || geteuid() == 0;
    uid_t uid = 0;
    gid_t gid = 0;
    if (root && cw_confine_lookup(c, &uid, &gid, err, n))
        return -1;
    int stray = cw_confine_fds(chan_fd);
    if (stray)
        return stray < 0 ? cw_confine_fail(err, n, "cannot list /proc/self/fd: %s", strerror(errno))
                         : cw_confine_fail(err, n, "%d inherited descriptors could not be closed", stray);
    /* Nothing is inherited.  One variable is set here, inside the process:
     * with TZ unset, glibc stats and may reopen /etc/localtime on every
     * mktime(); naming the same file in TZ makes it load the zone once, now,
     * and never touch the file system again.  The zone is unchanged. */
    if (clearenv() || setenv("TZ", ":/etc/localtime", 1))
        return cw_confine_fail(err, n, "cannot reset the environment");
    tzset();
    time_t now = time(NULL);
    struct tm tm;
    (void)localtime_r(&now, &tm);
    (void)mktime(&tm);

    if (cw_confine_limits(c, err, n))
        return -1;
    if (root && cw_confine_drop(uid, gid, err, n))
        return -1;
    /* After the identity change: the kernel resets dumpable on it. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
        return cw_confine_fail(err, n, "prctl: %s", strerror(errno));
    return cw_confine_seccomp(chan_fd, err, n);
}

/* ---- the supervisor's check --------------------------------------------- */

int cw_confine_verify(pid_t pid, int status_fd, int expect_unprivileged, char *err, size_t n) {
    char path[64], text[8192];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    int fd = status_fd >= 0 ? status_fd : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cw_confine_fail(err, n, "cannot open %s: %s", path, strerror(errno));
    size_t len = 0;
    for (;;) { /* pread: the file is regenerated from offset 0 */
        ssize_t r = pread(fd, text + len, sizeof(text) - 1 - len, (off_t)len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        if (len == sizeof(text) - 1)
            break;
    }
    int saved = errno;
    if (fd != status_fd)
        close(fd);
    if (len == 0)
        return cw_confine_fail(err, n, "cannot read %s: %s", path, strerror(saved));
    text[len] = '\0';
    long seccomp = -1, nnp = -1;
    unsigned long uid[4] = {0, 0, 0, 0}, gid[4] = {0, 0, 0, 0};
    unsigned long long capeff = ~0ULL;
    int have_ids = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (sscanf(line, "Seccomp: %ld", &seccomp) == 1 || sscanf(line, "NoNewPrivs: %ld", &nnp) == 1 ||
            sscanf(line, "CapEff: %llx", &capeff) == 1)
            continue;
        if (sscanf(line, "Uid: %lu %lu %lu %lu", &uid[0], &uid[1], &uid[2], &uid[3]) == 4)
            have_ids |= 1;
        else if (sscanf(line, "Gid: %lu %lu %lu %lu", &gid[0], &gid[1], &gid[2], &gid[3]) == 4)
            have_ids |= 2;
    }
    if (seccomp != 2)
        return cw_confine_fail(err, n, "executor %d has no seccomp filter (Seccomp: %ld)", (int)pid, seccomp);
    if (nnp != 1)
        return cw_confine_fail(err, n, "executor %d lacks no_new_privs", (int)pid);
    if (expect_unprivileged) {
        if (have_ids != 3)
            return cw_confine_fail(err, n, "executor %d: no Uid/Gid lines in %s", (int)pid, path);
        for (int i = 0; i < 4; i++)
            if (uid[i] == 0 || gid[i] == 0)
                return cw_confine_fail(err, n, "executor %d still has uid or gid 0", (int)pid);
        if (capeff != 0)
            return cw_confine_fail(err, n, "executor %d has effective capabilities (%llx)", (int)pid, capeff);
    }
    return 0;
}

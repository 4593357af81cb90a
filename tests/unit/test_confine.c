/* test_confine.c -- executor confinement: the supervisor's /proc check tells
 * confined from unconfined processes, a confined process keeps working for
 * what an executor does, crashes stay crashes (SIGABRT, not SIGSYS), and a
 * forbidden call kills it with SIGSYS.  Each case confines a forked child,
 * never the test process itself. */
#include "cw_test.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sys/random.h>

#include "cw_confine.h"

typedef struct child {
    pid_t pid;
    int fd;        /* our end of the child's channel */
    int status_fd; /* its /proc/<pid>/status, opened before it confined itself */
} child_t;

/* What a child does after confining, on the command byte it reads. */
static void child_serve(int chan) {
    char cmd;
    while (read(chan, &cmd, 1) == 1) {
        switch (cmd) {
        case 'w': { /* an executor's ordinary work */
            char *p = malloc(64 << 20);          /* mmap */
            p = realloc(p, 128 << 20);           /* mremap */
            memset(p, 1, 1 << 20);
            free(p);
            unsigned char seed[32];
            struct timespec ts;
            int ok = p != NULL && getrandom(seed, sizeof(seed), 0) == (ssize_t)sizeof(seed) &&
                     clock_gettime(CLOCK_REALTIME, &ts) == 0;
            time_t t = 0;
            struct tm tm;
            ok = ok && localtime_r(&t, &tm) != NULL && mktime(&tm) != (time_t)-1;
            fprintf(stderr, "%s", ""); /* stdio on stderr */
            (void)!write(chan, ok ? "y" : "n", 1);
            break;
        }
        case 'a': abort();
        case 'c': { /* the per-job CPU backstop, armed under the filter, then a runaway job */
            if (cw_confine_cpu_backstop(0.2))
                _exit(12);
            (void)!write(chan, "y", 1);
            for (volatile unsigned long i = 0;; i++)
                ;
        }
        case 's': (void)socket(AF_INET, SOCK_STREAM, 0); _exit(10);
        case 'e': {
            char *argv[] = {"true", NULL}, *envp[] = {NULL};
            execve("/bin/true", argv, envp);
            _exit(11);
        }
        default: _exit(0);
        }
    }
    _exit(0);
}

/* Fork a child that waits for a go byte, confines itself with `conf`
 * (channel on fd 3), then answers 'R' (or 'F' and exits 3 if confinement
 * failed).  Its status file is opened before the go, as the pool does. */
static child_t spawn(const cw_confine_conf_t *conf) {
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char go;
        if (dup2(sv[1], 3) != 3 || read(3, &go, 1) != 1)
            _exit(4);
        char err[256];
        if (cw_confine_apply(conf, 3, err, sizeof(err))) {
            (void)!write(3, "F", 1);
            _exit(3);
        }
        (void)!write(3, "R", 1);
        child_serve(3);
    }
    close(sv[1]);
    char path[48];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    child_t c = {pid, sv[0], open(path, O_RDONLY | O_CLOEXEC)};
    assert_true(c.status_fd >= 0);
    assert_int_equal(write(c.fd, "g", 1), 1);
    return c;
}

static char ask(child_t *c, char cmd) {
    char r = 0;
    if (cmd)
        assert_int_equal(write(c->fd, &cmd, 1), 1);
    if (read(c->fd, &r, 1) != 1)
        r = 0;
    return r;
}

static int reap(child_t *c) {
    close(c->fd);
    close(c->status_fd);
    int st = 0;
    assert_int_equal(waitpid(c->pid, &st, 0), c->pid);
    return st;
}

static void test_verify_rejects_unconfined(void **state) {
    (void)state;
    char err[256];
    assert_int_equal(cw_confine_verify(getpid(), -1, 0, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "seccomp"));
    assert_int_equal(cw_confine_verify(999999999, -1, 0, err, sizeof(err)), -1);

    cw_confine_conf_t conf;
    cw_confine_conf_default(&conf);
    conf.insecure = 1;
    child_t c = spawn(&conf);
    assert_int_equal(ask(&c, 0), 'R');
    assert_int_equal(cw_confine_verify(c.pid, -1, 0, err, sizeof(err)), -1);
    assert_int_equal(cw_confine_verify(c.pid, c.status_fd, 0, err, sizeof(err)), -1);
    int st = reap(&c);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_confined_child_passes_and_works(void **state) {
    (void)state;
    cw_confine_conf_t conf;
    cw_confine_conf_default(&conf);
    child_t c = spawn(&conf);
    assert_int_equal(ask(&c, 0), 'R');
    char err[256] = "";
    int rc = cw_confine_verify(c.pid, -1, geteuid() == 0, err, sizeof(err));
    if (rc)
        fprintf(stderr, "verify: %s\n", err);
    assert_int_equal(rc, 0);
    /* Through the descriptor opened before confinement: fresh content. */
    assert_int_equal(cw_confine_verify(c.pid, c.status_fd, geteuid() == 0, err, sizeof(err)), 0);
    assert_int_equal(cw_confine_verify(c.pid, c.status_fd, geteuid() == 0, err, sizeof(err)), 0);
    assert_int_equal(ask(&c, 'w'), 'y');
    assert_int_equal(ask(&c, 'w'), 'y');
    int st = reap(&c);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_forbidden_calls_are_sigsys(void **state) {
    (void)state;
    const char cmds[] = {'s', 'e'};
    for (size_t i = 0; i < sizeof(cmds); i++) {
        cw_confine_conf_t conf;
        cw_confine_conf_default(&conf);
        child_t c = spawn(&conf);
        assert_int_equal(ask(&c, 0), 'R');
        assert_int_equal(ask(&c, cmds[i]), 0);
        int st = reap(&c);
        assert_true(WIFSIGNALED(st));
        assert_int_equal(WTERMSIG(st), SIGSYS);
    }
}

static void test_abort_stays_a_crash(void **state) {
    (void)state;
    cw_confine_conf_t conf;
    cw_confine_conf_default(&conf);
    child_t c = spawn(&conf);
    assert_int_equal(ask(&c, 0), 'R');
    assert_int_equal(ask(&c, 'a'), 0);
    int st = reap(&c);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
}

/* A job that spins past timeout + slack while nobody kills it (the
 * supervisor's loop held up) is ended by the kernel: SIGXCPU, which the pool
 * reports as TIMEOUT. */
static void test_cpu_backstop_ends_a_runaway_job(void **state) {
    (void)state;
    cw_confine_conf_t conf;
    cw_confine_conf_default(&conf);
    child_t c = spawn(&conf);
    assert_int_equal(ask(&c, 0), 'R');
    assert_int_equal(ask(&c, 'c'), 'y');
    int st = reap(&c);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGXCPU);
}

static void test_bad_identities_fail_before_confining(void **state) {
    (void)state;
    if (geteuid() != 0)
        skip(); /* identities are only looked up when started as root */
    const char *users[][2] = {{"no-such-user-cw", "nogroup"}, {"nobody", "no-such-group-cw"},
                              {"root", "nogroup"}, {"0", "0"}};
    for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
        cw_confine_conf_t conf;
        cw_confine_conf_default(&conf);
        snprintf(conf.user, sizeof(conf.user), "%s", users[i][0]);
        snprintf(conf.group, sizeof(conf.group), "%s", users[i][1]);
        child_t c = spawn(&conf);
        assert_int_equal(ask(&c, 0), 'F');
        int st = reap(&c);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 3);
    }
    /* Numbers work without a passwd entry. */
    cw_confine_conf_t conf;
    cw_confine_conf_default(&conf);
    snprintf(conf.user, sizeof(conf.user), "%s", "64999");
    snprintf(conf.group, sizeof(conf.group), "%s", "64999");
    child_t c = spawn(&conf);
    assert_int_equal(ask(&c, 0), 'R');
    char err[256];
    assert_int_equal(cw_confine_verify(c.pid, -1, 1, err, sizeof(err)), 0);
    reap(&c);
}

static void test_as_limit_has_headroom(void **state) {
    (void)state;
    cw_confine_conf_t conf;
    cw_confine_conf_default(&conf);
    size_t base = cw_confine_as_limit(&conf);
    assert_true(base >= (size_t)1 << 30);
    conf.max_job_bytes = 64u << 20;
    assert_true(cw_confine_as_limit(&conf) > base);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_rejects_unconfined),
        cmocka_unit_test(test_confined_child_passes_and_works),
        cmocka_unit_test(test_forbidden_calls_are_sigsys),
        cmocka_unit_test(test_abort_stays_a_crash),
        cmocka_unit_test(test_cpu_backstop_ends_a_runaway_job),
        cmocka_unit_test(test_bad_identities_fail_before_confining),
        cmocka_unit_test(test_as_limit_has_headroom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

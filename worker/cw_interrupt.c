/*
 * cw_interrupt.c -- the deadline signal that stops a native computation.
 * The why, and the rules an interruptible computation must keep, are in
 * cw_interrupt.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "cw_interrupt.h"
#include "cw_time.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>

/* The executor's signal state: the handler can reach nothing else. */
static struct {
    int installed;
    int (*busy)(void);
    volatile sig_atomic_t active;  /* inside cw_intr_call, env is live */
    volatile sig_atomic_t stopped; /* a call was stopped since the last arm */
    volatile sig_atomic_t armed;   /* a job's timer is set */
    volatile sig_atomic_t cancelled; /* SIGUSR1 since the last JOB frame */
    sigjmp_buf env;
} cw_intr;

#define CW_INTR_TICK_US 1000 /* how soon a deferred stop is tried again */

static void cw_intr_on_alarm(int sig) {
    (void)sig;
    if (!cw_intr.active || (cw_intr.busy && cw_intr.busy()))
        return; /* not interruptible now: the next tick tries again */
    cw_intr.active = 0;
    cw_intr.stopped = 1;
    siglongjmp(cw_intr.env, 1);
}

/* SIGUSR1: the job was cancelled.  Record it and, while a job's timer is
 * set, make it fire now and every tick after (setitimer is a plain system
 * call, safe here), so the deadline path stops the job. */
static void cw_intr_on_cancel(int sig) {
    (void)sig;
    int saved = errno;
    cw_intr.cancelled = 1;
    if (cw_intr.armed) {
        struct itimerval it = {.it_interval = {.tv_sec = 0, .tv_usec = CW_INTR_TICK_US},
                               .it_value = {.tv_sec = 0, .tv_usec = 1}};
        (void)setitimer(ITIMER_REAL, &it, NULL);
    }
    errno = saved;
}

cw_err_t cw_intr_install(int (*busy)(void)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = cw_intr_on_alarm;
    /* SA_NODEFER: the jump leaves the handler without restoring a mask, so
     * SIGALRM must not be blocked while it runs. */
    sa.sa_flags = SA_RESTART | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) != 0)
        return CW_ERR_SYSTEM;
    struct sigaction sc;
    memset(&sc, 0, sizeof(sc));
    sc.sa_handler = cw_intr_on_cancel;
    sc.sa_flags = SA_RESTART;
    sigemptyset(&sc.sa_mask);
    sigaddset(&sc.sa_mask, SIGALRM); /* the timer it sets waits until it returns */
    if (sigaction(SIGUSR1, &sc, NULL) != 0)
        return CW_ERR_SYSTEM;
    cw_intr.busy = busy;
    cw_intr.installed = 1;
    return CW_OK;
}

cw_err_t cw_intr_arm(int64_t deadline_ns) {
    if (!cw_intr.installed)
        return CW_OK;
    cw_intr.stopped = 0;
    int64_t left_us = (deadline_ns - cw_mono_ns() + 999) / 1000; /* never early */
    if (left_us < 1 || cw_intr.cancelled)
        left_us = 1; /* zero would disarm */
    struct itimerval it = {
        .it_interval = {.tv_sec = 0, .tv_usec = CW_INTR_TICK_US},
        .it_value = {.tv_sec = (time_t)(left_us / 1000000), .tv_usec = (suseconds_t)(left_us % 1000000)},
    };
    cw_intr.armed = 1;
    if (setitimer(ITIMER_REAL, &it, NULL) != 0) {
        cw_intr.armed = 0;
        return CW_ERR_SYSTEM;
    }
    if (cw_intr.cancelled) /* a request that came while the timer was set */
        (void)setitimer(ITIMER_REAL, &(struct itimerval){.it_interval = it.it_interval, .it_value = {0, 1}}, NULL);
    return CW_OK;
}

int cw_intr_cancelled(void) { return cw_intr.cancelled; }

void cw_intr_cancel_reset(void) { cw_intr.cancelled = 0; }

cw_err_t cw_intr_disarm(void) {
    if (!cw_intr.installed)
        return CW_OK;
    struct itimerval it;
    memset(&it, 0, sizeof(it));
    cw_intr.active = 0;
    cw_intr.armed = 0;
    return setitimer(ITIMER_REAL, &it, NULL) == 0 ? CW_OK : CW_ERR_SYSTEM;
}

int cw_intr_call(int (*fn)(void *arg), void *arg, int *ret) {
    if (!cw_intr.installed || cw_intr.active) {
        *ret = fn(arg);
        return CW_INTR_DONE;
    }
    /* No signal mask is saved or restored (sigsetjmp's 0): that costs a
     * system call per call, and SA_NODEFER leaves the mask alone. */
    if (sigsetjmp(cw_intr.env, 0) != 0)
        return CW_INTR_STOPPED;
    cw_intr.active = 1;
    int r = fn(arg);
    cw_intr.active = 0;
    *ret = r;
    return CW_INTR_DONE;
}

int cw_intr_stopped_since_arm(void) { return cw_intr.stopped; }

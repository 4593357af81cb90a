/* cw_time.h -- the two clocks the worker reads: wall (for audit) and monotonic (for deadlines). */
#ifndef CW_TIME_H
#define CW_TIME_H

#include <stdint.h>
#include <time.h>

/* Unix epoch milliseconds. */
static inline int64_t cw_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Unix epoch nanoseconds (span timestamps). */
static inline int64_t cw_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CLOCK_MONOTONIC nanoseconds. */
static inline int64_t cw_mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif /* CW_TIME_H */

/*
 * cw_cli_exec.c -- `codeworker exec`: run jobs through the executor pool
 * without Kafka.
 *
 *   codeworker exec FILE.js [--input JSON|@file] [--timeout S] [--memory-limit MB]
 *   codeworker exec --jobs FILE.jsonl|- [--executors N]
 *   (both: [--max-job-bytes N], default CW_EXEC_MAX_JOB_BYTES)
 *
 * The second form reads one job per line and writes one result line per job
 * line to stdout, in input order, whatever order the executors finish in.
 * Blank lines are skipped; a line that is not a usable job still gets a
 * result (INVALID_REQUEST, with jobId null when none can be read).  The lines
 * are passed to executors unparsed: only executors parse job messages.
 */
#include "cw_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cw_buf.h"
#include "cw_pool.h"
#include "cw_result.h"
#include "cw_time.h"

/* exec's default largest job message.  Agents' inputs are routinely tens of
 * MB, and a local run has no broker limit to match (`run` keeps 8 MiB, the
 * size Kafka topics are usually provisioned for).  Each executor may use
 * 16x this outside its JavaScript heap (cw_confine.c, SECURITY.md). */
#define CW_EXEC_MAX_JOB_BYTES ((size_t)64 << 20)
#define CW_EXEC_MAX_JOB_BYTES_CAP (256 << 20)

typedef struct cw_exec_slot {
    char *data;
    size_t len;
    int ready;
} cw_exec_slot_t;

typedef struct cw_exec {
    struct ev_loop *loop;
    cw_pool_t *pool;
    int in_fd;
    ev_io in_w;
    int eof;
    cw_buf_t line;
    int skipping;      /* inside an oversized line */
    size_t max_line;
    uint64_t next_ticket, next_print;
    cw_exec_slot_t *ring; /* results waiting to be printed, by ticket */
    size_t ring_size;     /* grows past `window` when one read brings many lines */
    size_t window;        /* read ahead while fewer tickets than this are unprinted */
    uint64_t failed;      /* results with success=false (single-job mode) */
    int io_error;
} cw_exec_t;

static void cw_exec_flush(cw_exec_t *x) {
    while (x->next_print < x->next_ticket) {
        cw_exec_slot_t *sl = &x->ring[x->next_print % x->ring_size];
        if (!sl->ready)
            break;
        if (fwrite(sl->data, 1, sl->len, stdout) != sl->len || fputc('\n', stdout) == EOF)
            x->io_error = 1;
        free(sl->data);
        sl->data = NULL;
        sl->ready = 0;
        x->next_print++;
    }
    fflush(stdout);
}

/* Make room for one more ticket: a read chunk can hold many more lines than
 * the read-ahead window, so the reorder ring grows instead of wrapping. */
static int cw_exec_reserve(cw_exec_t *x) {
    if (x->next_ticket - x->next_print < x->ring_size)
        return 0;
    size_t cap = x->ring_size * 2;
    cw_exec_slot_t *n = calloc(cap, sizeof(*n));
    if (!n)
        return -1;
    for (uint64_t t = x->next_print; t < x->next_ticket; t++)
        n[t % cap] = x->ring[t % x->ring_size];
    free(x->ring);
    x->ring = n;
    x->ring_size = cap;
    return 0;
}

static void cw_exec_store(cw_exec_t *x, uint64_t ticket, const char *res, size_t len, int success) {
    cw_exec_slot_t *sl = &x->ring[ticket % x->ring_size];
    sl->data = malloc(len + 1);
    if (!sl->data) {
        x->io_error = 1;
        sl->len = 0;
    } else {
        memcpy(sl->data, res, len);
        sl->len = len;
    }
    sl->ready = 1;
    if (!success)
        x->failed++;
}

static void cw_exec_maybe_done(cw_exec_t *x);
static void cw_exec_read_more(cw_exec_t *x);

static void cw_exec_done(void *ud, const cw_pool_result_t *res) {
    cw_exec_t *x = ud;
    cw_exec_store(x, res->ticket, res->json, res->len, res->code == CW_RES_SUCCESS);
    cw_exec_flush(x);
    cw_exec_read_more(x);
    cw_exec_maybe_done(x);
}

/* A line the pool will not take: answer it here without parsing it. */
static void cw_exec_reject(cw_exec_t *x, const char *reason) {
    cw_result_t r;
    cw_result_init(&r);
    r.code = CW_RES_INVALID_REQUEST;
    r.err_name = "InvalidRequest";
    r.err_message = reason;
    r.started_ms = r.ended_ms = cw_now_ms();
    cw_buf_t b;
    cw_buf_init(&b, 0);
    if (cw_exec_reserve(x)) {
        x->io_error = 1;
        return;
    }
    uint64_t t = x->next_ticket++;
    if (cw_result_write(&r, &b) == CW_OK)
        cw_exec_store(x, t, b.data, b.len, 0);
    else
        cw_exec_store(x, t, "{\"jobId\":null,\"success\":false}", 30, 0);
    cw_buf_free(&b);
    cw_exec_flush(x);
}

static void cw_exec_line(cw_exec_t *x, const char *p, size_t n) {
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
        i++;
    if (i == n)
        return; /* blank line */
    if (cw_exec_reserve(x)) {
        x->io_error = 1;
        return;
    }
    if (cw_pool_submit(x->pool, x->next_ticket, p, n) == CW_OK) {
        x->next_ticket++;
        return;
    }
    char why[160];
    if (n > x->max_line)
        snprintf(why, sizeof(why), "job message is %zu bytes; the limit is %zu (--max-job-bytes)", n, x->max_line);
    else
        snprintf(why, sizeof(why), "job line could not be queued (out of memory)");
    cw_exec_reject(x, why);
}

static void cw_exec_reject_long(cw_exec_t *x) {
    char why[160];
    snprintf(why, sizeof(why), "job line exceeds the limit of %zu bytes (--max-job-bytes)", x->max_line);
    cw_exec_reject(x, why);
}

static int cw_exec_window_full(const cw_exec_t *x) {
    return x->next_ticket - x->next_print >= x->window;
}

static void cw_exec_in_cb(struct ev_loop *loop, ev_io *w, int revents) {
    (void)loop, (void)revents;
    cw_exec_t *x = w->data;
    char chunk[65536];
    while (!cw_exec_window_full(x)) {
        ssize_t n = read(x->in_fd, chunk, sizeof(chunk));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return;
            fprintf(stderr, "%% error: reading jobs: %s\n", strerror(errno));
            x->io_error = 1;
            n = 0;
        }
        if (n == 0) {
            if (x->skipping)
                cw_exec_reject_long(x);
            else if (x->line.len)
                cw_exec_line(x, x->line.data, x->line.len);
            cw_buf_reset(&x->line);
            x->eof = 1;
            ev_io_stop(x->loop, &x->in_w);
            cw_exec_maybe_done(x);
            return;
        }
        size_t off = 0;
        while (off < (size_t)n) {
            char *nl = memchr(chunk + off, '\n', (size_t)n - off);
            size_t seg = nl ? (size_t)(nl - (chunk + off)) : (size_t)n - off;
            if (!x->skipping && cw_buf_append(&x->line, chunk + off, seg) != CW_OK) {
                x->skipping = 1;
                cw_buf_reset(&x->line);
            }
            off += seg;
            if (nl) {
                off++;
                if (x->skipping)
                    cw_exec_reject_long(x);
                else
                    cw_exec_line(x, x->line.data ? x->line.data : "", x->line.len);
                x->skipping = 0;
                cw_buf_reset(&x->line);
            }
        }
    }
    /* Window full: stop reading until results drain. */
    ev_io_stop(x->loop, &x->in_w);
}

static void cw_exec_read_more(cw_exec_t *x) {
    if (!x->eof && !cw_exec_window_full(x) && !ev_is_active(&x->in_w))
        ev_io_start(x->loop, &x->in_w);
}

static void cw_exec_maybe_done(cw_exec_t *x) {
    if (x->eof && cw_pool_pending(x->pool) == 0 && x->next_print == x->next_ticket)
        ev_break(x->loop, EVBREAK_ALL);
}

/* ---- shared by both forms ----------------------------------------------- */

/* Run the pool until every job read from `in_fd` (or the one `single` job
 * when in_fd < 0) has its result printed. */
static int cw_exec_run(const cw_cli_t *cli, int in_fd, const char *single, int executors,
                       size_t max_job) {
    cw_exec_t x;
    memset(&x, 0, sizeof(x));
    x.loop = EV_DEFAULT;
    x.in_fd = in_fd;
    x.max_line = max_job;
    cw_buf_init(&x.line, max_job);
    x.ring_size = x.window = (size_t)executors * 4 + 16;
    x.ring = calloc(x.ring_size, sizeof(*x.ring));
    if (!x.ring) {
        fprintf(stderr, "%% error: out of memory\n");
        return 2;
    }
    cw_pool_conf_t pc;
    cw_pool_conf_default(&pc);
    pc.executors = executors;
    pc.exec_argv = cli->executor_argv;
    pc.insecure = cli->confine.insecure;
    pc.max_job_bytes = max_job;
    pc.max_result_bytes = cli->exec_conf.sbx.result_max_bytes + 4096;
    pc.log_max_entries = cli->exec_conf.sbx.log_max_entries;
    pc.log_max_bytes = cli->exec_conf.sbx.log_max_bytes;
    cw_err_t err = cw_pool_new(x.loop, &pc, cw_exec_done, &x, &x.pool);
    if (err) {
        fprintf(stderr, "%% error: cannot start executors: %s\n", cw_err2str(err));
        free(x.ring);
        return 2;
    }
    ev_io_init(&x.in_w, cw_exec_in_cb, in_fd, EV_READ);
    x.in_w.data = &x;
    if (in_fd >= 0) {
        fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK);
        ev_io_start(x.loop, &x.in_w);
    } else {
        cw_exec_line(&x, single, strlen(single));
        x.eof = 1;
    }
    ev_run(x.loop, 0);
    cw_exec_flush(&x);
    cw_pool_free(x.pool);
    ev_io_stop(x.loop, &x.in_w);
    for (size_t i = 0; i < x.ring_size; i++)
        free(x.ring[i].data);
    free(x.ring);
    cw_buf_free(&x.line);
    if (x.io_error)
        return 2;
    return x.failed ? 1 : 0;
}

static void cw_exec_usage(FILE *f) {
    fprintf(f,
            "Usage: codeworker exec FILE.js [--input JSON|@FILE] [--timeout S] [--memory-limit MB]\n"
            "       codeworker exec --jobs FILE.jsonl|- [--executors N]\n"
            "\n"
            "Run JavaScript jobs in the sandbox without Kafka; results are JSON on stdout.\n"
            "\n"
            "  --input JSON|@FILE     inputData for FILE.js (exposed as the global `input`)\n"
            "  --timeout S            job timeout in seconds (clamped to 1..120, default 30)\n"
            "  --memory-limit MB      heap limit in MB (clamped to 8..512, default 128)\n"
            "  --jobs FILE|-          one job per line (JSON); one result line per job, in order\n"
            "  --executors N          executor processes (default: 1 for FILE.js, CPUs for --jobs)\n"
            "  --max-result-bytes N   largest result document (default 1048576)\n"
            "  --max-job-bytes N      largest job message (default 67108864, at most 268435456;\n"
            "                         each executor may use 16x this outside its heap)\n"
            "  --cache-mb N           bytes of lowered code/bytecode each executor caches (default 64)\n"
            "  --recycle-mb N         replace an executor whose heap grew by more after a job\n"
            "                         (default 768; 0 = never)\n"
            "  --insecure-no-sandbox  run executors without OS confinement (development only)\n"
            "  -h, --help             this text\n"
            "\n"
            "Exit status: FILE.js form: 0 if the job succeeded, 1 if it failed;\n"
            "--jobs form: 0 when every line got a result.  2 on usage or system errors.\n");
}

static char *cw_exec_slurp(const char *path, size_t max, size_t *len) {
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    cw_buf_t b;
    cw_buf_init(&b, max);
    char chunk[65536];
    size_t n;
    int err = 0;
    while (!err && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        err = cw_buf_append(&b, chunk, n) != CW_OK;
    if (f != stdin)
        fclose(f);
    if (err) {
        cw_buf_free(&b);
        errno = EFBIG;
        return NULL;
    }
    if (!b.data)
        cw_buf_append(&b, "", 0);
    return cw_buf_steal(&b, len);
}

int cw_cli_exec(cw_cli_t *cli, int argc, char **argv) {
    static const struct option opts[] = {
        {"input", required_argument, NULL, 'i'},
        {"timeout", required_argument, NULL, 't'},
        {"memory-limit", required_argument, NULL, 'm'},
        {"jobs", required_argument, NULL, 'j'},
        {"executors", required_argument, NULL, 'e'},
        {"max-result-bytes", required_argument, NULL, 'R'},
        {"max-job-bytes", required_argument, NULL, 'J'},
        {"cache-mb", required_argument, NULL, 'C'},
        {"recycle-mb", required_argument, NULL, 'Y'},
        {"insecure-no-sandbox", no_argument, NULL, 'I'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *input = NULL, *timeout = NULL, *memory = NULL, *jobs = NULL;
    int executors = 0, c;
    cli->exec_conf.job.max_message_bytes = CW_EXEC_MAX_JOB_BYTES;
    cw_cli_refresh_executor_argv(cli);
    optind = 1;
    while ((c = getopt_long(argc, argv, "hi:t:m:j:e:R:", opts, NULL)) != -1) {
        switch (c) {
        case 'i': input = optarg; break;
        case 't': timeout = optarg; break;
        case 'm': memory = optarg; break;
        case 'j': jobs = optarg; break;
        case 'e':
            if (cw_cli_parse_int(optarg, 1, 256, &executors)) {
                fprintf(stderr, "Error: --executors must be an integer from 1 to 256\n");
                return 2;
            }
            break;
        case 'R': {
            int v;
            if (cw_cli_parse_int(optarg, 4096, 64 << 20, &v)) {
                fprintf(stderr, "Error: --max-result-bytes must be from 4096 to 67108864\n");
                return 2;
            }
            cli->exec_conf.sbx.result_max_bytes = (size_t)v;
            cw_cli_refresh_executor_argv(cli);
            break;
        }
        case 'J': {
            int v;
            if (cw_cli_parse_int(optarg, 1024, CW_EXEC_MAX_JOB_BYTES_CAP, &v)) {
                fprintf(stderr, "Error: --max-job-bytes must be from 1024 to %d\n", CW_EXEC_MAX_JOB_BYTES_CAP);
                return 2;
            }
            cli->exec_conf.job.max_message_bytes = (size_t)v;
            cw_cli_refresh_executor_argv(cli);
            break;
        }
        case 'C':
        case 'Y': {
            int v;
            if (cw_cli_parse_int(optarg, c == 'C' ? 1 : 0, 1 << 20, &v)) {
                fprintf(stderr, "Error: --%s must be an integer number of MiB\n", c == 'C' ? "cache-mb" : "recycle-mb");
                return 2;
            }
            if (c == 'C')
                cli->exec_conf.cache_bytes = (size_t)v << 20;
            else
                cli->exec_conf.recycle_bytes = (size_t)v << 20;
            cw_cli_refresh_executor_argv(cli);
            break;
        }
        case 'I':
            cli->confine.insecure = 1;
            cw_cli_refresh_executor_argv(cli);
            break;
        case 'h': cw_exec_usage(stdout); return 0;
        default: cw_exec_usage(stderr); return 2;
        }
    }
    size_t max_job = cli->exec_conf.job.max_message_bytes;
    if (jobs) {
        if (optind < argc || input || timeout || memory) {
            fprintf(stderr, "Error: --jobs takes no FILE.js, --input, --timeout or --memory-limit "
                            "(put them in each job line)\n");
            return 2;
        }
        int fd = strcmp(jobs, "-") == 0 ? dup(0) : open(jobs, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "Error: cannot open %s: %s\n", jobs, strerror(errno));
            return 2;
        }
        int rc = cw_exec_run(cli, fd, NULL, executors ? executors : cw_cli_ncpu(), max_job);
        close(fd);
        return rc == 1 ? 0 : rc; /* every line got a result */
    }
    if (optind != argc - 1) {
        fprintf(stderr, "Error: exec needs exactly one FILE.js (or --jobs FILE)\n");
        cw_exec_usage(stderr);
        return 2;
    }
    size_t code_len;
    char *code = cw_exec_slurp(argv[optind], cli->exec_conf.job.max_code_bytes, &code_len);
    if (!code) {
        fprintf(stderr, "Error: cannot read %s: %s\n", argv[optind], strerror(errno));
        return 2;
    }
    char *input_text = NULL;
    if (input && input[0] == '@') {
        size_t n;
        input_text = cw_exec_slurp(input + 1, max_job, &n);
        if (!input_text) {
            fprintf(stderr, "Error: cannot read %s: %s\n", input + 1, strerror(errno));
            free(code);
            return 2;
        }
    }
    /* Build the job message; inputData travels as a string of JSON and is
     * parsed by the executor, like everything else in a job. */
    cJSON *job = cJSON_CreateObject();
    uint64_t rnd = 0;
    if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
        rnd = (uint64_t)cw_mono_ns();
    char id[40];
    snprintf(id, sizeof(id), "cli-%016llx", (unsigned long long)rnd);
    cJSON_AddStringToObject(job, "jobId", id);
    cJSON_AddStringToObject(job, "code", code);
    if (input)
        cJSON_AddStringToObject(job, "inputData", input_text ? input_text : input);
    if (timeout)
        cJSON_AddStringToObject(job, "timeout", timeout);
    if (memory)
        cJSON_AddStringToObject(job, "memoryLimit", memory);
    char *msg = cJSON_PrintUnformatted(job);
    cJSON_Delete(job);
    free(code);
    free(input_text);
    if (!msg) {
        fprintf(stderr, "Error: out of memory\n");
        return 2;
    }
    int rc = cw_exec_run(cli, -1, msg, executors ? executors : 1, max_job);
    free(msg);
    return rc;
}

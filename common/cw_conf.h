/*
 * cw_conf.h -- the worker's configuration: one property table, three sources.
 *
 * Every setting is a row {name, type, field, min, max, default, description}
 * (librdkafka's and nginx's habit), so validation, defaults, the environment
 * mapping and `codeworker run -X list` all come from the same place.  Values
 * arrive as strings through cw_conf_set() from, in increasing precedence, the
 * environment (CODEWORKER_JOBS_TOPIC for jobs.topic), a config file
 * ("key = value" lines) and command-line flags.  Keys starting with "kafka."
 * are handed to librdkafka unchanged (without the prefix), so SASL/TLS need
 * no code here; librdkafka validates them when the clients are created.
 */
#ifndef CW_CONF_H
#define CW_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "cw_err.h"

#define CW_CONF_MAX_KAFKA 64

typedef enum { CW_DELIVERY_AT_LEAST_ONCE = 0, CW_DELIVERY_EXACTLY_ONCE = 1 } cw_delivery_t;

typedef struct cw_conf {
    char brokers[512];
    char jobs_topic[250], results_topic[250], dlq_topic[250], cancel_topic[250], logs_topic[250];
    char group[250];
    char reply_pattern[250];
    char metrics_bind[64];
    char client_id[128];
    char mock_inject[512];
    char modules_allowed[512];
    char sandbox_user[64], sandbox_group[64];
    char otlp_url[512], otlp_headers[1024], otlp_service[128];
    int logs_interval_ms;
    int otlp_flush_ms, otlp_timeout_ms, otlp_max_bytes, otlp_untraced;
    int executors;
    int create_topics;
    int partitions;
    int queue_max;
    int queue_max_bytes;
    int metrics_port;
    int delivery; /* cw_delivery_t */
    int drain_timeout_ms;
    int commit_interval_ms;
    int txn_max_results;
    int result_max_bytes;
    int job_max_bytes;
    int max_attempts;
    int cancel_lookback_ms;
    int cancel_max_entries;
    int executor_cache_mb;   /* executor.cache.mb */
    int executor_recycle_mb; /* executor.recycle.mb, 0 = never */
    int sandbox_insecure;
    int kafka_n;
    char *kafka_key[CW_CONF_MAX_KAFKA];
    char *kafka_val[CW_CONF_MAX_KAFKA];
} cw_conf_t;

/* Fill every field with its default.  `ncpu` is the executors default. */
void cw_conf_init(cw_conf_t *c, int ncpu);
void cw_conf_free(cw_conf_t *c);

/* Set one key.  CW_OK, CW_ERR_UNKNOWN_KEY, CW_ERR_INVALID (reason in errstr),
 * CW_ERR_NOMEM. */
cw_err_t cw_conf_set(cw_conf_t *c, const char *key, const char *val, char *errstr, size_t errstr_size);

/* Apply CODEWORKER_* variables from `envp` (NULL-terminated). */
cw_err_t cw_conf_load_env(cw_conf_t *c, char **envp, char *errstr, size_t errstr_size);

/* Apply a file of "key = value" lines ('#' comments, blank lines ignored);
 * errstr names the file and line. */
cw_err_t cw_conf_load_file(cw_conf_t *c, const char *path, char *errstr, size_t errstr_size);

/* Print every property with its current value and description. */
void cw_conf_dump(const cw_conf_t *c, FILE *f);

/* The property names, for tests that check deployment files against them. */
const char *cw_conf_name(size_t i); /* NULL past the end */

#endif /* CW_CONF_H */

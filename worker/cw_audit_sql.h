/*
 * cw_audit_sql.h -- deploy/sql/audit_schema.sql as a C string, so the audit
 * sink can create its tables without the file at hand.  Edit the two
 * together: tests/integration/test_audit.py fails when
 * `codeworker audit --print-schema` differs from the file by one byte.
 */
#ifndef CW_AUDIT_SQL_H
#define CW_AUDIT_SQL_H

static const char cw_audit_schema_sql[] =
    "-- audit_schema.sql -- the tables `codeworker audit` writes, created at\n"
    "-- start-up when missing.  The binary carries a copy of this file\n"
    "-- (worker/cw_audit_sql.h); tests/integration/test_audit.py checks that\n"
    "-- `codeworker audit --print-schema` prints exactly this text.\n"
    "--\n"
    "-- \"ActionExecutionLog\" has the columns of MemberJunction's table of the same\n"
    "-- name, so rows can be copied there as they are, plus \"JobID\" (the job's id:\n"
    "-- a second guard against duplicates), the job's W3C trace context\n"
    "-- (\"TraceParent\", \"TraceState\") and created_at.  The id columns are\n"
    "-- text rather than uuid: they hold whatever the agent put in the job\n"
    "-- (actionId, userId), and a value that is not a UUID must not block the sink.\n"
    "-- Tables are unqualified: put them in another schema with the connection's\n"
    "-- search_path (for example ?options=-csearch_path%3D__mj in the URL).\n"
    "\n"
    "CREATE TABLE IF NOT EXISTS \"ActionExecutionLog\" (\n"
    "    \"ID\"                           uuid PRIMARY KEY,\n"
    "    \"ActionID\"                     text,\n"
    "    \"UserID\"                       text,\n"
    "    \"StartedAt\"                    timestamptz NOT NULL,\n"
    "    \"EndedAt\"                      timestamptz,\n"
    "    \"Params\"                       text,\n"
    "    \"Message\"                      text,\n"
    "    \"ResultParams\"                 text,\n"
    "    \"ResultCode\"                   varchar(255),\n"
    "    \"RetentionPeriod\"              integer,\n"
    "    \"EntityActionID\"               text,\n"
    "    \"EntityActionInvocationTypeID\" text,\n"
    "    \"TargetEntityID\"               text,\n"
    "    \"TargetRecordID\"               text,\n"
    "    \"JobID\"                        text NOT NULL UNIQUE,\n"
    "    \"TraceParent\"                  text,\n"
    "    \"TraceState\"                   text,\n"
    "    created_at                     timestamptz NOT NULL DEFAULT now()\n"
    ");\n"
    "\n"
    "-- The trace context columns, added to a table created before they existed.\n"
    "ALTER TABLE \"ActionExecutionLog\" ADD COLUMN IF NOT EXISTS \"TraceParent\" text;\n"
    "ALTER TABLE \"ActionExecutionLog\" ADD COLUMN IF NOT EXISTS \"TraceState\" text;\n"
    "\n"
    "-- The retention sweep deletes by \"EndedAt\".\n"
    "CREATE INDEX IF NOT EXISTS \"ActionExecutionLog_EndedAt_idx\" ON \"ActionExecutionLog\" (\"EndedAt\");\n"
    "\n"
    "-- Where each consumer group stands in each partition of the results topic:\n"
    "-- the offset of the next record to read.  It is written in the same\n"
    "-- transaction as the rows it covers, so rows and position never disagree;\n"
    "-- Kafka's own committed offsets are not used.  To replay a topic (or after\n"
    "-- recreating it), delete its rows here.\n"
    "CREATE TABLE IF NOT EXISTS codeworker_audit_offsets (\n"
    "    group_id     text    NOT NULL,\n"
    "    topic        text    NOT NULL,\n"
    "    partition_id integer NOT NULL CHECK (partition_id >= 0),\n"
    "    next_offset  bigint  NOT NULL CHECK (next_offset >= 0),\n"
    "    updated_at   timestamptz NOT NULL DEFAULT now(),\n"
    "    PRIMARY KEY (group_id, topic, partition_id)\n"
    ");\n";

#endif /* CW_AUDIT_SQL_H */

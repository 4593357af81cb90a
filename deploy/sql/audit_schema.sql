-- audit_schema.sql -- the tables `codeworker audit` writes, created at
-- start-up when missing.  The binary carries a copy of this file
-- (worker/cw_audit_sql.h); tests/integration/test_audit.py checks that
-- `codeworker audit --print-schema` prints exactly this text.
--
-- "ActionExecutionLog" has the columns of MemberJunction's table of the same
-- name, so rows can be copied there as they are, plus "JobID" (the job's id:
-- a second guard against duplicates), the job's W3C trace context
-- ("TraceParent", "TraceState") and created_at.  The id columns are
-- text rather than uuid: they hold whatever the agent put in the job
-- (actionId, userId), and a value that is not a UUID must not block the sink.
-- Tables are unqualified: put them in another schema with the connection's
-- search_path (for example ?options=-csearch_path%3D__mj in the URL).

CREATE TABLE IF NOT EXISTS "ActionExecutionLog" (
    "ID"                           uuid PRIMARY KEY,
    "ActionID"                     text,
    "UserID"                       text,
    "StartedAt"                    timestamptz NOT NULL,
    "EndedAt"                      timestamptz,
    "Params"                       text,
    "Message"                      text,
    "ResultParams"                 text,
    "ResultCode"                   varchar(255),
    "RetentionPeriod"              integer,
    "EntityActionID"               text,
    "EntityActionInvocationTypeID" text,
    "TargetEntityID"               text,
    "TargetRecordID"               text,
    "JobID"                        text NOT NULL UNIQUE,
    "TraceParent"                  text,
    "TraceState"                   text,
    created_at                     timestamptz NOT NULL DEFAULT now()
);

-- The trace context columns, added to a table created before they existed.
ALTER TABLE "ActionExecutionLog" ADD COLUMN IF NOT EXISTS "TraceParent" text;
ALTER TABLE "ActionExecutionLog" ADD COLUMN IF NOT EXISTS "TraceState" text;

-- The retention sweep deletes by "EndedAt".
CREATE INDEX IF NOT EXISTS "ActionExecutionLog_EndedAt_idx" ON "ActionExecutionLog" ("EndedAt");

-- Where each consumer group stands in each partition of the results topic:
-- the offset of the next record to read.  It is written in the same
-- transaction as the rows it covers, so rows and position never disagree;
-- Kafka's own committed offsets are not used.  To replay a topic (or after
-- recreating it), delete its rows here.
CREATE TABLE IF NOT EXISTS codeworker_audit_offsets (
    group_id     text    NOT NULL,
    topic        text    NOT NULL,
    partition_id integer NOT NULL CHECK (partition_id >= 0),
    next_offset  bigint  NOT NULL CHECK (next_offset >= 0),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, topic, partition_id)
);

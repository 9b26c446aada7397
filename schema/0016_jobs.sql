-- The job queue (issue 12 §2): background work that survives restarts and several instances.
-- Workers take a job with FOR UPDATE SKIP LOCKED and hold it by a lease; a job whose worker
-- died is taken again when its lease ends. Every time is the application's clock, bound as a value.
CREATE TABLE jobs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL CHECK (kind ~ '^[a-z][a-z_]*$'),
    payload      jsonb NOT NULL DEFAULT '{}',
    state        text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    due_at       timestamptz NOT NULL,
    attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts integer NOT NULL CHECK (max_attempts >= 1),
    lease_until  timestamptz,
    leased_by    text,
    last_error   text,
    -- A recurring job is enqueued once per due time: (kind, dedupe_key) is unique.
    dedupe_key   text,
    created_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    CHECK ((state = 'running') = (lease_until IS NOT NULL)),
    CHECK ((state IN ('done', 'failed')) = (finished_at IS NOT NULL))
);
CREATE UNIQUE INDEX jobs_dedupe ON jobs (kind, dedupe_key) WHERE dedupe_key IS NOT NULL;
-- What workers look for: queued jobs by due time, running ones by lease.
CREATE INDEX jobs_queued ON jobs (due_at, id) WHERE state = 'queued';
CREATE INDEX jobs_running ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_state ON jobs (state, id);

-- Recurring jobs and when each is next due.
CREATE TABLE job_schedules (
    kind             text PRIMARY KEY CHECK (kind ~ '^[a-z][a-z_]*$'),
    interval_seconds integer NOT NULL CHECK (interval_seconds > 0),
    next_due_at      timestamptz NOT NULL
);

-- The latest time the jobs have run at, so `jobs run-due --now T` never goes back in time.
CREATE TABLE job_clock (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    latest   timestamptz
);
INSERT INTO job_clock (only_row, latest) VALUES (true, NULL);

-- What probe jobs did: which worker ran which job, and when (for operators and the tests).
CREATE TABLE job_probe_runs (
    job_id    bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    worker    text NOT NULL,
    at        timestamptz NOT NULL
);
CREATE INDEX job_probe_runs_job ON job_probe_runs (job_id);

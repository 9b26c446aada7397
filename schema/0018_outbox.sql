-- Notifications through an outbox (issue 12 §5). A notification row is written in the same
-- transaction as the event that causes it and delivered later by a job, with retries.

-- Webhook endpoints a participant's owners register. The signing secret is kept so deliveries
-- can be signed: sealed with AES-GCM under a key from configuration (never stored in clear,
-- never logged) and shown to the participant once, at creation.
CREATE TABLE webhook_endpoints (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    url            text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000 AND url ~ '^https?://'),
    description    text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    secret_sealed  bytea NOT NULL,
    created_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL,
    deleted_at     timestamptz
);
CREATE INDEX webhook_endpoints_participant ON webhook_endpoints (participant_id) WHERE deleted_at IS NULL;

-- One row per recipient of one event: an email address or a webhook endpoint.
CREATE TABLE outbox (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Stable across retries: the `webhook-id` header, so receivers can deduplicate.
    message_id      text NOT NULL UNIQUE CHECK (length(message_id) BETWEEN 1 AND 100),
    event_kind      text NOT NULL CHECK (event_kind IN ('application.changes_requested', 'application.certified', 'application.rejected', 'webhook.test')),
    participant_id  uuid REFERENCES participants (id) ON DELETE CASCADE,
    channel         text NOT NULL CHECK (channel IN ('email', 'webhook')),
    email           text CHECK (length(email) BETWEEN 3 AND 254),
    endpoint_id     uuid REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    payload         jsonb NOT NULL,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz,
    last_error      text CHECK (length(last_error) <= 2000),
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    CHECK ((channel = 'email') = (email IS NOT NULL)),
    CHECK ((channel = 'webhook') = (endpoint_id IS NOT NULL)),
    CHECK ((state = 'pending') = (next_attempt_at IS NOT NULL)),
    CHECK ((state = 'delivered') = (delivered_at IS NOT NULL))
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';

-- Every delivery attempt, kept for the participant to read (webhooks) and the operators (email).
CREATE TABLE delivery_attempts (
    id           bigserial PRIMARY KEY,
    outbox_id    uuid NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    endpoint_id  uuid REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    attempted_at timestamptz NOT NULL,
    status_code  integer,
    duration_ms  integer NOT NULL CHECK (duration_ms >= 0),
    succeeded    boolean NOT NULL,
    error        text CHECK (length(error) <= 2000)
);
CREATE INDEX delivery_attempts_endpoint ON delivery_attempts (endpoint_id, attempted_at DESC) WHERE endpoint_id IS NOT NULL;

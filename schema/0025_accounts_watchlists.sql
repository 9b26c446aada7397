-- Buyers' accounts and watchlists (issue 13): self sign-up with a verified email, password reset
-- by an emailed single-use link, watchlists of marks and ASNs, and outbox rows and webhook
-- endpoints that belong to a user rather than a participant.

-- An account made by sign-up stays unverified until its emailed link is followed; it cannot sign
-- in before. Accounts made by the secretariat, and every account before this migration, are verified.
ALTER TABLE users ADD COLUMN email_verified boolean NOT NULL DEFAULT true;

-- Single-use links sent by email (verify an address, reset a password). Only the SHA-256 of the
-- secret is kept; the link expires and works once.
CREATE TABLE account_tokens (
    secret_sha256 bytea PRIMARY KEY CHECK (length(secret_sha256) = 32),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose       text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

-- Sign-up and reset requests, for throttling them as sign-ins are (Domain/LoginThrottle.swift).
CREATE TABLE account_requests (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind    text NOT NULL CHECK (kind IN ('signup', 'password_reset')),
    email   text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    address text NOT NULL,
    at      timestamptz NOT NULL
);
CREATE INDEX account_requests_email ON account_requests (kind, lower(email), at);
CREATE INDEX account_requests_address ON account_requests (kind, address, at);

-- A user's named lists of the marks and ASNs they watch (their suppliers).
CREATE TABLE watchlists (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX watchlists_name ON watchlists (user_id, lower(name));

-- One watched mark (its id, `MP-XXXX-XXXX-C`) or ASN (`AS64500`, as certification_scope writes it).
CREATE TABLE watchlist_entries (
    watchlist_id uuid NOT NULL REFERENCES watchlists (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('mark', 'asn')),
    value        text NOT NULL CHECK (length(value) BETWEEN 3 AND 20),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    added_at     timestamptz NOT NULL,
    PRIMARY KEY (watchlist_id, kind, value)
);
CREATE INDEX watchlist_entries_watched ON watchlist_entries (kind, value);

-- A webhook endpoint belongs to a participant or to a user (a buyer's, for their watchlists).
ALTER TABLE webhook_endpoints
    ALTER COLUMN participant_id DROP NOT NULL,
    ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    ADD CONSTRAINT webhook_endpoints_one_owner CHECK ((participant_id IS NULL) <> (user_id IS NULL));
CREATE INDEX webhook_endpoints_user ON webhook_endpoints (user_id) WHERE deleted_at IS NULL AND user_id IS NOT NULL;

-- An outbox row may address a user (their email, or one of their endpoints).
ALTER TABLE outbox ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE;

-- The new events need no change to the outbox: its event kinds are checked by shape since
-- migration 0020.

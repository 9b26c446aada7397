-- Registry: programs and their versioned action catalogs, participants with their resources and
-- contacts, users with memberships, API tokens, browser sessions, idempotency keys, and the
-- audit events every change appends (the workflow issue chains them into a hash chain).

-- btree_gist lets one exclusion constraint say "no two participants hold overlapping prefixes".
-- It is a trusted extension (PostgreSQL 13+): a database owner may create it.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE programs (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9-]{1,31}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A catalog version is edited while a draft and frozen once published. The current version of
-- a program is its highest published one; certifications keep the version they were granted.
CREATE TABLE catalog_versions (
    program_code text NOT NULL REFERENCES programs (code),
    version      integer NOT NULL CHECK (version > 0),
    status       text NOT NULL CHECK (status IN ('draft', 'published')),
    document     jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    row_version  integer NOT NULL DEFAULT 1,
    PRIMARY KEY (program_code, version),
    CHECK ((status = 'published') = (published_at IS NOT NULL))
);
-- At most one draft per program at a time.
CREATE UNIQUE INDEX catalog_versions_one_draft ON catalog_versions (program_code) WHERE status = 'draft';
CREATE TRIGGER catalog_versions_touch BEFORE UPDATE ON catalog_versions FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER catalog_versions_version BEFORE UPDATE ON catalog_versions FOR EACH ROW EXECUTE FUNCTION bump_row_version();

-- Published versions are immutable, whatever the application does.
CREATE FUNCTION refuse_published_catalog_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'catalog version %/% is published and cannot change', OLD.program_code, OLD.version
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
CREATE TRIGGER catalog_versions_frozen BEFORE UPDATE OR DELETE ON catalog_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_published_catalog_change();

CREATE TABLE participants (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    legal_name   text NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 200),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    country      text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    website      text CHECK (length(website) <= 500),
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    row_version  integer NOT NULL DEFAULT 1
);
CREATE INDEX participants_listing ON participants (created_at, id);
CREATE TRIGGER participants_touch BEFORE UPDATE ON participants FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER participants_version BEFORE UPDATE ON participants FOR EACH ROW EXECUTE FUNCTION bump_row_version();

CREATE TABLE participant_programs (
    participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    program_code   text NOT NULL REFERENCES programs (code),
    joined_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (participant_id, program_code)
);
CREATE INDEX participant_programs_program ON participant_programs (program_code);

-- One row per held resource. An ASN has one holder; prefixes of different participants never
-- overlap (a more specific of someone else's prefix is their space, not yours).
CREATE TABLE resources (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('asn', 'prefix', 'route_server_asn', 'peering_lan')),
    asn            bigint CHECK (asn BETWEEN 1 AND 4294967295),
    prefix         cidr,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind IN ('asn', 'route_server_asn')) = (asn IS NOT NULL)),
    CHECK ((asn IS NULL) <> (prefix IS NULL)),
    CONSTRAINT resources_prefix_one_holder EXCLUDE USING gist (prefix inet_ops WITH &&, participant_id WITH <>)
        WHERE (prefix IS NOT NULL)
);
CREATE UNIQUE INDEX resources_asn_unique ON resources (asn) WHERE asn IS NOT NULL;
CREATE UNIQUE INDEX resources_prefix_unique ON resources (prefix) WHERE prefix IS NOT NULL;
CREATE INDEX resources_participant ON resources (participant_id, kind);

CREATE TABLE contacts (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    role           text NOT NULL CHECK (role IN ('noc', 'abuse', 'security', 'policy', 'business')),
    name           text CHECK (length(name) <= 200),
    email          text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    phone          text CHECK (length(phone) <= 32),
    available_24x7 boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    row_version    integer NOT NULL DEFAULT 1
);
CREATE INDEX contacts_participant ON contacts (participant_id, role);
CREATE TRIGGER contacts_touch BEFORE UPDATE ON contacts FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER contacts_version BEFORE UPDATE ON contacts FOR EACH ROW EXECUTE FUNCTION bump_row_version();

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    -- bcrypt; NULL for users who only use API tokens.
    password_hash text,
    role          text NOT NULL CHECK (role IN ('admin', 'auditor', 'applicant', 'enterprise')),
    -- For enterprise users: the verifier organisation they belong to.
    organisation  text CHECK (length(organisation) <= 200),
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    row_version   integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_email_unique ON users (lower(email));
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER users_version BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION bump_row_version();

CREATE TABLE memberships (
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    role           text NOT NULL CHECK (role IN ('owner', 'member')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, participant_id)
);
CREATE INDEX memberships_participant ON memberships (participant_id);

-- API tokens: only the SHA-256 of the secret is kept; `display_prefix` lets a person tell
-- their tokens apart without the secret.
CREATE TABLE api_tokens (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    secret_sha256  bytea NOT NULL UNIQUE CHECK (length(secret_sha256) = 32),
    display_prefix text NOT NULL,
    scopes         text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'write'] AND cardinality(scopes) > 0),
    expires_at     timestamptz,
    last_used_at   timestamptz,
    revoked_at     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);

-- Browser sessions: the cookie carries a random secret, the row its SHA-256.
CREATE TABLE sessions (
    secret_sha256 bytea PRIMARY KEY CHECK (length(secret_sha256) = 32),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Failed and successful logins, for rate limiting per account and per address.
CREATE TABLE login_attempts (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email     text NOT NULL,
    address   text NOT NULL,
    succeeded boolean NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email ON login_attempts (lower(email), at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);

-- Idempotency-Key: the first response to a creating POST, replayed for the same key and body.
-- The row is written in the same transaction as what the request created.
CREATE TABLE idempotency_keys (
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key            text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_sha256 bytea NOT NULL,
    status         integer NOT NULL,
    location       text,
    body           bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

-- Every change to the registry, in the transaction of the change.
CREATE TABLE audit_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    actor_user_id  uuid,
    actor_role     text NOT NULL,
    action         text NOT NULL,
    entity_type    text NOT NULL,
    entity_id      text NOT NULL,
    participant_id uuid,
    before         jsonb,
    after          jsonb,
    request_id     text
);
CREATE INDEX audit_events_participant ON audit_events (participant_id, id) WHERE participant_id IS NOT NULL;
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, id);

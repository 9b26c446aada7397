-- Certification workflow: applications with commitments and evidence, the auditors' review
-- queue with claims and decisions, comments, declared affiliations, and certifications.

CREATE TABLE applications (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    participant_id    uuid NOT NULL REFERENCES participants (id),
    program_code      text NOT NULL,
    catalog_version   integer NOT NULL,
    tier              text NOT NULL CHECK (tier IN ('baseline', 'plus')),
    state             text NOT NULL DEFAULT 'draft'
                      CHECK (state IN ('draft', 'submitted', 'in_review', 'changes_requested', 'approved', 'rejected', 'withdrawn')),
    created_by        uuid REFERENCES users (id),
    submitted_by      uuid REFERENCES users (id),
    submitted_at      timestamptz,
    decided_at        timestamptz,
    -- How many times it was submitted: each submission is a review round.
    round             integer NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    row_version       integer NOT NULL DEFAULT 1,
    -- The version it was made under, which must exist and be published.
    FOREIGN KEY (program_code, catalog_version) REFERENCES catalog_versions (program_code, version)
);
CREATE INDEX applications_participant ON applications (participant_id, created_at);
CREATE INDEX applications_listing ON applications (created_at, id);
CREATE TRIGGER applications_touch BEFORE UPDATE ON applications FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER applications_version BEFORE UPDATE ON applications FOR EACH ROW EXECUTE FUNCTION bump_row_version();

CREATE TABLE commitments (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    application_id uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    action_code    text NOT NULL,
    statement      text NOT NULL DEFAULT '' CHECK (length(statement) <= 20000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (application_id, action_code)
);
CREATE TRIGGER commitments_touch BEFORE UPDATE ON commitments FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Evidence never changes: a correction is a new row that supersedes the old one.
CREATE TABLE evidence (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    application_id  uuid NOT NULL REFERENCES applications (id),
    action_code     text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('document', 'url', 'statement')),
    file_name       text CHECK (length(file_name) BETWEEN 1 AND 200),
    declared_type   text,
    sniffed_type    text,
    size_bytes      bigint CHECK (size_bytes >= 0),
    sha256          bytea CHECK (length(sha256) = 32),
    content         bytea,
    url             text CHECK (length(url) <= 2000),
    text            text CHECK (length(text) <= 20000),
    effective_from  date NOT NULL,
    effective_until date,
    supersedes      uuid UNIQUE REFERENCES evidence (id),
    uploaded_by     uuid REFERENCES users (id),
    uploaded_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (effective_until IS NULL OR effective_until >= effective_from),
    CHECK ((kind = 'document') = (content IS NOT NULL AND sha256 IS NOT NULL AND file_name IS NOT NULL)),
    CHECK ((kind = 'url') = (url IS NOT NULL)),
    CHECK ((kind = 'statement') = (text IS NOT NULL))
);
CREATE INDEX evidence_application ON evidence (application_id, action_code, uploaded_at);

CREATE FUNCTION refuse_evidence_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'evidence is immutable; upload a new version that supersedes it' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER evidence_immutable BEFORE UPDATE OR DELETE ON evidence FOR EACH ROW EXECUTE FUNCTION refuse_evidence_change();

-- The auditors' queue: one item per review round of an application (later: re-attestations,
-- disputes, appeals).
CREATE TABLE review_items (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind             text NOT NULL DEFAULT 'application' CHECK (kind IN ('application')),
    application_id   uuid NOT NULL REFERENCES applications (id),
    round            integer NOT NULL,
    participant_id   uuid NOT NULL REFERENCES participants (id),
    program_code     text NOT NULL,
    tier             text NOT NULL,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'awaiting_second', 'flagged', 'closed')),
    due_at           timestamptz NOT NULL,
    claimed_by       uuid REFERENCES users (id),
    claim_expires_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    closed_at        timestamptz,
    row_version      integer NOT NULL DEFAULT 1,
    UNIQUE (application_id, round),
    CHECK ((claimed_by IS NULL) = (claim_expires_at IS NULL))
);
CREATE INDEX review_items_queue ON review_items (due_at) WHERE status <> 'closed';
CREATE TRIGGER review_items_version BEFORE UPDATE ON review_items FOR EACH ROW EXECUTE FUNCTION bump_row_version();

CREATE TABLE decisions (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    review_item_id uuid NOT NULL REFERENCES review_items (id),
    application_id uuid NOT NULL REFERENCES applications (id),
    round          integer NOT NULL,
    reviewer_id    uuid NOT NULL REFERENCES users (id),
    reviewer_role  text NOT NULL,
    decision       text NOT NULL CHECK (decision IN ('approve', 'request_changes', 'reject')),
    -- Per action: {"netops.1": "Please attach the filter configuration."}
    action_comments jsonb NOT NULL DEFAULT '{}',
    reasons        text NOT NULL DEFAULT '' CHECK (length(reasons) <= 20000),
    -- The decision that moved the application (exactly one per round).
    final          boolean NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (review_item_id, reviewer_id)
);
CREATE UNIQUE INDEX decisions_one_final_per_round ON decisions (application_id, round) WHERE final;

CREATE TABLE comments (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    application_id uuid NOT NULL REFERENCES applications (id),
    author_id      uuid NOT NULL REFERENCES users (id),
    author_role    text NOT NULL,
    body           text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    -- Internal notes are for auditors and admins only.
    internal       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_application ON comments (application_id, created_at);

-- What auditors declare: the participants they work for or with, and when.
CREATE TABLE affiliations (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    auditor_id     uuid NOT NULL REFERENCES users (id),
    participant_id uuid NOT NULL REFERENCES participants (id),
    relation       text NOT NULL CHECK (length(relation) BETWEEN 1 AND 500),
    valid_from     date NOT NULL,
    valid_until    date,
    declared_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_until IS NULL OR valid_until > valid_from)
);
CREATE INDEX affiliations_auditor ON affiliations (auditor_id);
CREATE INDEX affiliations_participant ON affiliations (participant_id);

CREATE TABLE certifications (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    participant_id  uuid NOT NULL REFERENCES participants (id),
    program_code    text NOT NULL,
    tier            text NOT NULL CHECK (tier IN ('baseline', 'plus')),
    catalog_version integer NOT NULL,
    application_id  uuid NOT NULL UNIQUE REFERENCES applications (id),
    actions         text[] NOT NULL,
    granted_at      timestamptz NOT NULL,
    valid_until     timestamptz NOT NULL,
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'warned', 'suspended', 'revoked', 'expired', 'withdrawn')),
    status_reason   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    row_version     integer NOT NULL DEFAULT 1,
    FOREIGN KEY (program_code, catalog_version) REFERENCES catalog_versions (program_code, version),
    CHECK (valid_until > granted_at)
);
-- One mark in force per participant and program.
CREATE UNIQUE INDEX certifications_one_in_force ON certifications (participant_id, program_code)
    WHERE status IN ('active', 'warned', 'suspended');
CREATE TRIGGER certifications_touch BEFORE UPDATE ON certifications FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER certifications_version BEFORE UPDATE ON certifications FOR EACH ROW EXECUTE FUNCTION bump_row_version();

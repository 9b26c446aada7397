-- The quality mark for buyers (issue 13): the deployment's issuer keys, one mark per participant
-- and program (its id survives warnings, suspension, reinstatement and recertification), the
-- signed credentials issued under it, and their status-list entries.

-- One signing key at a time; retired keys stay so that what they signed keeps verifying.
CREATE TABLE issuer_keys (
    -- The verification method's fragment in the DID document, for example 'key-1'.
    id                 text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{1,64}$'),
    public_key         bytea NOT NULL CHECK (length(public_key) = 32),
    -- The private key sealed with the key from configuration; NULL when the key lives in a file.
    sealed_private_key bytea,
    created_at         timestamptz NOT NULL,
    retired_at         timestamptz
);
CREATE UNIQUE INDEX issuer_keys_one_signing ON issuer_keys ((true)) WHERE retired_at IS NULL;

-- A mark: public, stable, non-sequential (MarkID: Crockford base32 with a Damm check character).
CREATE TABLE marks (
    id             text PRIMARY KEY CHECK (id ~ '^MP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$'),
    participant_id uuid NOT NULL REFERENCES participants (id),
    program_code   text NOT NULL,
    created_at     timestamptz NOT NULL,
    UNIQUE (participant_id, program_code)
);

-- Each certification carries its participant's mark for its program.
ALTER TABLE certifications ADD COLUMN mark_id text REFERENCES marks (id);
CREATE INDEX certifications_mark ON certifications (mark_id, granted_at DESC);

-- The signed credentials of a mark: one per certification, and a new one when a revocation is
-- overturned on appeal (its revocation bit can never be reset). Each has its own entries in the
-- two status lists; the bits are the two booleans, flipped on the enforcement transition's
-- transaction, and the published lists are built from them.
CREATE TABLE mark_credentials (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    mark_id           text NOT NULL REFERENCES marks (id),
    certification_id  uuid NOT NULL REFERENCES certifications (id),
    key_id            text NOT NULL REFERENCES issuer_keys (id),
    document          jsonb NOT NULL,
    issued_at         timestamptz NOT NULL,
    status_index      integer NOT NULL UNIQUE CHECK (status_index >= 0),
    suspended         boolean NOT NULL DEFAULT false,
    revoked           boolean NOT NULL DEFAULT false
);
CREATE INDEX mark_credentials_by_mark ON mark_credentials (mark_id, issued_at DESC);
CREATE INDEX mark_credentials_by_certification ON mark_credentials (certification_id);

-- A revoked entry is never reset (the Bitstring Status List's revocation purpose).
CREATE FUNCTION refuse_unrevoke() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.revoked AND NOT NEW.revoked THEN
        RAISE EXCEPTION 'a revoked credential stays revoked' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER mark_credentials_revocation_final BEFORE UPDATE ON mark_credentials FOR EACH ROW EXECUTE FUNCTION refuse_unrevoke();

-- Resource verification. A claim no longer makes its participant the holder: it starts
-- unverified, and only verified resources block other claimants (the one-holder constraints
-- below), count in measurements and may enter a certification's scope. An ASN is verified by
-- the secretariat with a recorded reason; a prefix by the secretariat, or automatically when the
-- latest VRP snapshot authorises one of the participant's verified ASNs for it (the VRP and its
-- snapshot are recorded). When a resource is verified, other participants' unverified claims
-- of it (or of overlapping space) become superseded, visible to them with the reason.
--
-- Existing rows become unverified: before this migration anyone could claim anything, so no
-- existing claim is evidence of holding. `manrs-plus demo load` verifies the demo's own
-- resources through the same code path as the API, with a recorded basis.

ALTER TABLE resources
    ADD COLUMN verification        text NOT NULL DEFAULT 'unverified'
        CHECK (verification IN ('unverified', 'verified', 'superseded')),
    -- How a verified resource was shown to be the participant's; NULL unless verified.
    ADD COLUMN verification_basis  text CHECK (verification_basis IN ('staff', 'rpki')),
    -- Staff's reason (verification, withdrawal), or why a claim was superseded.
    ADD COLUMN verification_reason text CHECK (length(verification_reason) BETWEEN 1 AND 2000),
    ADD COLUMN verification_url    text CHECK (length(verification_url) BETWEEN 1 AND 500),
    -- For `rpki`: the VRP snapshot and the VRP that authorised one of the participant's verified
    -- ASNs. No foreign key: the record of what was seen outlives the snapshot.
    ADD COLUMN verification_snapshot_id   bigint,
    ADD COLUMN verification_vrp_prefix     cidr,
    ADD COLUMN verification_vrp_max_length smallint CHECK (verification_vrp_max_length BETWEEN 0 AND 128),
    ADD COLUMN verification_vrp_asn        bigint CHECK (verification_vrp_asn BETWEEN 1 AND 4294967295),
    -- Who changed the state (NULL for the command line) and when.
    ADD COLUMN verification_by uuid,
    ADD COLUMN verification_at timestamptz,
    ADD CONSTRAINT resources_verification_basis CHECK ((verification = 'verified') = (verification_basis IS NOT NULL)),
    ADD CONSTRAINT resources_verification_staff CHECK (verification_basis <> 'staff' OR verification_reason IS NOT NULL),
    ADD CONSTRAINT resources_verification_rpki CHECK (
        (verification_basis IS NOT DISTINCT FROM 'rpki') = (verification_snapshot_id IS NOT NULL AND verification_vrp_prefix IS NOT NULL
            AND verification_vrp_max_length IS NOT NULL AND verification_vrp_asn IS NOT NULL)),
    ADD CONSTRAINT resources_verification_superseded CHECK (verification <> 'superseded' OR verification_reason IS NOT NULL);

-- One holder per resource, among verified resources only: unverified claims block no one.
ALTER TABLE resources DROP CONSTRAINT resources_prefix_one_holder;
ALTER TABLE resources ADD CONSTRAINT resources_prefix_one_holder EXCLUDE USING gist (prefix inet_ops WITH &&, participant_id WITH <>)
    WHERE (prefix IS NOT NULL AND verification = 'verified');
DROP INDEX resources_asn_unique;
DROP INDEX resources_prefix_unique;
CREATE UNIQUE INDEX resources_asn_one_holder ON resources (asn) WHERE asn IS NOT NULL AND verification = 'verified';
-- A participant claims a value once, whatever its state.
CREATE UNIQUE INDEX resources_participant_asn ON resources (participant_id, asn) WHERE asn IS NOT NULL;
CREATE UNIQUE INDEX resources_participant_prefix ON resources (participant_id, prefix) WHERE prefix IS NOT NULL;
-- Competing claims of a value or overlapping space, whatever their state.
CREATE INDEX resources_asn ON resources (asn) WHERE asn IS NOT NULL;
CREATE INDEX resources_prefix_overlap ON resources USING gist (prefix inet_ops) WHERE prefix IS NOT NULL;
-- The secretariat's queue of unverified claims, oldest first.
CREATE INDEX resources_verification_queue ON resources (verification, created_at, id);

import Domain
import Foundation
import Postgres
import Routing

/// The latest VRP snapshot's word on some prefixes (`ParticipantStore.rpkiEvidence(for:)`).
public struct RPKIEvidence: Sendable {
    public let snapshotID: Int
    public let takenAt: Date
    /// The snapshot's VRPs at or above the prefixes asked about.
    public let vrps: [VRP]
}

/// Resource verification: who holds what, shown with evidence. A claim starts unverified; staff
/// verify an ASN (and any resource) with a reason; a prefix is verified automatically when the
/// latest VRP snapshot authorises one of the participant's verified ASNs for it. Only verified
/// resources block other claimants: verifying one supersedes other participants' unverified
/// claims of it or of overlapping space, each with its audit event.
extension ParticipantStore {
    /// Staff verify a claim with `reason` (and an evidence `url`): 409 when it is already verified
    /// or another participant holds it or overlapping space. Verifying an ASN then verifies the
    /// participant's prefixes that the latest VRPs authorise for it.
    public func verifyResource(_ id: UUID, of participant: UUID, reason: String, url: String?, context: ChangeContext) async throws -> Resource {
        try await withClaimConflicts(context: context) {
            try await database.transaction { connection in
                try await Self.lockResources(on: connection)
                let before = try await Self.lockedResource(id, of: participant, on: connection)
                guard before.verification.state != .verified else {
                    throw StoreError.conflict(
                        slug: "resource-verified", detail: "\(before.value) is already verified; withdraw the verification first to change its basis."
                    )
                }
                let value = try Self.value(of: before)
                if let holder = try await Self.verifiedHolder(of: value, other: participant, on: connection) {
                    throw Self.heldConflict(before.value, holder: holder, context: context)
                }
                let after = try await Self.claiming(value) {
                    try await Self.setVerification(
                        id, state: .verified, basis: .staff, reason: reason, url: url, proof: nil, context: context, on: connection)
                }
                try await AuditLog.append(
                    "resource.verified", entity: "resource", id: id.uuidString.lowercased(), participant: participant,
                    before: before, after: after, context: context, on: connection)
                try await Self.supersedeCompetitors(of: value, holder: participant, context: context, on: connection)
                if before.kind.isASN { _ = try await Self.verifyPrefixesByRPKI(of: participant, context: context, on: connection) }
                return after
            }
        }
    }

    /// Staff withdraw a verification with `reason`: the resource is unverified again and blocks no
    /// one. Withdrawing an ASN also withdraws the RPKI verifications that rested on it, unless
    /// another verified ASN of the participant is authorised for the prefix. 409 when not verified.
    public func unverifyResource(_ id: UUID, of participant: UUID, reason: String, context: ChangeContext) async throws -> Resource {
        // Re-running RPKI verification may meet another holder.
        try await withClaimConflicts(context: context) { try await unverify(id, of: participant, reason: reason, context: context) }
    }

    private func unverify(_ id: UUID, of participant: UUID, reason: String, context: ChangeContext) async throws -> Resource {
        try await database.transaction { connection in
            try await Self.lockResources(on: connection)
            let before = try await Self.lockedResource(id, of: participant, on: connection)
            guard before.verification.state == .verified else {
                throw StoreError.conflict(slug: "resource-not-verified", detail: "\(before.value) is not verified.")
            }
            let after = try await Self.setVerification(
                id, state: .unverified, basis: nil, reason: reason, url: nil, proof: nil, context: context, on: connection)
            try await AuditLog.append(
                "resource.unverified", entity: "resource", id: id.uuidString.lowercased(), participant: participant,
                before: before, after: after, context: context, on: connection)
            if let asn = before.asn {
                let dependent = try await connection.query(
                    """
                    \(unsafeRaw: Self.selectResource)
                    WHERE r.participant_id = \(participant) AND r.verification_basis = 'rpki' AND r.verification_vrp_asn = \(asn) FOR UPDATE
                    """
                ).map(Self.resource(from:))
                for prefix in dependent {
                    let withdrawn = try await Self.setVerification(
                        prefix.id, state: .unverified, basis: nil, reason: "The verification of AS\(asn), which the VRP names, was withdrawn.",
                        url: nil, proof: nil, context: context, on: connection)
                    try await AuditLog.append(
                        "resource.unverified", entity: "resource", id: prefix.id.uuidString.lowercased(), participant: participant,
                        before: prefix, after: withdrawn, context: context, on: connection)
                }
                if !dependent.isEmpty { _ = try await Self.verifyPrefixesByRPKI(of: participant, context: context, on: connection) }
            }
            return after
        }
    }

    /// Runs automatic prefix verification against the latest VRP snapshot, for one participant or
    /// for every participant with a verified ASN and an unverified prefix (after a VRP import).
    /// Returns the prefixes it verified; each participant is one transaction.
    public func verifyPrefixesByRPKI(participant: UUID?, context: ChangeContext) async throws -> [Resource] {
        let participants: [UUID]
        if let participant {
            _ = try await get(participant)
            participants = [participant]
        } else {
            participants = try await database.query(
                """
                SELECT DISTINCT c.participant_id FROM resources c
                WHERE c.prefix IS NOT NULL AND c.verification = 'unverified'
                  AND EXISTS (SELECT 1 FROM resources a WHERE a.participant_id = c.participant_id AND a.asn IS NOT NULL AND a.verification = 'verified')
                ORDER BY 1
                """
            ).map { try $0.decode(0, as: UUID.self) }
        }
        var verified: [Resource] = []
        for id in participants {
            verified += try await withClaimConflicts(context: context) {
                try await database.transaction { connection in
                    try await Self.lockResources(on: connection)
                    return try await Self.verifyPrefixesByRPKI(of: id, context: context, on: connection)
                }
            }
        }
        return verified
    }

    /// What the latest VRP snapshot holds about `prefixes`, for staff weighing claims: the
    /// snapshot, and its VRPs at or above each prefix (any ASN; `ResourceVerification` says which
    /// of them speak for a prefix). Nil when no VRPs were imported.
    public func rpkiEvidence(for prefixes: [IPPrefix]) async throws -> RPKIEvidence? {
        guard
            let snapshot = try await database.query(
                "SELECT id, taken_at FROM measurement_snapshots WHERE kind = 'vrps' ORDER BY taken_at DESC, id DESC LIMIT 1"
            ).single
        else { return nil }
        let id = try snapshot.decode("id", as: Int.self)
        let vrps =
            prefixes.isEmpty
            ? []
            : try await database.query(
                """
                SELECT prefix::text AS prefix, max_length::integer AS max_length, asn FROM snapshot_vrps
                WHERE snapshot_id = \(id) AND prefix = ANY(\(MeasurementStore.coveringCandidates(of: prefixes))::cidr[])
                ORDER BY prefix, asn
                """
            ).map { row in
                VRP(
                    prefix: try IPPrefix(try row.decode("prefix", as: String.self), strict: false),
                    maxLength: UInt8(clamping: try row.decode("max_length", as: Int.self)), asn: ASN(try row.decode("asn", as: Int64.self)))
            }
        return RPKIEvidence(snapshotID: id, takenAt: try snapshot.decode("taken_at", as: Date.self), vrps: vrps)
    }

    // MARK: Steps, inside the caller's transaction

    /// Serialises claims and verifications: the check that no one else holds a resource and the
    /// write that follows see the same state. Claims are rare; one lock keeps the rules simple.
    static func lockResources(on connection: PostgresConnection) async throws {
        // "resource" in ASCII, a key no other lock of the application uses.
        try await connection.execute("SELECT pg_advisory_xact_lock(\(Int64(0x7265_736f_7572_6365)))")
    }

    static func lockedResource(_ id: UUID, of participant: UUID, on connection: PostgresConnection) async throws -> Resource {
        guard
            let row = try await connection.query(
                "\(unsafeRaw: selectResource) WHERE r.id = \(id) AND r.participant_id = \(participant) FOR UPDATE"
            ).single
        else {
            throw StoreError.notFound("Participant \(participant.uuidString.lowercased()) holds no resource \(id.uuidString.lowercased()).")
        }
        return try resource(from: row)
    }

    static func value(of resource: Resource) throws -> ResourceValue {
        if let asn = resource.asn { return .asn(ASN(asn)) }
        return .prefix(try IPPrefix(resource.prefix ?? "", strict: false))
    }

    /// The public name of a participant (other than `participant`, when given) holding `value`
    /// verified, or verified space overlapping it; nil when no one does.
    static func verifiedHolder(of value: ResourceValue, other participant: UUID?, on connection: PostgresConnection) async throws -> String? {
        let (asn, prefix) = columns(value)
        return try await connection.query(
            """
            SELECT p.display_name FROM resources r JOIN participants p ON p.id = r.participant_id
            WHERE r.verification = 'verified' AND (\(participant)::uuid IS NULL OR r.participant_id <> \(participant)::uuid)
              AND (r.asn = \(asn)::bigint OR r.prefix && \(prefix)::cidr)
            LIMIT 1
            """
        ).single.map { try $0.decode(0, as: String.self) }
    }

    static func columns(_ value: ResourceValue) -> (asn: Int64?, prefix: String?) {
        switch value {
        case .asn(let asn): (Int64(asn), nil)
        case .prefix(let prefix): (nil, prefix.description)
        }
    }

    /// What an RPKI verification rests on.
    struct RPKIProof {
        let snapshotID: Int
        let vrp: VRP
    }

    /// Writes a resource's verification state; every field not given is cleared.
    static func setVerification(
        _ id: UUID, state: VerificationState, basis: VerificationBasis?, reason: String?, url: String?, proof: RPKIProof?,
        context: ChangeContext, on connection: PostgresConnection
    ) async throws -> Resource {
        try resource(
            from: try await connection.query(
                """
                UPDATE resources r SET verification = \(state.rawValue), verification_basis = \(basis?.rawValue),
                    verification_reason = \(reason), verification_url = \(url), verification_snapshot_id = \(proof?.snapshotID),
                    verification_vrp_prefix = \(proof?.vrp.prefix.description)::cidr,
                    verification_vrp_max_length = \(proof.map { Int($0.vrp.maxLength) }),
                    verification_vrp_asn = \(proof.map { Int64($0.vrp.asn) }),
                    verification_by = \(context.actor?.userID), verification_at = \(context.at)
                WHERE r.id = \(id)
                RETURNING \(unsafeRaw: resourceColumns)
                """)[0])
    }

    /// Marks other participants' unverified claims of `value`, or of overlapping space, superseded,
    /// each with its audit event on that participant's timeline (which does not name the holder).
    static func supersedeCompetitors(of value: ResourceValue, holder: UUID, context: ChangeContext, on connection: PostgresConnection) async throws {
        let (asn, prefix) = columns(value)
        let competitors = try await connection.query(
            """
            \(unsafeRaw: selectResource)
            WHERE r.verification = 'unverified' AND r.participant_id <> \(holder) AND (r.asn = \(asn)::bigint OR r.prefix && \(prefix)::cidr)
            ORDER BY r.created_at, r.id FOR UPDATE
            """
        ).map(resource(from:))
        for claim in competitors {
            let after = try await setVerification(
                claim.id, state: .superseded, basis: nil,
                reason: "\(value) was verified as another participant's; a resource has one holder at a time. Ask the secretariat if it is yours.",
                url: nil, proof: nil, context: context, on: connection)
            try await AuditLog.append(
                "resource.superseded", entity: "resource", id: claim.id.uuidString.lowercased(), participant: claim.participantID,
                before: claim, after: after, context: context, on: connection)
        }
    }

    /// Verifies the participant's unverified prefixes (only `only` when given) that a VRP of the
    /// latest VRP snapshot authorises for one of its verified ASNs, unless another participant
    /// holds overlapping verified space. Returns those it verified.
    static func verifyPrefixesByRPKI(of participant: UUID, only: UUID? = nil, context: ChangeContext, on connection: PostgresConnection)
        async throws -> [Resource]
    {
        guard
            let snapshot = try await connection.query(
                "SELECT id FROM measurement_snapshots WHERE kind = 'vrps' ORDER BY taken_at DESC, id DESC LIMIT 1"
            ).single.map({ try $0.decode(0, as: Int.self) })
        else { return [] }
        let asns = try await connection.query(
            """
            SELECT asn FROM resources WHERE participant_id = \(participant) AND asn IS NOT NULL AND verification = 'verified'
            """
        ).map { try $0.decode(0, as: Int64.self) }
        guard !asns.isEmpty else { return [] }
        let claims = try await connection.query(
            """
            \(unsafeRaw: selectResource)
            WHERE r.participant_id = \(participant) AND r.prefix IS NOT NULL AND r.verification = 'unverified'
              AND (\(only)::uuid IS NULL OR r.id = \(only)::uuid)
            ORDER BY r.prefix FOR UPDATE
            """
        ).map(resource(from:))
        guard !claims.isEmpty else { return [] }
        let prefixes = try claims.map { try IPPrefix($0.prefix ?? "", strict: false) }
        let vrps = try await connection.query(
            """
            SELECT prefix::text AS prefix, max_length::integer AS max_length, asn FROM snapshot_vrps
            WHERE snapshot_id = \(snapshot) AND prefix = ANY(\(MeasurementStore.coveringCandidates(of: prefixes))::cidr[]) AND asn = ANY(\(asns))
            """
        ).map { row in
            VRP(
                prefix: try IPPrefix(try row.decode("prefix", as: String.self), strict: false),
                maxLength: UInt8(clamping: try row.decode("max_length", as: Int.self)), asn: ASN(try row.decode("asn", as: Int64.self)))
        }
        let verifiedASNs = Set(asns.map { ASN($0) })
        var verified: [Resource] = []
        for (claim, prefix) in zip(claims, prefixes) {
            guard let vrp = ResourceVerification.authorisingVRP(for: prefix, among: vrps, verifiedASNs: verifiedASNs),
                try await verifiedHolder(of: .prefix(prefix), other: participant, on: connection) == nil
            else { continue }
            let after = try await claiming(.prefix(prefix)) {
                try await setVerification(
                    claim.id, state: .verified, basis: .rpki, reason: nil, url: nil, proof: RPKIProof(snapshotID: snapshot, vrp: vrp),
                    context: context, on: connection)
            }
            try await AuditLog.append(
                "resource.verified", entity: "resource", id: claim.id.uuidString.lowercased(), participant: participant,
                before: claim, after: after, context: context, on: connection)
            try await supersedeCompetitors(of: .prefix(prefix), holder: participant, context: context, on: connection)
            verified.append(after)
        }
        return verified
    }
}

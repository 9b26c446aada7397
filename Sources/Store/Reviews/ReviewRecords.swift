import Domain
import Foundation
import Postgres

/// An item of the auditors' queue.
public struct ReviewItem: Sendable, Encodable {
    public let id: UUID
    public let kind: ReviewKind
    /// What the item is about, in words ("Dispute of the failed check rpki_coverage on netops.4, …").
    public let subject: String
    /// The application under review (kind `application`), nil for the other kinds.
    public let applicationID: UUID?
    /// The certification the item is about (every kind but `application`).
    public let certificationID: UUID?
    /// The disputed check result (kind `dispute`).
    public let checkResultID: UUID?
    /// The enforcement transition appealed against (kind `appeal`).
    public let transitionID: UUID?
    /// What the participant wrote when opening a dispute or an appeal.
    public let statement: String?
    public let round: Int
    public let participantID: UUID
    public let participantName: String
    public let program: String
    public let tier: Tier
    public let status: ReviewStatus
    public let dueAt: Date
    public let overdue: Bool
    public let claimedBy: UUID?
    public let claimedByName: String?
    public let claimExpiresAt: Date?
    public let decisions: Int
    public let createdAt: Date
    public let version: Int

    enum CodingKeys: String, CodingKey {
        case id, kind, subject, statement, round, program, tier, status, overdue, decisions, version
        case applicationID = "application_id"
        case certificationID = "certification_id"
        case checkResultID = "check_result_id"
        case transitionID = "transition_id"
        case participantID = "participant_id"
        case participantName = "participant_name"
        case dueAt = "due_at"
        case claimedBy = "claimed_by"
        case claimedByName = "claimed_by_name"
        case claimExpiresAt = "claim_expires_at"
        case createdAt = "created_at"
    }

    static let columns = """
        r.id, r.application_id, r.round, r.participant_id, p.display_name AS participant_name, r.program_code, r.tier, r.status, r.due_at,
        r.claimed_by, u.display_name AS claimed_by_name, r.claim_expires_at,
        (SELECT count(*) FROM decisions d WHERE d.review_item_id = r.id) AS decision_count, r.created_at, r.row_version,
        r.kind, r.certification_id, r.check_result_id, r.transition_id, r.statement,
        cr.action_code AS result_action, cr.check_definition->>'kind' AS result_check, cr.measured_at AS result_measured_at,
        t.to_status AS transition_to, t.at AS transition_at
        """
    static let from = """
        review_items r JOIN participants p ON p.id = r.participant_id LEFT JOIN users u ON u.id = r.claimed_by
        LEFT JOIN check_results cr ON cr.id = r.check_result_id LEFT JOIN enforcement_transitions t ON t.id = r.transition_id
        """

    /// The claim as its rules see it, live or expired.
    public var claim: ReviewClaim? {
        guard let claimedBy, let claimExpiresAt else { return nil }
        return ReviewClaim(holder: claimedBy, holderName: claimedByName, expiresAt: claimExpiresAt)
    }

    /// Reads a row, as seen at `time` (which decides whether it is overdue).
    init(row: PostgresRow, at time: Date) throws {
        id = try row.decode("id")
        kind = try row.decode("kind", as: ReviewKind.self)
        applicationID = try row.decode("application_id")
        certificationID = try row.decode("certification_id")
        checkResultID = try row.decode("check_result_id")
        transitionID = try row.decode("transition_id")
        statement = try row.decode("statement")
        round = try row.decode("round")
        participantID = try row.decode("participant_id")
        participantName = try row.decode("participant_name")
        program = try row.decode("program_code")
        tier = try row.decode("tier", as: Tier.self)
        status = try row.decode("status", as: ReviewStatus.self)
        dueAt = try row.decode("due_at")
        overdue = status != .closed && dueAt < time
        claimedBy = try row.decode("claimed_by")
        claimedByName = try row.decode("claimed_by_name")
        claimExpiresAt = try row.decode("claim_expires_at")
        decisions = try row.decode("decision_count")
        createdAt = try row.decode("created_at")
        version = try row.decode("row_version")
        subject = Self.subject(
            kind, round: round, resultAction: try row.decode("result_action"), resultCheck: try row.decode("result_check"),
            measuredAt: try row.decode("result_measured_at"), transitionTo: try row.decode("transition_to", as: CertificationStatus?.self),
            transitionAt: try row.decode("transition_at"))
    }

    /// What an item is about, in plain words, for the queue and the API.
    static func subject(
        _ kind: ReviewKind, round: Int, resultAction: String?, resultCheck: String?, measuredAt: Date?, transitionTo: CertificationStatus?,
        transitionAt: Date?
    ) -> String {
        func day(_ date: Date?) -> String { date.map { ReviewStore.utcDay($0) } ?? "an unknown day" }
        switch kind {
        case .application: return round > 1 ? "Application, review \(round)" : "Application"
        case .dispute:
            return
                "Dispute of the failed check \(resultCheck ?? "") on \(resultAction ?? "") measured \(day(measuredAt)): the participant says it is a false positive"
        case .appeal:
            let what: String =
                switch transitionTo {
                case .warned: "warning"
                case .suspended: "suspension"
                case .revoked: "revocation"
                default: transitionTo?.rawValue ?? "transition"
                }
            return "Appeal against the \(what) of \(day(transitionAt))"
        case .reinstatement: return "The suspended certification passes its checks again: decide on reinstatement"
        case .insufficientData: return "Two checks in a row could not be decided for lack of data"
        case .scopeChanged: return "A resource in the certification's scope lost its verification or its holder"
        case .reattestation: return "Yearly re-attestation of statements and evidence"
        case .recertification: return "Recertification at the end of the catalog's period"
        }
    }
}

public struct DecisionRecord: Sendable, Encodable {
    public let id: UUID
    public let reviewItemID: UUID
    public let round: Int
    public let reviewerID: UUID
    public let reviewerName: String
    public let reviewerRole: String
    public let decision: Decision
    public let actionComments: [String: String]
    public let reasons: String
    public let final: Bool
    public let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, round, decision, reasons, final
        case reviewItemID = "review_item_id"
        case reviewerID = "reviewer_id"
        case reviewerName = "reviewer_name"
        case reviewerRole = "reviewer_role"
        case actionComments = "action_comments"
        case createdAt = "created_at"
    }
}

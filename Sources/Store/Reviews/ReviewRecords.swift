import Domain
import Foundation
import Postgres

/// An item of the auditors' queue.
public struct ReviewItem: Sendable, Encodable {
    public let id: UUID
    public let applicationID: UUID
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
        case id, round, program, tier, status, overdue, decisions, version
        case applicationID = "application_id"
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
        (SELECT count(*) FROM decisions d WHERE d.review_item_id = r.id) AS decision_count, r.created_at, r.row_version
        """
    static let from = "review_items r JOIN participants p ON p.id = r.participant_id LEFT JOIN users u ON u.id = r.claimed_by"

    /// The claim as its rules see it, live or expired.
    public var claim: ReviewClaim? {
        guard let claimedBy, let claimExpiresAt else { return nil }
        return ReviewClaim(holder: claimedBy, holderName: claimedByName, expiresAt: claimExpiresAt)
    }

    /// Reads a row, as seen at `time` (which decides whether it is overdue).
    init(row: PostgresRow, at time: Date) throws {
        id = try row.decode("id")
        applicationID = try row.decode("application_id")
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

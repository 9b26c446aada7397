import Domain
import Foundation
import Store

struct ApplicationInput: Codable {
    var participantID: UUID
    var program: String
    var tier: Tier

    enum CodingKeys: String, CodingKey {
        case program, tier
        case participantID = "participant_id"
    }
}

struct CommitmentInput: Codable {
    var statement: String
}

/// Evidence that is not a file: a URL or a statement, with the dates it covers.
struct EvidenceInput: Codable {
    var kind: String
    var url: String?
    var text: String?
    var effectiveFrom: String
    var effectiveUntil: String?
    var supersedes: UUID?

    enum CodingKeys: String, CodingKey {
        case kind, url, text, supersedes
        case effectiveFrom = "effective_from"
        case effectiveUntil = "effective_until"
    }
}

struct CommentInput: Codable {
    var body: String
    var isInternal: Bool?

    enum CodingKeys: String, CodingKey {
        case body
        case isInternal = "internal"
    }
}

struct DecisionInput: Codable {
    var decision: Decision
    var actionComments: [String: String]?
    var reasons: String?

    enum CodingKeys: String, CodingKey {
        case decision, reasons
        case actionComments = "action_comments"
    }
}

struct AssignInput: Codable {
    var auditorID: UUID

    enum CodingKeys: String, CodingKey {
        case auditorID = "auditor_id"
    }
}

struct AffiliationInput: Codable {
    var participantID: UUID
    var relation: String
    var validFrom: String
    var validUntil: String?

    enum CodingKeys: String, CodingKey {
        case relation
        case participantID = "participant_id"
        case validFrom = "valid_from"
        case validUntil = "valid_until"
    }
}

/// A dispute of a check result, or an appeal: why, in the participant's words.
struct ReasonInput: Codable {
    var reason: String
}

/// An admin's override of a certification's enforcement status.
struct OverrideInput: Codable {
    var status: CertificationStatus
    var reason: String
}

/// A participant's confirmation of its re-attestation or recertification: what it states now
/// (the same statements, or what changed and where the new evidence is).
struct RenewalInput: Codable {
    var kind: ReviewKind
    var statement: String
}

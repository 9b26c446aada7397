import Foundation

public struct AffiliationRecord: Sendable, Encodable {
    public let id: UUID
    public let auditorID: UUID
    public let auditorName: String
    public let participantID: UUID
    public let participantName: String
    public let relation: String
    public let validFrom: String
    public let validUntil: String?
    public let declaredAt: Date

    enum CodingKeys: String, CodingKey {
        case id, relation
        case auditorID = "auditor_id"
        case auditorName = "auditor_name"
        case participantID = "participant_id"
        case participantName = "participant_name"
        case validFrom = "valid_from"
        case validUntil = "valid_until"
        case declaredAt = "declared_at"
    }
}

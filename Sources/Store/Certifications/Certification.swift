import Domain
import Foundation
import Postgres

public struct Certification: Sendable, Encodable {
    public let id: UUID
    public let participantID: UUID
    public let participantName: String
    public let program: String
    public let tier: Tier
    public let catalogVersion: Int
    public let applicationID: UUID
    public let actions: [String]
    public let grantedAt: Date
    public let validUntil: Date
    public let status: CertificationStatus
    public let version: Int

    enum CodingKeys: String, CodingKey {
        case id, program, tier, actions, status, version
        case participantID = "participant_id"
        case participantName = "participant_name"
        case catalogVersion = "catalog_version"
        case applicationID = "application_id"
        case grantedAt = "granted_at"
        case validUntil = "valid_until"
    }

    static let columns = """
        c.id, c.participant_id, p.display_name AS participant_name, c.program_code, c.tier, c.catalog_version, c.application_id, c.actions,
        c.granted_at, c.valid_until, c.status, c.row_version
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        participantID = try row.decode("participant_id")
        participantName = try row.decode("participant_name")
        program = try row.decode("program_code")
        tier = try row.decode("tier", as: Tier.self)
        catalogVersion = try row.decode("catalog_version")
        applicationID = try row.decode("application_id")
        actions = try row.decode("actions")
        grantedAt = try row.decode("granted_at")
        validUntil = try row.decode("valid_until")
        status = try row.decode("status", as: CertificationStatus.self)
        version = try row.decode("row_version")
    }
}

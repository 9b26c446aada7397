import Canonical
import Domain
import Foundation
import Postgres

/// An application to a program at a tier, under one catalog version.
public struct Application: Sendable, Encodable {
    public let id: UUID
    public let participantID: UUID
    public let participantName: String
    public let program: String
    public let catalogVersion: Int
    public let tier: Tier
    public let state: ApplicationState
    public let round: Int
    public let submittedBy: UUID?
    public let submittedAt: Date?
    public let decidedAt: Date?
    public let createdAt: Date
    public let updatedAt: Date
    public let version: Int

    enum CodingKeys: String, CodingKey {
        case id, program, tier, state, round, version
        case participantID = "participant_id"
        case participantName = "participant_name"
        case catalogVersion = "catalog_version"
        case submittedBy = "submitted_by"
        case submittedAt = "submitted_at"
        case decidedAt = "decided_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    static let columns = """
        a.id, a.participant_id, p.display_name AS participant_name, a.program_code, a.catalog_version, a.tier, a.state, a.round,
        a.submitted_by, a.submitted_at, a.decided_at, a.created_at, a.updated_at, a.row_version
        """
    static let from = "applications a JOIN participants p ON p.id = a.participant_id"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        participantID = try row.decode("participant_id")
        participantName = try row.decode("participant_name")
        program = try row.decode("program_code")
        catalogVersion = try row.decode("catalog_version")
        tier = try row.decode("tier", as: Tier.self)
        state = try row.decode("state", as: ApplicationState.self)
        round = try row.decode("round")
        submittedBy = try row.decode("submitted_by")
        submittedAt = try row.decode("submitted_at")
        decidedAt = try row.decode("decided_at")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
        version = try row.decode("row_version")
    }
}

/// An application with what it commits to, its evidence, and what it still lacks.
public struct ApplicationDetail: Sendable, Encodable {
    public let application: Application
    public let commitments: [Commitment]
    public let missing: [MissingItem]
    public let certificationID: UUID?

    enum CodingKeys: String, CodingKey {
        case application, commitments, missing
        case certificationID = "certification_id"
    }
}

public struct Commitment: Sendable, Encodable {
    public let actionCode: String
    public let actionTitle: String
    public let statement: String
    public let evidence: [Evidence]
    public let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case statement, evidence
        case actionCode = "action_code"
        case actionTitle = "action_title"
        case updatedAt = "updated_at"
    }
}

/// A piece of evidence: a file, a URL or a statement, for the dates it covers.
public struct Evidence: Sendable, Encodable {
    public let id: UUID
    public let applicationID: UUID
    public let actionCode: String
    public let kind: String
    public let fileName: String?
    public let declaredType: String?
    public let sniffedType: String?
    public let sizeBytes: Int64?
    public let sha256: String?
    public let url: String?
    public let text: String?
    public let effectiveFrom: String
    public let effectiveUntil: String?
    public let supersedes: UUID?
    public let supersededBy: UUID?
    public let uploadedBy: UUID?
    public let uploadedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, url, text, supersedes, sha256
        case applicationID = "application_id"
        case actionCode = "action_code"
        case fileName = "file_name"
        case declaredType = "declared_type"
        case sniffedType = "sniffed_type"
        case sizeBytes = "size_bytes"
        case effectiveFrom = "effective_from"
        case effectiveUntil = "effective_until"
        case supersededBy = "superseded_by"
        case uploadedBy = "uploaded_by"
        case uploadedAt = "uploaded_at"
    }

    static let columns = """
        e.id, e.application_id, e.action_code, e.kind, e.file_name, e.declared_type, e.sniffed_type, e.size_bytes, e.sha256, e.url, e.text,
        e.effective_from::text AS effective_from, e.effective_until::text AS effective_until, e.supersedes,
        (SELECT n.id FROM evidence n WHERE n.supersedes = e.id) AS superseded_by, e.uploaded_by, e.uploaded_at
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        applicationID = try row.decode("application_id")
        actionCode = try row.decode("action_code")
        kind = try row.decode("kind")
        fileName = try row.decode("file_name")
        declaredType = try row.decode("declared_type")
        sniffedType = try row.decode("sniffed_type")
        sizeBytes = try row.decode("size_bytes")
        sha256 = try row.decode("sha256", as: Data?.self).map(AuditChain.hex)
        url = try row.decode("url")
        text = try row.decode("text")
        effectiveFrom = try row.decode("effective_from")
        effectiveUntil = try row.decode("effective_until")
        supersedes = try row.decode("supersedes")
        supersededBy = try row.decode("superseded_by")
        uploadedBy = try row.decode("uploaded_by")
        uploadedAt = try row.decode("uploaded_at")
    }
}

/// What an upload adds, checked by the caller.
public struct NewEvidence: Sendable {
    public enum Content: Sendable {
        case document(fileName: String, declaredType: String, sniffedType: String, bytes: Data)
        case url(String)
        case statement(String)
    }

    public let content: Content
    public let effectiveFrom: String
    public let effectiveUntil: String?
    public let supersedes: UUID?

    public init(content: Content, effectiveFrom: String, effectiveUntil: String?, supersedes: UUID?) {
        self.content = content
        self.effectiveFrom = effectiveFrom
        self.effectiveUntil = effectiveUntil
        self.supersedes = supersedes
    }
}

/// A file's bytes with what to tell the browser.
public struct EvidenceFile: Sendable {
    public let evidence: Evidence
    public let participantID: UUID
    public let bytes: Data
}

public struct Comment: Sendable, Encodable {
    public let id: UUID
    public let applicationID: UUID
    public let authorID: UUID
    public let authorName: String
    public let authorRole: String
    public let body: String
    /// Auditors' and admins' note, not shown to the applicant.
    public let isInternal: Bool
    public let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, body
        case isInternal = "internal"
        case applicationID = "application_id"
        case authorID = "author_id"
        case authorName = "author_name"
        case authorRole = "author_role"
        case createdAt = "created_at"
    }
}

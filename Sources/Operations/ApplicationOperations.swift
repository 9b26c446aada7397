import Domain
import Foundation
import Postgres
import Store

/// Evidence as a person gives it, before the rules have looked at it: the dates are the text
/// typed (an empty end is "open").
public struct EvidenceDraft: Sendable {
    public var content: NewEvidence.Content
    public var effectiveFrom: String?
    public var effectiveUntil: String?
    public var supersedes: UUID?

    public init(content: NewEvidence.Content, effectiveFrom: String?, effectiveUntil: String?, supersedes: UUID? = nil) {
        self.content = content
        self.effectiveFrom = effectiveFrom
        self.effectiveUntil = effectiveUntil
        self.supersedes = supersedes
    }
}

/// An applicant's commands on an application: create, commit, remove a commitment, add
/// evidence, submit, withdraw, comment. Each is authorised against the application's
/// participant, validated by `InputRules`, and written with its audit event by the store.
public struct ApplicationOperations: Sendable {
    public let applications: ApplicationStore
    public let catalogs: CatalogStore

    public init(applications: ApplicationStore, catalogs: CatalogStore) {
        self.applications = applications
        self.catalogs = catalogs
    }

    /// The participant whose application this is, once `actor` may perform `permission` on it.
    /// An unknown application is a 404 before anything else.
    @discardableResult
    public func authorise(_ permission: Permission, _ application: UUID, by actor: Actor) async throws -> UUID {
        let participant = try await applications.participant(ofApplication: application)
        try Authorise.check(permission, actor, participant: participant)
        return participant
    }

    /// Starts an application; `connection` when the caller holds one (an idempotent request).
    public func create(
        participant: UUID, program: String, tier: Tier, by actor: Actor, change: ChangeContext, on connection: PostgresConnection? = nil
    ) async throws -> Application {
        try Authorise.check(.editApplication, actor, participant: participant)
        if let connection {
            return try await applications.create(participant: participant, program: program, tier: tier, context: change, on: connection)
        }
        return try await applications.create(participant: participant, program: program, tier: tier, context: change)
    }

    /// Commits to an action with a statement (trimmed; refused when empty and the action asks
    /// for one, or too long).
    public func commit(_ application: UUID, action: String, statement: String, by actor: Actor, change: ChangeContext) async throws
        -> ApplicationDetail
    {
        try await authorise(.editApplication, application, by: actor)
        let statement = InputRules.trimmed(statement)
        let detail = try await applications.detail(application)
        let catalog = try await catalogs.version(detail.application.catalogVersion, of: detail.application.program).document
        // An action the catalog does not have is the store's 404.
        let asks = catalog.actions(at: detail.application.tier).first { $0.code == action }?.evidence.contains(.statement) ?? false
        try refuse(InputRules.commitment(statement: statement, asksForStatement: asks))
        return try await applications.setCommitment(application, action: action, statement: statement, context: change)
    }

    public func removeCommitment(_ application: UUID, action: String, by actor: Actor, change: ChangeContext) async throws -> ApplicationDetail {
        try await authorise(.editApplication, application, by: actor)
        return try await applications.removeCommitment(application, action: action, context: change)
    }

    /// Adds evidence to a commitment: the period it covers, and a web address or statement
    /// checked by the rules (a file's type is checked where its bytes are read).
    public func addEvidence(_ application: UUID, action: String, _ draft: EvidenceDraft, by actor: Actor, change: ChangeContext) async throws
        -> Evidence
    {
        try await authorise(.editApplication, application, by: actor)
        try Self.check(draft)
        let content: NewEvidence.Content
        switch draft.content {
        case .url(let text): content = .url(InputRules.trimmed(text))
        case .statement(let text): content = .statement(InputRules.trimmed(text))
        case .document: content = draft.content
        }
        let until = InputRules.trimmed(draft.effectiveUntil)
        let evidence = NewEvidence(
            content: content, effectiveFrom: InputRules.trimmed(draft.effectiveFrom), effectiveUntil: until.isEmpty ? nil : until,
            supersedes: draft.supersedes)
        return try await applications.addEvidence(application, action: action, evidence, context: change)
    }

    /// What is wrong with evidence as given: its period and its content.
    public static func check(_ draft: EvidenceDraft) throws(StoreError) {
        var refusals = InputRules.period(from: draft.effectiveFrom, until: draft.effectiveUntil)
        switch draft.content {
        case .url(let text): refusals += InputRules.url("url", InputRules.trimmed(text))
        case .statement(let text): refusals += InputRules.evidenceStatement(InputRules.trimmed(text))
        case .document: break
        }
        try refuse(refusals)
    }

    public func submit(_ application: UUID, expectedVersion: Int, by actor: Actor, change: ChangeContext) async throws -> ApplicationDetail {
        try await authorise(.editApplication, application, by: actor)
        return try await applications.submit(application, expectedVersion: expectedVersion, context: change)
    }

    public func withdraw(_ application: UUID, expectedVersion: Int, by actor: Actor, change: ChangeContext) async throws -> ApplicationDetail {
        try await authorise(.editApplication, application, by: actor)
        return try await applications.withdraw(application, expectedVersion: expectedVersion, context: change)
    }

    /// A comment on the application; internal notes only from staff (`StaffView`).
    public func comment(_ application: UUID, body: String, isInternal: Bool, by actor: Actor, change: ChangeContext) async throws -> Comment {
        try await authorise(.commentOnApplication, application, by: actor)
        let body = InputRules.trimmed(body)
        try refuse(InputRules.comment(body: body) + InputRules.internalNote(isInternal, by: actor))
        return try await applications.addComment(to: application, body: body, isInternal: isInternal, context: change)
    }

    /// The application's comments as `actor` may see them (internal notes for staff only).
    public func comments(of application: UUID, by actor: Actor) async throws -> [Comment] {
        try await authorise(.readApplication, application, by: actor)
        return try await applications.comments(of: application, includeInternal: StaffView(for: actor).seesInternalNotes)
    }
}

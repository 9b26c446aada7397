import Domain
import Foundation
import Postgres
import Store

/// The registry's writes: participants, their resources, contacts and members. Each is
/// authorised once through `Access.decide` on the participant it concerns and carried out by
/// `ParticipantStore`. The inputs arrive typed (parsed by the caller: `NewParticipant`,
/// `ParticipantChanges`, `NewResource`, `NewContact`).
public struct RegistryOperations: Sendable {
    public let participants: ParticipantStore

    public init(participants: ParticipantStore) {
        self.participants = participants
    }

    /// Registers a participant; an applicant who registers one becomes its owner.
    public func createParticipant(
        _ new: NewParticipant, by actor: Actor, change: ChangeContext, on connection: PostgresConnection? = nil
    ) async throws -> Participant {
        try Authorise.check(.createParticipant, actor, participant: nil)
        let owner = actor.role == .applicant ? actor.userID : nil
        if let connection { return try await participants.create(new, owner: owner, context: change, on: connection) }
        return try await participants.create(new, owner: owner, context: change)
    }

    /// Edits a participant; its status is the secretariat's to change.
    public func editParticipant(
        _ id: UUID, changes: ParticipantChanges, expectedVersion: Int, by actor: Actor, change: ChangeContext
    ) async throws -> Participant {
        try Authorise.check(.editParticipant, actor, participant: id)
        if changes.status != nil { try Authorise.check(.changeParticipantStatus, actor, participant: id) }
        return try await participants.update(id, changes: changes, expectedVersion: expectedVersion, context: change)
    }

    public func addResource(
        _ resource: NewResource, to participant: UUID, by actor: Actor, change: ChangeContext, on connection: PostgresConnection? = nil
    ) async throws -> Resource {
        try Authorise.check(.editParticipant, actor, participant: participant)
        if let connection { return try await participants.addResource(resource, to: participant, context: change, on: connection) }
        return try await participants.addResource(resource, to: participant, context: change)
    }

    public func removeResource(_ id: UUID, of participant: UUID, by actor: Actor, change: ChangeContext) async throws {
        try Authorise.check(.editParticipant, actor, participant: participant)
        try await participants.removeResource(id, of: participant, context: change)
    }

    /// Staff verify a claim with a reason (required) and a link to the evidence (optional), both
    /// as typed: trimmed, then checked by `InputRules.verification`.
    public func verifyResource(
        _ id: UUID, of participant: UUID, reason: String?, url: String?, by actor: Actor, change: ChangeContext
    ) async throws -> Resource {
        try Authorise.check(.verifyResources, actor, participant: participant)
        let reason = InputRules.trimmed(reason)
        let url = InputRules.trimmed(url)
        try refuse(InputRules.verification(reason: reason, url: url))
        return try await participants.verifyResource(id, of: participant, reason: reason, url: url.isEmpty ? nil : url, context: change)
    }

    /// Staff withdraw a verification with a reason (required).
    public func unverifyResource(_ id: UUID, of participant: UUID, reason: String?, by actor: Actor, change: ChangeContext) async throws
        -> Resource
    {
        try Authorise.check(.verifyResources, actor, participant: participant)
        let reason = InputRules.trimmed(reason)
        try refuse(InputRules.verification(reason: reason, url: nil))
        return try await participants.unverifyResource(id, of: participant, reason: reason, context: change)
    }

    public func addContact(
        _ contact: NewContact, to participant: UUID, by actor: Actor, change: ChangeContext, on connection: PostgresConnection? = nil
    ) async throws -> Contact {
        try Authorise.check(.editParticipant, actor, participant: participant)
        if let connection { return try await participants.addContact(contact, to: participant, context: change, on: connection) }
        return try await participants.addContact(contact, to: participant, context: change)
    }

    public func updateContact(
        _ id: UUID, of participant: UUID, with contact: NewContact, expectedVersion: Int, by actor: Actor, change: ChangeContext
    ) async throws -> Contact {
        try Authorise.check(.editParticipant, actor, participant: participant)
        return try await participants.updateContact(id, of: participant, with: contact, expectedVersion: expectedVersion, context: change)
    }

    public func removeContact(_ id: UUID, of participant: UUID, by actor: Actor, change: ChangeContext) async throws {
        try Authorise.check(.editParticipant, actor, participant: participant)
        try await participants.removeContact(id, of: participant, context: change)
    }

    /// Adds or changes a member by email. The answer is the same whether or not the email is an
    /// applicant's, so owners cannot probe for accounts.
    public func setMember(email: String, role: MembershipRole, of participant: UUID, by actor: Actor, change: ChangeContext) async throws {
        try Authorise.check(.manageMembers, actor, participant: participant)
        _ = try await participants.setMember(email: email, role: role, of: participant, context: change)
    }

    public func removeMember(_ user: UUID, of participant: UUID, by actor: Actor, change: ChangeContext) async throws {
        try Authorise.check(.manageMembers, actor, participant: participant)
        try await participants.removeMember(user, of: participant, context: change)
    }
}

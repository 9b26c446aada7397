import Domain
import Foundation
import Postgres
import Store

/// The registry's writes: participants, their resources, contacts and members. Each is
/// authorised once through `Access.decide` on the participant it concerns, validated once by
/// the registry's `InputRules` (so the API and the pages refuse the same input the same way)
/// and carried out by `ParticipantStore`. The inputs arrive as people typed them
/// (`ParticipantDraft`, `ParticipantEdit`, `ResourceDraft`, `ContactDraft`).
public struct RegistryOperations: Sendable {
    public let participants: ParticipantStore
    /// The shortest prefixes a participant may claim (`CLAIM_MIN_IPV4_LENGTH`, `…_IPV6_…`).
    public let claimLimits: ClaimLimits

    public init(participants: ParticipantStore, claimLimits: ClaimLimits = .standard) {
        self.participants = participants
        self.claimLimits = claimLimits
    }

    /// Registers a participant; an applicant who registers one becomes its owner. Run it within
    /// `participants.withClaimConflicts` when `connection` is the caller's.
    public func createParticipant(
        _ draft: ParticipantDraft, by actor: Actor, change: ChangeContext, on connection: PostgresConnection? = nil
    ) async throws -> Participant {
        try Authorise.check(.createParticipant, actor, participant: nil)
        let new = try validated(draft)
        let owner = actor.role == .applicant ? actor.userID : nil
        if let connection { return try await participants.create(new, owner: owner, context: change, on: connection) }
        return try await participants.create(new, owner: owner, context: change)
    }

    /// Edits a participant; its status is the secretariat's to change.
    public func editParticipant(
        _ id: UUID, edit: ParticipantEdit, expectedVersion: Int, by actor: Actor, change: ChangeContext
    ) async throws -> Participant {
        try Authorise.check(.editParticipant, actor, participant: id)
        if edit.status != nil { try Authorise.check(.changeParticipantStatus, actor, participant: id) }
        var changes = ParticipantChanges()
        var refusals: [FieldRefusal] = []
        if let text = edit.legalName.map(InputRules.trimmed) {
            refusals += InputRules.legalName(text)
            changes.legalName = text
        }
        if let text = edit.displayName.map(InputRules.trimmed) {
            refusals += InputRules.participantName(text)
            changes.displayName = text
        }
        if let text = edit.country.map(InputRules.trimmed) {
            refusals += InputRules.country(text)
            changes.country = Country.canonical(text)
        }
        if let website = edit.website {
            let text = InputRules.trimmed(website)
            refusals += InputRules.website(text)
            changes.website = .some(text.isEmpty ? nil : text)
        }
        if let status = edit.status {
            refusals += InputRules.participantStatus(status)
            changes.status = status
        }
        if let programs = edit.programs {
            refusals += InputRules.programs(programs)
            changes.programs = programs
        }
        try refuse(refusals)
        return try await participants.update(id, changes: changes, expectedVersion: expectedVersion, context: change)
    }

    /// Claims a resource; run it within `participants.withClaimConflicts` when `connection` is the caller's.
    public func addResource(
        _ draft: ResourceDraft, to participant: UUID, by actor: Actor, change: ChangeContext, on connection: PostgresConnection? = nil
    ) async throws -> Resource {
        try Authorise.check(.editParticipant, actor, participant: participant)
        let resource = try resource(draft)
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
        try refuse(InputRules.unverification(reason: reason))
        return try await participants.unverifyResource(id, of: participant, reason: reason, context: change)
    }

    public func addContact(
        _ draft: ContactDraft, to participant: UUID, by actor: Actor, change: ChangeContext, on connection: PostgresConnection? = nil
    ) async throws -> Contact {
        try Authorise.check(.editParticipant, actor, participant: participant)
        let contact = try draft.validated().get()
        if let connection { return try await participants.addContact(contact, to: participant, context: change, on: connection) }
        return try await participants.addContact(contact, to: participant, context: change)
    }

    public func updateContact(
        _ id: UUID, of participant: UUID, with draft: ContactDraft, expectedVersion: Int, by actor: Actor, change: ChangeContext
    ) async throws -> Contact {
        try Authorise.check(.editParticipant, actor, participant: participant)
        let contact = try draft.validated().get()
        return try await participants.updateContact(id, of: participant, with: contact, expectedVersion: expectedVersion, context: change)
    }

    public func removeContact(_ id: UUID, of participant: UUID, by actor: Actor, change: ChangeContext) async throws {
        try Authorise.check(.editParticipant, actor, participant: participant)
        try await participants.removeContact(id, of: participant, context: change)
    }

    /// Adds or changes a member by email. The answer is the same whether or not the email is an
    /// applicant's, so owners cannot probe for accounts. Returns the email as it was taken.
    @discardableResult
    public func setMember(email: String, role: MembershipRole, of participant: UUID, by actor: Actor, change: ChangeContext) async throws
        -> String
    {
        try Authorise.check(.manageMembers, actor, participant: participant)
        let email = InputRules.trimmed(email)
        try refuse(InputRules.memberEmail(email))
        _ = try await participants.setMember(email: email, role: role, of: participant, context: change)
        return email
    }

    public func removeMember(_ user: UUID, of participant: UUID, by actor: Actor, change: ChangeContext) async throws {
        try Authorise.check(.manageMembers, actor, participant: participant)
        try await participants.removeMember(user, of: participant, context: change)
    }

    // MARK: Rules

    /// A new participant, or every refusal of its fields at once.
    func validated(_ draft: ParticipantDraft) throws(StoreError) -> NewParticipant {
        let legalName = InputRules.trimmed(draft.legalName)
        let displayName = draft.displayName.map(InputRules.trimmed) ?? legalName
        let country = InputRules.trimmed(draft.country)
        let website = InputRules.trimmed(draft.website)
        let legalNameRefusals = InputRules.legalName(legalName)
        // A display name taken from a refused legal name says nothing new.
        let displayNameRefusals = draft.displayName == nil && !legalNameRefusals.isEmpty ? [] : InputRules.participantName(displayName)
        var refusals =
            legalNameRefusals + displayNameRefusals + InputRules.country(country) + InputRules.website(website) + InputRules.programs(draft.programs)
        var resources: [NewResource] = []
        let tooManyResources = InputRules.count("resources", draft.resources.count, max: InputRules.maxResourcesAtCreation, of: "resources")
        refusals += tooManyResources
        if tooManyResources.isEmpty {
            var listed: [(field: String, value: ResourceValue)] = []
            for (index, resource) in draft.resources.enumerated() {
                let field = "resources[\(index)].value"
                switch InputRules.resource(
                    InputRules.trimmed(resource.value), kind: resource.kind, limits: claimLimits, field: field, kindField: "resources[\(index)].kind")
                {
                case .success(let claim):
                    resources.append(NewResource(kind: claim.kind, value: claim.value))
                    listed.append((field, claim.value))
                case .failure(let refusal): refusals.append(refusal)
                }
            }
            refusals += InputRules.duplicates(listed)
        }
        var contacts: [NewContact] = []
        let tooManyContacts = InputRules.count("contacts", draft.contacts.count, max: InputRules.maxContactsAtCreation, of: "contacts")
        refusals += tooManyContacts
        if tooManyContacts.isEmpty {
            for (index, contact) in draft.contacts.enumerated() {
                switch contact.validated(prefix: "contacts[\(index)].") {
                case .success(let valid): contacts.append(valid)
                case .failure(.invalid(let found)): refusals += found
                case .failure(let other): throw other
                }
            }
        }
        try refuse(refusals)
        return NewParticipant(
            legalName: legalName, displayName: displayName, country: Country.canonical(country) ?? country, website: website.isEmpty ? nil : website,
            programs: draft.programs, resources: resources, contacts: contacts)
    }

    /// The resource `draft` names, in canonical form, or its refusal.
    func resource(_ draft: ResourceDraft) throws(StoreError) -> NewResource {
        switch InputRules.resource(InputRules.trimmed(draft.value), kind: draft.kind, limits: claimLimits) {
        case .success(let claim): return NewResource(kind: claim.kind, value: claim.value)
        case .failure(let refusal): throw StoreError.invalid([refusal])
        }
    }
}

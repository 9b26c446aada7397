import Domain
import Foundation
import Store

/// A participant as a person gives it (the API's body, a page's form), before the rules
/// (`InputRules+Registry`) have looked at it.
public struct ParticipantDraft: Sendable {
    public var legalName: String
    /// Nil: the legal name.
    public var displayName: String?
    public var country: String
    public var website: String?
    public var programs: [String]
    public var resources: [ResourceDraft]
    public var contacts: [ContactDraft]

    public init(
        legalName: String, displayName: String? = nil, country: String, website: String? = nil, programs: [String],
        resources: [ResourceDraft] = [], contacts: [ContactDraft] = []
    ) {
        self.legalName = legalName
        self.displayName = displayName
        self.country = country
        self.website = website
        self.programs = programs
        self.resources = resources
        self.contacts = contacts
    }
}

/// Changes to a participant as a person gives them: nil leaves a field alone; `website: .some(nil)`
/// or an empty website clears it.
public struct ParticipantEdit: Sendable {
    public var legalName: String?
    public var displayName: String?
    public var country: String?
    public var website: String??
    public var status: String?
    public var programs: [String]?

    public init(
        legalName: String? = nil, displayName: String? = nil, country: String? = nil, website: String?? = nil, status: String? = nil,
        programs: [String]? = nil
    ) {
        self.legalName = legalName
        self.displayName = displayName
        self.country = country
        self.website = website
        self.status = status
        self.programs = programs
    }
}

/// A resource to claim, as typed: `AS3333`, `3333`, `193.0.0.0/21`; `kind` nil when none was chosen.
public struct ResourceDraft: Sendable {
    public var kind: ResourceKind?
    public var value: String

    public init(kind: ResourceKind?, value: String) {
        self.kind = kind
        self.value = value
    }
}

/// A contact as typed; `role` nil when none was chosen.
public struct ContactDraft: Sendable {
    public var role: ContactRole?
    public var name: String?
    public var email: String?
    public var phone: String?
    public var available24x7: Bool

    public init(role: ContactRole?, name: String? = nil, email: String?, phone: String? = nil, available24x7: Bool = false) {
        self.role = role
        self.name = name
        self.email = email
        self.phone = phone
        self.available24x7 = available24x7
    }
}

extension ContactDraft {
    /// The contact as stored, or the refusals of `InputRules.contact` (fields named after `prefix`).
    func validated(prefix: String = "") -> Result<NewContact, StoreError> {
        let name = InputRules.trimmed(self.name)
        let email = InputRules.trimmed(self.email)
        let phone = InputRules.trimmed(self.phone)
        let refusals = InputRules.contact(role: role, name: name, email: email, phone: phone, prefix: prefix)
        guard refusals.isEmpty, let role else { return .failure(.invalid(refusals)) }
        return .success(
            NewContact(role: role, name: name.isEmpty ? nil : name, email: email, phone: phone.isEmpty ? nil : phone, available24x7: available24x7))
    }
}

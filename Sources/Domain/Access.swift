import Foundation

/// What a person does in the system. One role per user; applicants additionally hold
/// memberships of participants, enterprises belong to a verifier organisation.
public enum UserRole: String, Sendable, Codable, CaseIterable {
    /// The secretariat: defines programs and catalogs, manages users.
    case admin
    /// Reviews applications and evidence.
    case auditor
    /// Works for one or more participants.
    case applicant
    /// Verifies marks when buying; watchlists and bulk checks come later.
    case enterprise
}

/// An applicant's standing in a participant: owners also manage who else is a member.
public enum MembershipRole: String, Sendable, Codable, CaseIterable {
    case owner, member
}

/// What a credential may do: API tokens can be limited to reading.
public enum Scope: String, Sendable, Codable, CaseIterable {
    case read, write
}

/// Who is asking: the user, their role, their memberships and the scopes of the credential used.
public struct Actor: Sendable, Equatable {
    public let userID: UUID
    public let role: UserRole
    public let memberships: [UUID: MembershipRole]
    public let scopes: Set<Scope>

    public init(userID: UUID, role: UserRole, memberships: [UUID: MembershipRole], scopes: Set<Scope> = Set(Scope.allCases)) {
        self.userID = userID
        self.role = role
        self.memberships = memberships
        self.scopes = scopes
    }
}

/// The things the registry lets people do, each checked by `Access.decide`.
public enum Permission: String, Sendable, CaseIterable {
    case readCatalog, readCatalogDrafts, writeCatalog
    case listParticipants, createParticipant, readParticipant, editParticipant, changeParticipantStatus, manageMembers
    case searchResources, readSnapshots, verifyResources
    case readOwnAccount, manageOwnTokens
    case manageUsers
    case readAuditHead
    case readApplication, editApplication, commentOnApplication
    /// Start applications and follow them (the applicants' pages): applicants and the secretariat.
    case applyForCertification
    case reviewApplications, assignReviews
    case declareAffiliations, readConflicts
    /// Register, list and delete a participant's webhook endpoints, read their delivery log.
    case manageWebhooks
    /// The background job queue, failed jobs and their errors included: the secretariat.
    case readJobs
    // Reviews (issue 12 §3, §4): a participant's members dispute failed results and appeal
    // against enforcement; only the secretariat overrides a transition.
    case disputeResults, appealEnforcement, overrideEnforcement
    /// A buyer's own watchlists and the webhooks for them: enterprise users (and the secretariat).
    case readWatchlists, manageWatchlists
    /// A participant gives up its certification (withdrawal, final): the participant's owners.
    case withdrawCertification

    /// Operations that change something need a credential with the write scope.
    public var writes: Bool {
        switch self {
        case .writeCatalog, .createParticipant, .editParticipant, .changeParticipantStatus, .manageMembers, .manageOwnTokens, .manageUsers,
            .verifyResources, .editApplication, .commentOnApplication, .reviewApplications, .assignReviews, .declareAffiliations,
            .manageWebhooks, .disputeResults, .appealEnforcement, .overrideEnforcement, .manageWatchlists, .withdrawCertification:
            true
        default: false
        }
    }
}

/// The authorisation rules, as one pure function (docs/authorization.md is its table).
public enum Access {
    public enum Decision: Sendable, Equatable {
        case allowed
        /// No credential: 401.
        case unauthenticated
        /// A credential without the right: 403, with the rule that refused.
        case forbidden(String)
    }

    /// Whether `actor` (nil when anonymous) may perform `operation`, on `participant` when the
    /// operation concerns one.
    public static func decide(_ operation: Permission, actor: Actor?, participant: UUID? = nil) -> Decision {
        if operation == .readCatalog { return .allowed }
        guard let actor else { return .unauthenticated }
        if operation.writes && !actor.scopes.contains(.write) {
            return .forbidden("This token is read-only.")
        }
        let membership = participant.flatMap { actor.memberships[$0] }
        switch (operation, actor.role) {
        case (.readOwnAccount, _), (.manageOwnTokens, _), (.readAuditHead, _):
            return .allowed
        case (_, .admin):
            return .allowed
        case (.listParticipants, .auditor), (.readParticipant, .auditor), (.searchResources, .auditor), (.readSnapshots, .auditor),
            (.readApplication, .auditor), (.commentOnApplication, .auditor), (.reviewApplications, .auditor), (.declareAffiliations, .auditor):
            return .allowed
        case (.listParticipants, .applicant), (.createParticipant, .applicant), (.applyForCertification, .applicant):
            return .allowed
        case (.readParticipant, .applicant), (.editParticipant, .applicant), (.readApplication, .applicant), (.editApplication, .applicant),
            (.commentOnApplication, .applicant):
            return membership != nil ? .allowed : .forbidden("Only the participant's members can do this.")
        case (.disputeResults, .applicant), (.appealEnforcement, .applicant):
            return membership != nil ? .allowed : .forbidden("Only the participant's members can do this.")
        case (.manageMembers, .applicant):
            return membership == .owner ? .allowed : .forbidden("Only the participant's owners manage its members.")
        case (.withdrawCertification, .applicant):
            return membership == .owner ? .allowed : .forbidden("Only the participant's owners can withdraw its certification.")
        case (.readWatchlists, .enterprise), (.manageWatchlists, .enterprise):
            return .allowed
        case (.manageWebhooks, .applicant):
            return membership == .owner ? .allowed : .forbidden("Only the participant's owners manage its webhooks.")
        case (.writeCatalog, _), (.readCatalogDrafts, _), (.manageUsers, _), (.changeParticipantStatus, _), (.assignReviews, _), (.readConflicts, _),
            (.verifyResources, _), (.readJobs, _), (.overrideEnforcement, _):
            return .forbidden("Only the secretariat (admin) can do this.")
        default:
            return .forbidden("Your \(actor.role.rawValue) account cannot do this; ask the secretariat if you need to.")
        }
    }
}

extension Access {
    /// Why an admin may not make this change to their own account: disabling or demoting
    /// yourself would lock the secretariat out. Nil when the change is fine.
    public static func selfLockout(actor: Actor, target: UUID, newRole: UserRole?, disabled: Bool?) -> String? {
        guard actor.userID == target else { return nil }
        if disabled == true { return "You cannot disable your own account; ask another admin." }
        if let newRole, newRole != actor.role { return "You cannot change your own role; ask another admin." }
        return nil
    }
}

/// What a participant's timeline (its audit events) shows to whom. Auditors' declared
/// affiliations are the secretariat's business (`/affiliations` is admin-only), and internal
/// notes are between staff: the participant's members see neither.
public struct TimelineView: Sendable, Equatable {
    public let showsAffiliations: Bool
    public let showsInternalNotes: Bool

    public init(for actor: Actor) {
        showsAffiliations = actor.role == .admin
        showsInternalNotes = StaffView(for: actor).seesInternalNotes
    }

    /// The entity type of affiliation events.
    public static let affiliationEntity = "affiliation"
}

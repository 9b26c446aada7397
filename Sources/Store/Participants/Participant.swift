import Domain
import Foundation
import Routing

/// An organisation taking part in one or more programs.
public struct Participant: Sendable, Encodable, Equatable {
    public let id: UUID
    public let legalName: String
    public let displayName: String
    public let country: String
    public let website: String?
    public let status: String
    public let programs: [String]
    public let createdAt: Date
    public let updatedAt: Date
    /// Optimistic-concurrency version, also the ETag.
    public let version: Int

    enum CodingKeys: String, CodingKey {
        case id, country, website, status, programs, version
        case legalName = "legal_name"
        case displayName = "display_name"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// A resource a participant holds.
public struct Resource: Sendable, Encodable, Equatable {
    public let id: UUID
    public let participantID: UUID
    public let kind: ResourceKind
    /// `AS3333` or a canonical prefix.
    public let value: String
    public let asn: Int64?
    public let prefix: String?
    public let createdAt: Date
    public let verification: Verification

    enum CodingKeys: String, CodingKey {
        case id, kind, value, asn, prefix, verification
        case participantID = "participant_id"
        case createdAt = "created_at"
    }

    /// Whether the resource is shown to be the participant's, on what basis, by whom and when.
    public struct Verification: Sendable, Encodable, Equatable {
        public let state: VerificationState
        /// Set when verified.
        public let basis: VerificationBasis?
        /// Staff's reason, or why the claim was superseded or unverified.
        public let reason: String?
        /// Staff's evidence link, when given.
        public let url: String?
        /// For `rpki`: the VRP snapshot and the VRP that authorised a verified ASN of the participant.
        public let snapshotID: Int?
        public let vrp: VRPRecord?
        /// Who last changed the state (nil for the command line) and when (nil: never changed since the claim).
        public let by: UUID?
        public let at: Date?

        enum CodingKeys: String, CodingKey {
            case state, basis, reason, url, vrp, by, at
            case snapshotID = "snapshot_id"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(state, forKey: .state)
            // Every key present, null when unset, so clients read one shape.
            try container.encode(basis, forKey: .basis)
            try container.encode(reason, forKey: .reason)
            try container.encode(url, forKey: .url)
            try container.encode(snapshotID, forKey: .snapshotID)
            try container.encode(vrp, forKey: .vrp)
            if let by { try container.encode(by, forKey: .by) } else { try container.encodeNil(forKey: .by) }  // lower case, as every id
            try container.encode(at, forKey: .at)
        }
    }

    /// A VRP as recorded with an RPKI verification.
    public struct VRPRecord: Sendable, Encodable, Equatable {
        public let prefix: String
        public let maxLength: Int
        public let asn: Int64

        public init(prefix: String, maxLength: Int, asn: Int64) {
            self.prefix = prefix
            self.maxLength = maxLength
            self.asn = asn
        }

        enum CodingKeys: String, CodingKey {
            case prefix, asn
            case maxLength = "max_length"
        }
    }
}

/// A way to reach a participant.
public struct Contact: Sendable, Encodable, Equatable {
    public let id: UUID
    public let participantID: UUID
    public let role: ContactRole
    public let name: String?
    public let email: String
    public let phone: String?
    public let available24x7: Bool
    public let createdAt: Date
    public let updatedAt: Date
    public let version: Int

    enum CodingKeys: String, CodingKey {
        case id, role, name, email, phone, version
        case participantID = "participant_id"
        case available24x7 = "available_24x7"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// A user's membership of a participant.
public struct Member: Sendable, Encodable, Equatable {
    public let userID: UUID
    public let email: String
    public let displayName: String
    public let role: MembershipRole
    public let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case email, role
        case userID = "user_id"
        case displayName = "display_name"
        case createdAt = "created_at"
    }
}

// MARK: Inputs, already validated by the caller

public struct NewParticipant: Sendable {
    public var legalName: String
    public var displayName: String
    public var country: String
    public var website: String?
    public var programs: [String]
    public var resources: [NewResource]
    public var contacts: [NewContact]

    public init(
        legalName: String, displayName: String, country: String, website: String?, programs: [String],
        resources: [NewResource] = [], contacts: [NewContact] = []
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

public struct NewResource: Sendable, Equatable {
    public var kind: ResourceKind
    public var value: ResourceValue

    public init(kind: ResourceKind, value: ResourceValue) {
        self.kind = kind
        self.value = value
    }
}

public struct NewContact: Sendable, Equatable {
    public var role: ContactRole
    public var name: String?
    public var email: String
    public var phone: String?
    public var available24x7: Bool

    public init(role: ContactRole, name: String?, email: String, phone: String?, available24x7: Bool) {
        self.role = role
        self.name = name
        self.email = email
        self.phone = phone
        self.available24x7 = available24x7
    }
}

/// A partial update: nil leaves a field alone; `website: .some(nil)` clears it.
public struct ParticipantChanges: Sendable {
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

/// Filters of the participant listing; all optional and combined with AND.
public struct ParticipantFilter: Sendable {
    public var program: String?
    public var country: String?
    public var status: String?
    public var asn: ASN?
    /// Participants holding a prefix that overlaps this one.
    public var prefix: IPPrefix?
    /// Only participants this user is a member of (applicants see their own).
    public var memberUserID: UUID?

    public init(
        program: String? = nil, country: String? = nil, status: String? = nil, asn: ASN? = nil, prefix: IPPrefix? = nil, memberUserID: UUID? = nil
    ) {
        self.program = program
        self.country = country
        self.status = status
        self.asn = asn
        self.prefix = prefix
        self.memberUserID = memberUserID
    }
}

import Domain
import Foundation
import Postgres

/// The demo data file (`schema/demo/demo.json`): users with public passwords and tokens, and a
/// dozen participants with real resources. Loading it twice changes nothing.
public struct DemoData: Sendable, Decodable {
    public struct DemoUser: Sendable, Decodable {
        public let email: String
        public let displayName: String
        public let role: UserRole
        public let organisation: String?
        public let password: String
        public let token: String

        enum CodingKeys: String, CodingKey {
            case email, role, organisation, password, token
            case displayName = "display_name"
        }
    }

    public struct DemoParticipant: Sendable, Decodable {
        public struct Resource: Sendable, Decodable {
            let kind: ResourceKind
            let value: String
        }
        public struct Contact: Sendable, Decodable {
            let role: ContactRole
            let email: String
            let phone: String?
            let available24x7: Bool?

            enum CodingKeys: String, CodingKey {
                case role, email, phone
                case available24x7 = "available_24x7"
            }
        }
        public struct Membership: Sendable, Decodable {
            let email: String
            let role: MembershipRole
        }

        let legalName: String
        let displayName: String
        let country: String
        let website: String?
        let programs: [String]
        let resources: [Resource]?
        let contacts: [Contact]?
        let members: [Membership]?

        enum CodingKeys: String, CodingKey {
            case country, website, programs, resources, contacts, members
            case legalName = "legal_name"
            case displayName = "display_name"
        }
    }

    /// The evidence the demo's own resources are verified with (`staff` basis, actor `system`).
    public struct Verification: Sendable, Decodable {
        let reason: String
        let url: String?
    }

    public let users: [DemoUser]
    public let participants: [DemoParticipant]
    public let verification: Verification

    public static func read(path: String) throws -> DemoData {
        guard let data = FileManager.default.contents(atPath: path) else { throw CatalogSeedError(file: path, reason: "cannot read") }
        return try JSONDecoder().decode(DemoData.self, from: data)
    }

    /// What `load` did.
    public struct Outcome: Sendable, Equatable {
        public var usersCreated = 0
        public var participantsCreated = 0
        public var resourcesVerified = 0

        public init(usersCreated: Int = 0, participantsCreated: Int = 0, resourcesVerified: Int = 0) {
            self.usersCreated = usersCreated
            self.participantsCreated = participantsCreated
            self.resourcesVerified = resourcesVerified
        }
    }

    /// Creates what is missing: users by email, participants by legal name; then verifies the
    /// demo participants' listed resources that are not verified yet, through the same code path
    /// as the API (ASNs by staff basis, which verifies the prefixes the latest VRPs authorise; the
    /// other prefixes by staff basis too). Catalogs must be loaded first (participants refer to programs).
    public func load(into database: PostgresPool, passwords: Passwords, at time: Date) async throws -> Outcome {
        let system = ChangeContext.system(at: time)
        let users = UserStore(database: database, passwords: passwords)
        let participants = ParticipantStore(database: database)
        var outcome = Outcome()
        for user in self.users {
            if try await database.query("SELECT 1 FROM users WHERE lower(email) = lower(\(user.email))").single != nil { continue }
            let hash = try await users.hashIfGiven(user.password)
            try await database.transaction { connection in
                let created = try await users.create(
                    email: user.email, displayName: user.displayName, role: user.role, organisation: user.organisation, passwordHash: hash,
                    context: system, on: connection
                )
                _ = try await users.createToken(
                    for: created.id, name: "demo", scopes: Set(Scope.allCases), expiresAt: nil, context: system, on: connection, secret: user.token
                )
            }
            outcome.usersCreated += 1
        }
        for participant in self.participants {
            if let existing = try await database.query("SELECT id FROM participants WHERE legal_name = \(participant.legalName)").single {
                outcome.resourcesVerified += try await verify(
                    participant, id: try existing.decode(0, as: UUID.self), in: participants, context: system)
                continue
            }
            let resources = try (participant.resources ?? []).map { resource in
                NewResource(kind: resource.kind, value: try ResourceValue.parse(resource.value, kind: resource.kind))
            }
            let contacts = (participant.contacts ?? []).map { contact in
                NewContact(role: contact.role, name: nil, email: contact.email, phone: contact.phone, available24x7: contact.available24x7 ?? false)
            }
            let created = try await participants.create(
                NewParticipant(
                    legalName: participant.legalName, displayName: participant.displayName, country: participant.country,
                    website: participant.website, programs: participant.programs, resources: resources, contacts: contacts
                ),
                owner: nil, context: system
            )
            for member in participant.members ?? [] {
                try await participants.setMember(email: member.email, role: member.role, of: created.id, context: system)
            }
            outcome.participantsCreated += 1
            outcome.resourcesVerified += try await verify(participant, id: created.id, in: participants, context: system)
        }
        return outcome
    }

    /// Verifies the participant's listed resources that are unverified, ASNs first; returns how many it verified.
    private func verify(_ participant: DemoParticipant, id: UUID, in store: ParticipantStore, context system: ChangeContext) async throws -> Int {
        let listed = Set(try (participant.resources ?? []).map { try ResourceValue.parse($0.value, kind: $0.kind).description })
        func pending() async throws -> [Resource] {
            try await store.resources(of: id).filter { listed.contains($0.value) && $0.verification.state == .unverified }
        }
        let before = try await pending().count
        for resource in try await pending().sorted(by: { $0.kind.isASN && !$1.kind.isASN }) {
            // An ASN's verification may have verified this prefix through RPKI already.
            guard try await pending().contains(where: { $0.id == resource.id }) else { continue }
            _ = try await store.verifyResource(resource.id, of: id, reason: verification.reason, url: verification.url, context: system)
        }
        return before - (try await pending().count)
    }
}

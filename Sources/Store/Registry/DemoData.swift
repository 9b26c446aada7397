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

    public let users: [DemoUser]
    public let participants: [DemoParticipant]

    public static func read(path: String) throws -> DemoData {
        guard let data = FileManager.default.contents(atPath: path) else { throw CatalogSeedError(file: path, reason: "cannot read") }
        return try JSONDecoder().decode(DemoData.self, from: data)
    }

    /// What `load` did.
    public struct Outcome: Sendable, Equatable {
        public var usersCreated = 0
        public var participantsCreated = 0

        public init(usersCreated: Int = 0, participantsCreated: Int = 0) {
            self.usersCreated = usersCreated
            self.participantsCreated = participantsCreated
        }
    }

    /// Creates what is missing: users by email, participants by legal name. Catalogs must be
    /// loaded first (participants refer to programs).
    public func load(into database: PostgresPool, passwords: Passwords) async throws -> Outcome {
        let users = UserStore(database: database, passwords: passwords)
        let participants = ParticipantStore(database: database)
        var outcome = Outcome()
        for user in self.users {
            if try await database.query("SELECT 1 FROM users WHERE lower(email) = lower(\(user.email))").single != nil { continue }
            let hash = try await users.hashIfGiven(user.password)
            try await database.transaction { connection in
                let created = try await users.create(
                    email: user.email, displayName: user.displayName, role: user.role, organisation: user.organisation, passwordHash: hash,
                    context: .system, on: connection
                )
                _ = try await users.createToken(
                    for: created.id, name: "demo", scopes: Set(Scope.allCases), expiresAt: nil, context: .system, on: connection, secret: user.token
                )
            }
            outcome.usersCreated += 1
        }
        for participant in self.participants {
            if try await database.query("SELECT 1 FROM participants WHERE legal_name = \(participant.legalName)").single != nil { continue }
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
                owner: nil, context: .system
            )
            for member in participant.members ?? [] {
                _ = try await participants.setMember(email: member.email, role: member.role, of: created.id, context: .system)
            }
            outcome.participantsCreated += 1
        }
        return outcome
    }
}

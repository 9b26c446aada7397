import Domain
import Foundation
import Operations
import Store
import TestSupport
import Testing

/// The operations against the real PostgreSQL: who may, what is refused (with which field and
/// code), and that a refused command writes nothing.
@Suite("Operations")
struct OperationsTests {
    struct World {
        let db: FreshDatabase
        let operations: Operations
        let applicant: Actor
        let outsider: Actor
        let auditor: Actor
        let participant: UUID
        let change: (Actor) -> ChangeContext
    }

    static let at = Date(timeIntervalSince1970: 1_795_000_000)

    static func run(_ body: (World) async throws -> Void) async throws {
        try await TestDatabase.withDatabase { db in
            let catalogs = CatalogStore(database: db.pool)
            _ = try await catalogs.load(
                seeds: try CatalogStore.readSeeds(directory: TestDatabase.schemaDirectory + "/catalog"), context: .system(at: at))
            let users = UserStore(database: db.pool, passwords: Passwords(cost: 4))
            func actor(_ email: String, _ role: UserRole) async throws -> Actor {
                let user = try await users.create(
                    email: email, displayName: email, role: role, password: "a long test password", context: .system(at: at))
                return try #require(try await users.actor(for: user.id))
            }
            let owner = try await actor("owner@example.org", .applicant)
            let participant = try await ParticipantStore(database: db.pool).create(
                NewParticipant(legalName: "Example Exchange", displayName: "EX-IX", country: "NL", website: nil, programs: ["ixp"]),
                owner: owner.userID, context: .system(at: at))
            let applications = ApplicationStore(database: db.pool)
            let world = World(
                db: db,
                operations: Operations(
                    applications: applications, reviews: ReviewStore(database: db.pool), catalogs: catalogs, users: users,
                    participants: ParticipantStore(database: db.pool)),
                applicant: try #require(try await users.actor(for: owner.userID)), outsider: try await actor("outsider@example.org", .applicant),
                auditor: try await actor("auditor@example.org", .auditor), participant: participant.id,
                change: { ChangeContext(actor: $0, requestID: nil, at: Self.at) })
            try await body(world)
        }
    }

    /// The field refusals of `body`'s `StoreError.invalid`, as `field=code`.
    static func refusals(_ body: () async throws -> Void) async -> [String] {
        do {
            try await body()
            return []
        } catch StoreError.invalid(let fields) {
            return fields.map { "\($0.field)=\($0.refusal.code)" }
        } catch {
            return ["\(error)"]
        }
    }

    @Test("commit: an empty statement is no commitment when the action asks for one; too long is refused, not cut; a good one is stored trimmed")
    func commit() async throws {
        try await Self.run { world in
            let ops = world.operations.applications
            let application = try await ops.create(
                participant: world.participant, program: "ixp", tier: .baseline, by: world.applicant, change: world.change(world.applicant))
            #expect(
                await Self.refusals {
                    _ = try await ops.commit(
                        application.id, action: "ixp.2", statement: " \n ", by: world.applicant, change: world.change(world.applicant))
                } == ["statement=required"])
            #expect(
                await Self.refusals {
                    _ = try await ops.commit(
                        application.id, action: "ixp.2", statement: String(repeating: "x", count: Limits.statement.max + 1), by: world.applicant,
                        change: world.change(world.applicant))
                } == ["statement=too_long"])
            #expect(try await ops.applications.detail(application.id).commitments.isEmpty)
            let detail = try await ops.commit(
                application.id, action: "ixp.2", statement: "  We help members with ROAs.\n", by: world.applicant,
                change: world.change(world.applicant))
            #expect(detail.commitments.map(\.statement) == ["We help members with ROAs."])
            // An outsider hears the rule that refused, and nothing is written.
            await #expect(throws: StoreError.refused(slug: "forbidden", detail: "Only the participant's members can do this.")) {
                _ = try await ops.commit(
                    application.id, action: "ixp.1", statement: "Ours now.", by: world.outsider, change: world.change(world.outsider))
            }
            #expect(try await ops.applications.detail(application.id).commitments.count == 1)
        }
    }

    @Test("evidence and comments: web addresses, periods, empty comments and internal notes from applicants are refused with stable codes")
    func evidenceAndComments() async throws {
        try await Self.run { world in
            let ops = world.operations.applications
            let change = world.change(world.applicant)
            let application = try await ops.create(
                participant: world.participant, program: "ixp", tier: .baseline, by: world.applicant, change: change)
            _ = try await ops.commit(application.id, action: "ixp.2", statement: "We promote MANRS.", by: world.applicant, change: change)
            func add(_ url: String, _ from: String?, _ until: String?) async -> [String] {
                await Self.refusals {
                    _ = try await ops.addEvidence(
                        application.id, action: "ixp.2", EvidenceDraft(content: .url(url), effectiveFrom: from, effectiveUntil: until),
                        by: world.applicant, change: change)
                }
            }
            #expect(await add("ftp://example.org/", "2026-01-01", nil) == ["url=invalid_url"])
            #expect(await add("https://example.org/", "2026-02-01", "2026-01-01") == ["effective_until=before_start"])
            #expect(await add("https://example.org/", "", "") == ["effective_from=required"])
            #expect(await add("https://example.org/", "2026-02-30", nil) == ["effective_from=invalid_date"])
            #expect(try await ops.applications.evidence(of: application.id).isEmpty)
            #expect(await add(" https://example.org/manrs ", "2026-01-01", "") == [])
            #expect(try await ops.applications.evidence(of: application.id).map(\.url) == ["https://example.org/manrs"])

            #expect(
                await Self.refusals { _ = try await ops.comment(application.id, body: "  ", isInternal: false, by: world.applicant, change: change) }
                    == ["body=required"])
            #expect(
                await Self.refusals { _ = try await ops.comment(application.id, body: "Psst", isInternal: true, by: world.applicant, change: change) }
                    == ["internal=not_allowed"])
            _ = try await ops.comment(
                application.id, body: "Note for staff", isInternal: true, by: world.auditor, change: world.change(world.auditor))
            #expect(try await ops.comments(of: application.id, by: world.applicant).isEmpty)
            #expect(try await ops.comments(of: application.id, by: world.auditor).map(\.body) == ["Note for staff"])
        }
    }

    @Test("decisions: the rules refuse before the store is asked; affiliations end after they start")
    func decisionsAndAffiliations() async throws {
        try await Self.run { world in
            let reviews = world.operations.reviews
            let change = world.change(world.auditor)
            let item = UUID()
            func decide(_ decision: Decision?, _ reasons: String?, _ comments: [String: String]) async -> [String] {
                await Self.refusals {
                    _ = try await reviews.decide(
                        item, decision: decision, reasons: reasons, actionComments: comments, by: world.auditor, change: change)
                }
            }
            #expect(await decide(nil, nil, [:]) == ["decision=required"])
            #expect(await decide(.reject, "  ", [:]) == ["reasons=required"])
            #expect(await decide(.requestChanges, nil, ["ixp.1": " "]) == ["action_comments=required"])
            #expect(await decide(.approve, String(repeating: "r", count: Limits.decisionReasons.max + 1), [:]) == ["reasons=too_long"])
            // Past the rules, the store answers: there is no such item.
            #expect(await decide(.approve, nil, [:]).first?.contains("notFound") == true)
            await #expect(throws: StoreError.self) { _ = try await reviews.claim(item, by: world.applicant, change: world.change(world.applicant)) }

            func declare(_ from: String?, _ until: String?) async -> [String] {
                await Self.refusals {
                    _ = try await reviews.declareAffiliation(
                        participant: world.participant, relation: "Consultant", from: from, until: until, by: world.auditor, change: change)
                }
            }
            #expect(await declare("2026-01-01", "2026-01-01") == ["valid_until=before_start"])
            #expect(await declare("2026-01-01", nil) == [])
        }
    }

    @Test(
        "registry: who may comes first, then every field refusal at once; a refused command writes nothing; good input is stored trimmed and canonical"
    )
    func registry() async throws {
        try await Self.run { world in
            let registry = world.operations.registry
            let change = world.change(world.applicant)
            let events = { try await world.db.pool.query("SELECT count(*) FROM audit_events")[0].decode(0, as: Int.self) }
            let before = try await events()
            // Someone outside the participant is refused before the input is looked at.
            #expect(
                await Self.refusals {
                    _ = try await registry.addContact(
                        ContactDraft(role: nil, email: "nope"), to: world.participant, by: world.outsider, change: world.change(world.outsider))
                }.first?.contains("forbidden") == true)
            #expect(
                await Self.refusals {
                    _ = try await registry.addContact(
                        ContactDraft(role: nil, name: "  ", email: "nope", phone: "call us"), to: world.participant, by: world.applicant,
                        change: change)
                } == ["role=required", "email=invalid_email", "phone=invalid_phone"])
            #expect(
                await Self.refusals {
                    _ = try await registry.addResource(
                        ResourceDraft(kind: .prefix, value: "10.0.0.0/8"), to: world.participant, by: world.applicant, change: change)
                } == ["value=bogon_prefix"])
            #expect(
                await Self.refusals {
                    _ = try await registry.editParticipant(
                        world.participant, edit: ParticipantEdit(country: "XX", website: .some("ftp://x"), programs: []), expectedVersion: 1,
                        by: world.applicant, change: change)
                } == ["country=invalid_country", "website=invalid_url", "programs=required"])
            #expect(
                await Self.refusals {
                    _ = try await registry.createParticipant(
                        ParticipantDraft(
                            legalName: " ", country: "nl", programs: ["ixp"],
                            resources: [.init(kind: .asn, value: "AS3333"), .init(kind: .asn, value: "3333"), .init(kind: nil, value: "AS1")]),
                        by: world.applicant, change: change)
                } == ["legal_name=required", "resources[2].kind=required", "resources[1].value=duplicate"])
            #expect(try await events() == before)

            let contact = try await registry.addContact(
                ContactDraft(role: .noc, name: "  NOC  ", email: " noc@example.net ", phone: " "), to: world.participant, by: world.applicant,
                change: change)
            #expect(contact.name == "NOC" && contact.email == "noc@example.net" && contact.phone == nil)
            let resource = try await registry.addResource(
                ResourceDraft(kind: .prefix, value: " 2001:67C:2E8:0::/48 "), to: world.participant, by: world.applicant, change: change)
            #expect(resource.value == "2001:67c:2e8::/48" && resource.verification.state == .unverified)
            let edited = try await registry.editParticipant(
                world.participant, edit: ParticipantEdit(country: "de", website: .some(" https://ex-ix.example/ ")), expectedVersion: 1,
                by: world.applicant, change: change)
            #expect(edited.country == "DE" && edited.website == "https://ex-ix.example/")
        }
    }
}

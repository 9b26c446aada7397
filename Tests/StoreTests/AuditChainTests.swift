import Canonical
import Domain
import Foundation
import Postgres
import Routing
import Store
import TestSupport
import Testing

/// The tamper-evident audit trail, against a real PostgreSQL.
@Suite("Audit hash chain")
struct AuditChainTests {
    static func registry(_ db: FreshDatabase) async throws -> ParticipantStore {
        _ = try await CatalogStore(database: db.pool).load(
            seeds: try CatalogStore.readSeeds(directory: TestDatabase.schemaDirectory + "/catalog"), context: .system(at: Date()))
        return ParticipantStore(database: db.pool)
    }

    @Test("a few thousand concurrent changes, some failing, leave one intact chain in commit order")
    func concurrentWorkload() async throws {
        try await TestDatabase.withDatabase(poolSize: 8) { (db: FreshDatabase) async throws in
            let store = try await Self.registry(db)
            let base = try await store.create(
                NewParticipant(legalName: "Base", displayName: "Base", country: "NL", website: nil, programs: ["netops"]), owner: nil,
                context: .system(at: Date())
            )
            // 16 workers; each creates participants, claims ASNs (some collide on purpose and roll
            // back), adds and edits contacts.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        var generator = SystemRandomNumberGenerator()
                        for step in 0..<40 {
                            let participant = try await store.create(
                                NewParticipant(legalName: "W\(worker)-\(step)", displayName: "W", country: "DE", website: nil, programs: ["ixp"]),
                                owner: nil, context: .system(at: Date())
                            )
                            let asn = ASN(200_000 + Int.random(in: 0..<400, using: &generator))
                            _ = try? await store.addResource(
                                NewResource(kind: .asn, value: .asn(asn)), to: participant.id, context: .system(at: Date()))
                            let contact = try await store.addContact(
                                NewContact(role: .noc, name: nil, email: "noc\(step)@w\(worker).example", phone: nil, available24x7: step % 2 == 0),
                                to: participant.id, context: .system(at: Date())
                            )
                            _ = try await store.updateContact(
                                contact.id, of: participant.id,
                                with: NewContact(role: .abuse, name: "Ops", email: contact.email, phone: nil, available24x7: true),
                                expectedVersion: contact.version, context: .system(at: Date())
                            )
                            _ = try? await store.update(
                                base.id, changes: ParticipantChanges(displayName: "Base \(worker)-\(step)"), expectedVersion: 1,
                                context: .system(at: Date()))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let events = try await db.pool.query("SELECT count(*) FROM audit_events")[0].decode(0, as: Int.self)
            #expect(events > 2_000)
            let result = try await AuditChain(database: db.pool).verify(batch: 700)
            #expect(result.isIntact, "\(result)")
            #expect(result.checked == events)
            let head = try await AuditChain(database: db.pool).head()
            #expect(head.seq == events)
        }
    }

    @Test("events are append-only: UPDATE, DELETE and TRUNCATE are refused by the database")
    func appendOnly() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            _ = try await Self.registry(db)
            for statement: SQL in [
                "UPDATE audit_events SET action = 'nothing happened'",
                "UPDATE audit_events SET hash = NULL",
                "DELETE FROM audit_events",
                "TRUNCATE audit_events",
            ] {
                await #expect(throws: PostgresError.self, "\(statement)") { try await db.pool.execute(statement) }
            }
            #expect(try await AuditChain(database: db.pool).verify().isIntact)
        }
    }

    @Test(
        "tampering with a row, with the triggers switched off, is found at that event",
        arguments: ["after", "actor_role", "at", "canonical", "delete"])
    func tampering(column: String) async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let store = try await Self.registry(db)
            for index in 0..<5 {
                _ = try await store.create(
                    NewParticipant(legalName: "P\(index)", displayName: "P", country: "NL", website: nil, programs: ["netops"]), owner: nil,
                    context: .system(at: Date())
                )
            }
            #expect(try await AuditChain(database: db.pool).verify().isIntact)
            let victim = 6
            try await db.pool.withConnection { connection in
                // What an attacker with database access would do: bypass the triggers.
                try await connection.execute("SET session_replication_role = replica")
                switch column {
                case "after":
                    try await connection.execute("UPDATE audit_events SET after = '{\"legal_name\":\"Someone else\"}' WHERE seq = \(victim)")
                case "actor_role": try await connection.execute("UPDATE audit_events SET actor_role = 'admin' WHERE seq = \(victim)")
                case "at": try await connection.execute("UPDATE audit_events SET at = at - interval '1 day' WHERE seq = \(victim)")
                case "canonical": try await connection.execute("UPDATE audit_events SET canonical = 'x' WHERE seq = \(victim)")
                default: try await connection.execute("DELETE FROM audit_events WHERE seq = \(victim)")
                }
                try await connection.execute("SET session_replication_role = origin")
            }
            let result = try await AuditChain(database: db.pool).verify()
            if column == "canonical" {
                // The stored canonical text is a convenience; verify recomputes it from the columns.
                #expect(result.isIntact)
            } else {
                #expect(result.firstBreak?.seq == victim, "\(result)")
                #expect(result.checked == victim - 1)
            }
        }
    }

    @Test("events from before the chain existed are sealed into it once")
    func legacyEvents() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            _ = try await Self.registry(db)
            // An event as migration 0003 wrote them: no canonical form, no place in the chain.
            try await db.pool.execute(
                """
                INSERT INTO audit_events (actor_role, action, entity_type, entity_id, after)
                VALUES ('system', 'legacy.thing', 'thing', '1', '{"n": 1.50, "b": [true, null]}')
                """)
            var result = try await AuditChain(database: db.pool).verify()
            #expect(result.unsealed == 1 && !result.isIntact)
            #expect(try await AuditChain(database: db.pool).sealUnchained() == 1)
            #expect(try await AuditChain(database: db.pool).sealUnchained() == 0)
            result = try await AuditChain(database: db.pool).verify()
            #expect(result.isIntact, "\(result)")
        }
    }

    @Test("the canonical form of an event is RFC 8785 over its columns, and the first link starts from 32 zero bytes")
    func firstLink() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            _ = try await Self.registry(db)
            let row = try await db.pool.query(
                """
                SELECT canonical, hash, prev_hash, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text
                FROM audit_events WHERE seq = 1
                """)[0]
            let canonical = try row.decode("canonical", as: Data.self)
            #expect(try row.decode("prev_hash", as: Data.self) == Data(repeating: 0, count: 32))
            let text = String(decoding: canonical, as: UTF8.self)
            #expect(text.hasPrefix(#"{"action":"catalog.published","actor_role":"system","actor_user_id":null,"after":{"#))
            #expect(text.contains(#""at":"\#(try row.decode("at_text", as: String.self))""#))
            #expect(Data(try JCS.canonicalize(json: canonical)) == canonical)
        }
    }
}

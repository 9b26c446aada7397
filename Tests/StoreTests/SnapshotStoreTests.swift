import Foundation
import Postgres
import Routing
import Store
import TestSupport
import Testing

@Suite("Measurement snapshots")
struct SnapshotStoreTests {
    static var data: String {
        URL(fileURLWithPath: TestDatabase.repositoryRoot).appendingPathComponent("../shared/data").standardizedFileURL.path
    }
    static var available: Bool { FileManager.default.fileExists(atPath: data + "/vrps") }

    static func count(_ table: String, snapshot: Int, in pool: PostgresPool) async throws -> Int {
        try await pool.query("SELECT count(*) FROM \(identifier: table) WHERE snapshot_id = \(snapshot)")[0].decode(0, as: Int.self)
    }

    @Test("each kind imports through COPY with provenance; the stored rows are what the readers read", .enabled(if: available))
    func importsEveryKind() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let store = SnapshotStore(database: db.pool)
            let taken = Date(timeIntervalSince1970: 1_470_931_200)
            let cases: [(SnapshotKind, String, String, Int)] = [
                (.vrps, "vrps/ripe-validator-roas-sample.csv", "snapshot_vrps", 49),
                (.routes, "reference/ris-updates-2016/announcements.csv.gz", "snapshot_routes", 1_732),
                (.routes, "mrt/updates.20100722.2015.gz", "snapshot_routes", -1),
                (.irr, "irr/ripe-db-route6.txt", "snapshot_irr_routes", 62),
                (.peeringdb, "peeringdb/peeringdb_net_3333_10745.json", "snapshot_peeringdb_networks", 3),
            ]
            for (kind, file, table, expected) in cases {
                let outcome = try await store.importFile(Self.data + "/" + file, kind: kind, sourceName: file, takenAt: taken)
                guard case .imported(let snapshot) = outcome else {
                    Issue.record("\(file) was not imported: \(outcome)")
                    continue
                }
                #expect(snapshot.kind == kind)
                #expect(snapshot.sourceName == file)
                #expect(snapshot.takenAt == taken)
                #expect(snapshot.fileSHA256 == (try SnapshotStore.sha256(ofFileAt: Self.data + "/" + file)))
                #expect(snapshot.rejected == 0)
                if expected >= 0 { #expect(snapshot.records == expected, "\(file)") }
                #expect(try await Self.count(table, snapshot: snapshot.id, in: db.pool) == snapshot.records, "\(file)")
            }
            // The MRT import keeps AS paths and AS-set origins.
            let paths = try await db.pool.query(
                "SELECT count(*) FILTER (WHERE as_path IS NOT NULL), count(*) FILTER (WHERE origin_asn IS NULL) FROM snapshot_routes WHERE origin_text LIKE '{%' OR as_path IS NOT NULL"
            )
            #expect(try paths[0].decode(0, as: Int.self) > 0)
            let listed = try await store.list()
            #expect(listed.map(\.kind) == [.peeringdb, .irr, .routes, .routes, .vrps])
            #expect(try await store.list(kind: .routes, limit: 1).count == 1)
            #expect(try await store.list(before: listed[1].id).first?.id == listed[2].id)
        }
    }

    @Test("CAIDA Spoofer results import with their statuses, one row per tested family")
    func importsSpoofer() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let store = SnapshotStore(database: db.pool)
            let fixtures = URL(fileURLWithPath: TestDatabase.repositoryRoot).appendingPathComponent("Tests/Fixtures/spoofer").path
            var stored = 0
            for file in ["shadowserver-caida-ip-spoofer-20200819.csv", "caida-api-sessions-as3356.jsonl"] {
                guard
                    case .imported(let snapshot) = try await store.importFile(
                        fixtures + "/" + file, kind: .spoofer, sourceName: file, takenAt: Date())
                else {
                    Issue.record("\(file) was not imported")
                    continue
                }
                #expect(snapshot.kind == .spoofer && snapshot.rejected == 0)
                #expect(try await Self.count("snapshot_spoofer_sessions", snapshot: snapshot.id, in: db.pool) == snapshot.records)
                stored += snapshot.records
            }
            #expect(stored == 7)
            let row = try await db.pool.query(
                """
                SELECT tested_at, asn, prefix::text, routed_spoof, private_spoof, nat FROM snapshot_spoofer_sessions WHERE session_id = 740024
                """)[0]
            #expect(try row.decode(0, as: Date.self) == (try Date("2019-08-27T02:32:12Z", strategy: .iso8601)))
            #expect(try row.decode(1, as: Int.self) == 7552)
            #expect(try row.decode(2, as: String.self) == "115.78.9.0/24")
            #expect(try row.decode(3, as: String?.self) == "rewritten")
            #expect(try row.decode(4, as: String?.self) == nil)
            #expect(try row.decode(5, as: Bool?.self) == true)
        }
    }

    @Test("the same file twice is a no-op that says so, also when two imports race", .enabled(if: available))
    func idempotent() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let store = SnapshotStore(database: db.pool)
            let file = Self.data + "/irr/ripe-db-route.txt"
            let outcomes = try await withThrowingTaskGroup(of: ImportOutcome.self) { group in
                for _ in 0..<4 { group.addTask { try await store.importFile(file, kind: .irr, sourceName: "ripe", takenAt: Date()) } }
                return try await group.reduce(into: [ImportOutcome]()) { $0.append($1) }
            }
            let imported = outcomes.filter { if case .imported = $0 { true } else { false } }
            #expect(imported.count == 1)
            #expect(try await store.list().count == 1)
            guard case .alreadyImported(let again) = try await store.importFile(file, kind: .irr, sourceName: "ripe", takenAt: Date()) else {
                Issue.record("a second import did something")
                return
            }
            #expect(try await Self.count("snapshot_irr_routes", snapshot: again.id, in: db.pool) == 62)
        }
    }

    @Test("rejects are counted and kept with the snapshot; a failed import leaves nothing")
    func rejectsAndFailures() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let store = SnapshotStore(database: db.pool)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let routes = folder.appendingPathComponent("routes.csv").path
            try "prefix,origin_asn\n193.0.0.0/21,3333\nnot a route\n2001:67c:2e8::/48,3333\n".write(toFile: routes, atomically: true, encoding: .utf8)
            guard case .imported(let snapshot) = try await store.importFile(routes, kind: .routes, sourceName: "test", takenAt: Date()) else {
                Issue.record("not imported")
                return
            }
            #expect(snapshot.records == 2)
            #expect(snapshot.rejected == 1)
            let rejects = try await db.pool.query(
                "SELECT rejects->0->>'reason', (rejects->0->>'line')::int FROM measurement_snapshots WHERE id = \(snapshot.id)")
            #expect(try rejects[0].decode(1, as: Int.self) == 3)

            let notJSON = folder.appendingPathComponent("peeringdb.json").path
            try "{\"data\": [".write(toFile: notJSON, atomically: true, encoding: .utf8)
            await #expect(throws: RoutingDataError.self) {
                try await store.importFile(notJSON, kind: .peeringdb, sourceName: "broken", takenAt: Date())
            }
            #expect(try await store.list().count == 1)
        }
    }
}

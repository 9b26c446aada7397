import Domain
import Foundation
import Postgres
import Store
import TestSupport
import Testing

/// `rov_invalid_carried` over its window (issue 12 §3: the last routes snapshots over 7 days, a
/// route counting only when it was invalid at both ends), run by the check runner on a
/// certification of AS8218, a transit network seen in the RIPE RIS updates of 2016-08-11 16:00
/// (`../shared/data/mrt/updates.20160811.1600.gz`, RIPE-NCC/bgpdump's test data, AS paths
/// included). The VRPs are those of the rpki-client run of 2025-07-20 09:31 that cover one of
/// the file's prefixes (`Tests/Fixtures/checks/vrps-ris-updates-2016-20250720T093133Z.json`).
/// The window's end is derived: the same routes a week later with AS7315's withdrawn.
@Suite("Windowed checks in the check runner")
struct WindowedCheckTests {
    static let shared = TestDatabase.repositoryRoot + "/../shared/data"
    static var available: Bool { FileManager.default.fileExists(atPath: shared + "/mrt/updates.20160811.1600.gz") }
    /// Routes of 2016 against VRPs of 2025, checked in 2026: the tolerance says so.
    static let tolerance = FreshnessPolicy(maximumAge: 5_000 * 86_400, maximumPairing: 4_000 * 86_400)
    static let start = Date(timeIntervalSince1970: 1_470_931_200)  // 2016-08-11T16:00:00Z, the file's own time

    /// The results of netops.plus.rov's check `kind` recorded at `time`.
    static func rov(_ db: FreshDatabase, at time: Date, kind: String = "rov_invalid_carried") async throws -> PostgresRow {
        try #require(
            try await db.pool.query(
                """
                SELECT verdict, metric_value, explanation, evidence, snapshot_ids FROM check_results
                WHERE action_code = 'netops.plus.rov' AND check_definition->>'kind' = \(kind) AND measured_at = \(time)
                """
            ).single)
    }

    /// The world's participant holds AS8218 (verified) and is certified at MANRS+ under the catalog
    /// version the world published; the VRPs and the RIS routes are imported. The certification,
    /// and the routes snapshot (nil, recorded as an issue, when it was imported already).
    static func certifyAS8218(_ world: DeliveryTests.World) async throws -> (certification: UUID, routes: Int)? {
        let participants = ParticipantStore(database: world.db.pool)
        let system = ChangeContext.system(at: DeliveryTests.at)
        let added = try await participants.addResource(NewResource(kind: .asn, value: .asn(8218)), to: world.participant, context: system)
        _ = try await participants.verifyResource(added.id, of: world.participant, reason: "RIPE database", url: nil, context: system)
        try await DeliveryTests.decide(.approve, reasons: "", in: world)
        let certification = try await world.db.pool.query("SELECT id FROM certifications WHERE participant_id = \(world.participant)")[0]
            .decode(0, as: UUID.self)
        try await world.db.pool.execute("UPDATE certifications SET tier = 'plus' WHERE id = \(certification)")

        let snapshots = SnapshotStore(database: world.db.pool)
        _ = try await snapshots.importFile(
            CheckRunTests.fixtures + "vrps-ris-updates-2016-20250720T093133Z.json", kind: .vrps, sourceName: "rpki-client (RIS 2016 prefixes)",
            takenAt: try Date("2025-07-20T09:31:33Z", strategy: .iso8601))
        let imported = try await snapshots.importFile(
            Self.shared + "/mrt/updates.20160811.1600.gz", kind: .routes, sourceName: "RIS updates 2016-08-11 16:00", takenAt: Self.start)
        guard case .imported(let first) = imported else {
            Issue.record("The routes were imported already: \(imported)")
            return nil
        }
        return (certification, first.id)
    }

    /// The derived end of the window, a week after the RIS routes: the same routes, with the 68
    /// that AS7315 originated withdrawn. Its snapshot id.
    static func deriveEnd(from first: Int, in db: FreshDatabase) async throws -> Int {
        try await db.pool.transaction { connection in
            let id = try await connection.query(
                """
                INSERT INTO measurement_snapshots (kind, source_name, file_sha256, taken_at, records)
                VALUES ('routes', 'RIS 2016-08-11 without AS7315 (derived)', \(String(repeating: "7", count: 64)),
                        \(Self.start.addingTimeInterval(7 * 86_400)), 0)
                RETURNING id
                """)[0].decode(0, as: Int.self)
            try await connection.execute(
                """
                INSERT INTO snapshot_routes (snapshot_id, prefix, origin_asn, origin_text, as_path)
                SELECT \(id), prefix, origin_asn, origin_text, as_path FROM snapshot_routes
                WHERE snapshot_id = \(first) AND origin_asn IS DISTINCT FROM 7315
                """)
            return id
        }
    }

    /// Publishes the seed catalogs as version 1 published them (Tests/Fixtures/catalog-v1, its
    /// README), documents unchanged, as a database loaded before issue 12 holds them.
    static func publishVersionOne(_ db: FreshDatabase) async throws {
        let folder = TestDatabase.repositoryRoot + "/Tests/Fixtures/catalog-v1/"
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".json") {
            let seed = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + name))) as? [String: Any])
            let program = try #require(seed["program"] as? [String: String])
            let document = String(decoding: try JSONSerialization.data(withJSONObject: try #require(seed["catalog"])), as: UTF8.self)
            try await db.pool.execute(
                "INSERT INTO programs (code, name, description) VALUES (\(program["code"]), \(program["name"]), \(program["description"]))")
            try await db.pool.execute(
                """
                INSERT INTO catalog_versions (program_code, version, status, document, published_at)
                VALUES (\(program["code"]), 1, 'published', \(document)::jsonb, \(DeliveryTests.at))
                """)
        }
    }

    @Test(
        "one routes snapshot is insufficient data; with a derived snapshot a week later, only the routes invalid at both ends count, and the result names both snapshots",
        .enabled(if: available))
    func windowAtBothEnds() async throws {
        try await DeliveryTests.run { world in
            guard let (_, first) = try await Self.certifyAS8218(world) else { return }
            let checks = CheckRunStore(database: world.db.pool, freshness: Self.tolerance)

            // One snapshot: the window cannot be judged.
            let firstRun = DeliveryTests.at.addingTimeInterval(86_400)
            #expect(try await checks.run(at: firstRun).checked == 1)
            let single = try await Self.rov(world.db, at: firstRun)
            #expect(try single.decode("verdict", as: String.self) == "insufficient_data")
            #expect(
                try single.decode("explanation", as: String.self).hasPrefix(
                    "rov invalid carried needs at least 2 routes snapshots over 7 days; there were 1 over 0 days."))

            let end = try await Self.deriveEnd(from: first, in: world.db)

            // The next check, a month later (the plus tier's cadence).
            let secondRun = firstRun.addingTimeInterval(31 * 86_400)
            #expect(try await checks.run(at: secondRun).checked == 1)
            let windowed = try await Self.rov(world.db, at: secondRun)
            // AS8218 carried 203 RPKI-invalid routes in the file (the reference validators'
            // states of ../shared/data/reference/ris-updates-2016); 68 of them were AS7315's.
            #expect(try windowed.decode("verdict", as: String.self) == "fail")
            #expect(try windowed.decode("metric_value", as: Double?.self) == 135)
            let explanation = try windowed.decode("explanation", as: String.self)
            #expect(
                explanation.hasPrefix(
                    "135 routes counted in rov invalid carried at both ends of the 7-day window (203 at its start, 135 at its end)"),
                "\(explanation)")
            let evidence = try windowed.decode("evidence", as: [String].self)
            #expect(evidence.count == 10 && !evidence.contains { $0.hasSuffix(" AS7315") })
            let ids = try windowed.decode("snapshot_ids", as: [Int].self)
            #expect(ids.contains(first) && ids.contains(end))
            // A check that reads one snapshot names only the run's own.
            let other = try await world.db.pool.query(
                """
                SELECT snapshot_ids FROM check_results
                WHERE action_code = 'netops.plus.rpki-coverage' AND check_definition->>'kind' = 'rpki_invalid' AND measured_at = \(secondRun)
                """)[0].decode(0, as: [Int].self)
            #expect(other.contains(end) && !other.contains(first))
        }
    }
    @Test(
        "a certification granted under catalog version 1: its retired rov_invalid_propagated is judged as rov_invalid_carried over the window, not left without data",
        .enabled(if: available))
    func versionOnePropagated() async throws {
        try await DeliveryTests.run(catalogs: Self.publishVersionOne) { world in
            guard let (certification, first) = try await Self.certifyAS8218(world) else { return }
            #expect(
                try await world.db.pool.query("SELECT catalog_version FROM certifications WHERE id = \(certification)")[0].decode(0, as: Int.self)
                    == 1)
            let checks = CheckRunStore(database: world.db.pool, freshness: Self.tolerance)
            let replaced = "rov_invalid_propagated is measured as rov_invalid_carried, which replaced it. "

            // One snapshot: the window cannot be judged, and the result says which check stands in.
            let firstRun = DeliveryTests.at.addingTimeInterval(86_400)
            #expect(try await checks.run(at: firstRun).checked == 1)
            let single = try await Self.rov(world.db, at: firstRun, kind: "rov_invalid_propagated")
            #expect(try single.decode("verdict", as: String.self) == "insufficient_data")
            #expect(
                try single.decode("explanation", as: String.self).hasPrefix(
                    replaced + "rov invalid carried needs at least 2 routes snapshots over 7 days; there were 1 over 0 days."))

            // A week's window: AS8218 carried 135 RPKI-invalid routes at both ends, as under version 2.
            let end = try await Self.deriveEnd(from: first, in: world.db)
            let secondRun = firstRun.addingTimeInterval(31 * 86_400)
            #expect(try await checks.run(at: secondRun).checked == 1)
            let windowed = try await Self.rov(world.db, at: secondRun, kind: "rov_invalid_propagated")
            #expect(try windowed.decode("verdict", as: String.self) == "fail")
            #expect(try windowed.decode("metric_value", as: Double?.self) == 135)
            let explanation = try windowed.decode("explanation", as: String.self)
            #expect(
                explanation.hasPrefix(
                    replaced + "135 routes counted in rov invalid carried at both ends of the 7-day window (203 at its start, 135 at its end)"),
                "\(explanation)")
            let ids = try windowed.decode("snapshot_ids", as: [Int].self)
            #expect(ids.contains(first) && ids.contains(end))
        }
    }
}

// The periodic checks' figure in `make bench` (issue 12, "Speed"): one run of the check runner
// over every certification in force, 1,000 of them, against the full 2024 table (1,004,372
// routes) and the 2025 VRPs (723,521): under 60 s.
import Domain
import Foundation
import Postgres
import Store

/// Imports the full table and the VRPs, synthesises 1,000 certified participants from real
/// origin ASNs of the table (every 75th origin ASN in numeric order, with every prefix it
/// originates as its scope), and times `CheckRunStore.run` twice: the first check of all of
/// them (results, scope flags, warnings), and the next one a month later.
func checkRunFigure(pool: PostgresPool, shared: String) async throws {
    let taken = try Date("2025-07-20T09:31:33Z", strategy: .iso8601)
    let granted = taken.addingTimeInterval(86_400)
    _ = try await CatalogStore(database: pool).load(
        seeds: try CatalogStore.readSeeds(directory: "schema/catalog"), context: .system(at: granted.addingTimeInterval(-86_400 * 30)))
    let snapshots = SnapshotStore(database: pool)
    var routes = 0
    for (file, kind) in [
        (shared + "/routes/announcements-rv2-20240406.csv.gz", SnapshotKind.routes),
        (shared + "/vrps/rpki-client-20250720T093133Z.json.bz2", .vrps),
    ] {
        let when = kind == .routes ? try Date("2024-04-06T00:00:00Z", strategy: .iso8601) : taken
        switch try await snapshots.importFile(file, kind: kind, sourceName: "checks-bench", takenAt: when) {
        case .imported(let snapshot), .alreadyImported(let snapshot): if kind == .routes { routes = snapshot.id }
        }
    }
    let catalog = try await pool.query(
        "SELECT version, document FROM catalog_versions WHERE program_code = 'netops' AND status = 'published' ORDER BY version DESC LIMIT 1")[0]
    let version = try catalog.decode("version", as: Int.self)
    let actions = try catalog.decode("document", as: JSONB<CatalogDocument>.self).value.actions.map(\.code)
    try await pool.withConnection { connection in
        try await connection.execute(
            """
            CREATE TEMP TABLE bench_certified AS
            SELECT asn, gen_random_uuid() AS participant, gen_random_uuid() AS application, gen_random_uuid() AS certification
            FROM (SELECT origin_asn AS asn, row_number() OVER (ORDER BY origin_asn) AS n
                  FROM (SELECT DISTINCT origin_asn FROM snapshot_routes WHERE snapshot_id = \(routes) AND origin_asn IS NOT NULL) o) numbered
            WHERE n % 75 = 0 ORDER BY asn LIMIT 1000
            """)
        try await connection.execute(
            """
            INSERT INTO participants (id, legal_name, display_name, country)
            SELECT participant, 'Synthesised participant of AS' || asn, 'AS' || asn, 'NL' FROM bench_certified
            """)
        try await connection.execute(
            """
            INSERT INTO applications (id, participant_id, program_code, catalog_version, tier, state, decided_at)
            SELECT application, participant, 'netops', \(version), 'plus', 'approved', \(granted) FROM bench_certified
            """)
        try await connection.execute(
            """
            INSERT INTO certifications (id, participant_id, program_code, tier, catalog_version, application_id, actions, granted_at, valid_until)
            SELECT certification, participant, 'netops', 'plus', \(version), application, \(actions), \(granted),
                   \(granted.addingTimeInterval(365 * 86_400)) FROM bench_certified
            """)
        try await connection.execute(
            """
            INSERT INTO certification_scope (certification_id, kind, value)
            SELECT certification, 'asn', 'AS' || asn FROM bench_certified
            UNION
            SELECT b.certification, 'prefix', r.prefix::text FROM bench_certified b
            JOIN snapshot_routes r ON r.snapshot_id = \(routes) AND r.origin_asn = b.asn
            """)
        try await connection.execute("ANALYZE")
    }
    let counts = try await pool.query(
        "SELECT count(DISTINCT certification_id) AS certifications, count(*) FILTER (WHERE kind = 'prefix') AS prefixes FROM certification_scope")[0]
    let certifications = try counts.decode("certifications", as: Int.self)
    let prefixes = try counts.decode("prefixes", as: Int.self)
    print("checks: \(certifications) certifications of real origin ASNs, \(prefixes) prefixes in their scope")

    // The 2024 routes and the 2025 VRPs are 15 months apart: the tolerance says so, as the demo's does.
    let runner = CheckRunStore(database: pool, freshness: FreshnessPolicy(maximumAge: 1_000 * 86_400, maximumPairing: 500 * 86_400))
    for (label, time) in [("first check", granted.addingTimeInterval(3600)), ("next check, a month later", granted.addingTimeInterval(31 * 86_400))] {
        let start = ContinuousClock.now
        let summary = try await runner.run(at: time)
        let seconds = (ContinuousClock.now - start).seconds
        print(
            String(
                format: "checks, %@: %d certifications (%d failing) in %.1f s, %.1f ms per participant (goal < 60 s) %@", label, summary.checked,
                summary.failing, seconds, seconds * 1000 / Double(max(summary.checked, 1)), seconds < 60 ? "ok" : "ABOVE GOAL"))
        if let refusal = summary.refusal { print("checks: \(refusal)") }
    }
}

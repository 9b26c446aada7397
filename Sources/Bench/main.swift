// `make bench`: figures measured side by side with their baselines in one run, as ratios.
//
// Each figure runs ours and the baseline alternately for a few rounds on the same database and
// reports the medians: on a noisy 2-core machine a ratio of medians is what holds still.
import Domain
import EmbeddedPostgres
import Foundation
import Logging
import Postgres
import Routing
import Store

#if canImport(Glibc)
    import Glibc
#endif

let environment = ProcessInfo.processInfo.environment
let rounds = Int(environment["BENCH_ROUNDS"] ?? "") ?? 3
let pgbenchSeconds = Int(environment["BENCH_PGBENCH_SECONDS"] ?? "") ?? 4
var logger = Logger(label: "bench")
logger.logLevel = .warning

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func format(_ rate: Double) -> String { String(format: "%8.0f/s", rate) }

func printFigure(_ name: String, ours: [Double], baseline: [Double], baselineName: String, goal: Double?) {
    let ratio = median(ours) / median(baseline)
    print("\(name): manrs-plus \(format(median(ours))) (runs: \(ours.map { String(format: "%.0f", $0) }.joined(separator: ", ")))")
    print("\(name): \(baselineName) \(format(median(baseline))) (runs: \(baseline.map { String(format: "%.0f", $0) }.joined(separator: ", ")))")
    let verdict = goal.map { "(goal ≥ \($0)) \(ratio >= $0 ? "ok" : "BELOW GOAL")" } ?? "(for reference)"
    print("\(name): ratio \(String(format: "%.2f", ratio)) \(verdict)")
}

/// Runs pgbench with `script` and returns its transactions per second.
func pgbench(binaries: PostgresBinaries, connection: (host: String, database: String), clients: Int, threads: Int, script: String) throws -> Double {
    let scriptPath = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).sql").path
    try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: scriptPath) }
    let (_, text) = try Subprocess.run([
        binaries.path("pgbench"), "-n", "-M", "extended", "-c", String(clients), "-j", String(threads), "-T", String(pgbenchSeconds),
        "-h", connection.host, "-p", "5432", "-U", "postgres", "-f", scriptPath, connection.database,
    ])
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
        let tps = Double(line.dropFirst(6).prefix { $0 != " " })
    else {
        throw BenchError("pgbench printed no tps:\n\(text)")
    }
    return tps
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

let accounts = 100_000
let selectScript = "\\set id random(1, \(accounts))\nSELECT balance FROM bench_accounts WHERE id = :id;\n"

/// A cheap deterministic id sequence over 1...accounts, so both sides read scattered rows.
struct IDs {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    mutating func next() -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(state >> 33) % accounts + 1
    }
}

// MARK: - Setup: a throwaway cluster with a pgbench-like table.

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("manrs-bench-\(getpid())").path
let cluster = EmbeddedPostgres(dataDirectory: folder + "/pg", databaseName: "bench", durable: false)
let binaries = try PostgresBinaries.locate()
_ = try cluster.start(logger: logger)
let connection = (host: cluster.socketDirectory, database: "bench")
let setupPool = PostgresPool(configuration: .init(connectionString: cluster.connectionString(), poolSize: 1), logger: logger)
try await setupPool.withConnection { db in
    try await db.executeScript(
        """
        DROP TABLE IF EXISTS bench_accounts;
        CREATE TABLE bench_accounts (id int PRIMARY KEY, balance int NOT NULL, filler char(84));
        INSERT INTO bench_accounts SELECT g, g % 1000, '' FROM generate_series(1, \(unsafeRaw: String(accounts))) g;
        """)
    // VACUUM refuses to run inside the implicit transaction of a multi-statement script.
    try await db.execute("VACUUM ANALYZE bench_accounts")
}
await setupPool.close()
print("bench: PostgreSQL \(binaries.directory), \(rounds) rounds, pgbench -T \(pgbenchSeconds)")

// MARK: - Driver overhead: one connection, sequential single-row primary-key SELECTs.

let queries = Int(environment["BENCH_QUERIES"] ?? "") ?? 20_000
let single = PostgresPool(configuration: .init(connectionString: cluster.connectionString(), poolSize: 1), logger: logger)

/// Queries through `pool.query`: a lease per query, as a request handler does.
func oursPerQueryLease(_ pool: PostgresPool, count: Int) async throws -> Double {
    var ids = IDs()
    let start = ContinuousClock.now
    for _ in 0..<count {
        let rows = try await pool.query("SELECT balance FROM bench_accounts WHERE id = \(ids.next())")
        _ = try rows[0].decode(0, as: Int.self)
    }
    return Double(count) / (ContinuousClock.now - start).seconds
}

/// Queries on one leased connection, as a transaction or an import does.
func oursOneLease(_ pool: PostgresPool, count: Int) async throws -> Double {
    try await pool.withConnection { connection in
        var ids = IDs()
        let start = ContinuousClock.now
        for _ in 0..<count {
            let rows = try await connection.query("SELECT balance FROM bench_accounts WHERE id = \(ids.next())")
            _ = try rows[0].decode(0, as: Int.self)
        }
        return Double(count) / (ContinuousClock.now - start).seconds
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

let only = environment["BENCH_ONLY"]  // "driver" or "pool" to run one figure
if only == nil || only == "driver" {
    _ = try await oursOneLease(single, count: 2_000)  // warm up: connect, plan cache, page cache
    var perQuery: [Double] = []
    var oneLease: [Double] = []
    var pgbenchSingle: [Double] = []
    for _ in 0..<rounds {
        perQuery.append(try await oursPerQueryLease(single, count: queries))
        oneLease.append(try await oursOneLease(single, count: queries))
        pgbenchSingle.append(try pgbench(binaries: binaries, connection: connection, clients: 1, threads: 1, script: selectScript))
    }
    printFigure("driver, lease per query (pool.query)", ours: perQuery, baseline: pgbenchSingle, baselineName: "pgbench -c1 -M extended", goal: 0.8)
    printFigure("driver, one lease (connection.query)", ours: oneLease, baseline: pgbenchSingle, baselineName: "pgbench -c1 -M extended", goal: 0.8)
}
await single.close()

// MARK: - Pool throughput: 8 tasks sharing a pool of 4.

let pooled = PostgresPool(configuration: .init(connectionString: cluster.connectionString(), poolSize: 4), logger: logger)

func oursPool(_ pool: PostgresPool, tasks: Int, perTask: Int) async throws -> Double {
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for task in 0..<tasks {
            group.addTask {
                var ids = IDs(state: UInt64(task + 1) &* 0x9E37_79B9_7F4A_7C15)
                for _ in 0..<perTask {
                    let rows = try await pool.query("SELECT balance FROM bench_accounts WHERE id = \(ids.next())")
                    _ = try rows[0].decode(0, as: Int.self)
                }
            }
        }
        try await group.waitForAll()
    }
    return Double(tasks * perTask) / (ContinuousClock.now - start).seconds
}

if only == nil || only == "pool" {
    _ = try await oursPool(pooled, tasks: 8, perTask: 500)
    var poolRates: [Double] = []
    var pgbenchPool: [Double] = []
    for _ in 0..<rounds {
        if environment["BENCH_SKIP_BASELINE"] != nil {
            poolRates.append(try await oursPool(pooled, tasks: 8, perTask: queries / 4))
            pgbenchPool.append(1)
            continue
        }
        poolRates.append(try await oursPool(pooled, tasks: 8, perTask: queries / 4))
        pgbenchPool.append(try pgbench(binaries: binaries, connection: connection, clients: 4, threads: 2, script: selectScript))
    }
    printFigure("pool, 8 tasks on 4 connections", ours: poolRates, baseline: pgbenchPool, baselineName: "pgbench -c4 -j2 -M extended", goal: 0.7)
}
await pooled.close()

// MARK: - Import: the full table and the VRP set through COPY, against psql \copy of the same rows.

let shared = environment["SHARED_DATA"] ?? "../shared/data"
if (only == nil || only == "import") && FileManager.default.fileExists(atPath: shared + "/routes") {
    let importPool = PostgresPool(configuration: .init(connectionString: cluster.connectionString(), poolSize: 2), logger: logger)
    try await Migrator(migrations: try Migration.load(from: "schema"), logger: logger).migrate(importPool)
    let work = folder + "/import"
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    // Inputs as the importer reads them, and the same rows as CSV for psql (prepared untimed).
    let routesFile = shared + "/routes/announcements-rv2-20240406.csv.gz"
    let vrpFile = work + "/vrps.json"
    _ = try Subprocess.run(["/bin/sh", "-c", "bzcat '\(shared)/vrps/rpki-client-20250720T093133Z.json.bz2' > '\(vrpFile)'"])
    let placeholder = try await importPool.query(
        """
        INSERT INTO measurement_snapshots (kind, source_name, file_sha256, taken_at)
        VALUES ('routes', 'psql baseline', repeat('0', 64), now()) RETURNING id
        """)[0].decode(0, as: Int.self)
    var routesCSV = ""
    _ = try RouteReader.read(path: routesFile) { routesCSV += "\(placeholder),\($0.prefix),\($0.origin.map(String.init) ?? ""),\($0.originText)\n" }
    try routesCSV.write(toFile: work + "/routes.csv", atomically: true, encoding: .utf8)
    var vrpCSV = ""
    for vrp in try VRPReader.read(path: vrpFile).vrps { vrpCSV += "\(placeholder),\(vrp.prefix),\(vrp.maxLength),\(vrp.asn)\n" }
    try vrpCSV.write(toFile: work + "/vrps.csv", atomically: true, encoding: .utf8)
    routesCSV = ""
    vrpCSV = ""

    let store = SnapshotStore(database: importPool)
    var ours: [Double] = []
    var theirs: [Double] = []
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        for (file, kind) in [(routesFile, SnapshotKind.routes), (vrpFile, .vrps)] {
            guard case .imported = try await store.importFile(file, kind: kind, sourceName: "bench", takenAt: SystemClock().now()) else {
                throw BenchError("import of \(file) did nothing")
            }
        }
        ours.append((ContinuousClock.now - start).seconds)
        try await importPool.execute("DELETE FROM measurement_snapshots WHERE source_name = 'bench'")

        let psqlStart = ContinuousClock.now
        for (table, columns, file) in [
            ("snapshot_routes", "snapshot_id, prefix, origin_asn, origin_text", work + "/routes.csv"),
            ("snapshot_vrps", "snapshot_id, prefix, max_length, asn", work + "/vrps.csv"),
        ] {
            let (status, output) = try Subprocess.run([
                binaries.path("psql"), "-X", "-q", "-d", cluster.connectionString(), "-c", "\\copy \(table) (\(columns)) FROM '\(file)' CSV",
            ])
            guard status == 0 else { throw BenchError("psql \\copy failed: \(output)") }
        }
        theirs.append((ContinuousClock.now - psqlStart).seconds)
        try await importPool.execute("DELETE FROM snapshot_routes WHERE snapshot_id = \(placeholder)")
        try await importPool.execute("DELETE FROM snapshot_vrps WHERE snapshot_id = \(placeholder)")
    }
    await importPool.close()
    // Times, so lower is better: the ratio is ours over psql's, goal at most 1.5.
    let ratio = median(ours) / median(theirs)
    print(
        String(
            format: "import full table + VRPs: manrs-plus %.2f s (runs: %@)", median(ours),
            ours.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
    print(
        String(
            format: "import full table + VRPs: psql \\copy of the same rows as CSV %.2f s (runs: %@)", median(theirs),
            theirs.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
    print(String(format: "import full table + VRPs: ratio %.2f of psql's time (goal ≤ 1.5) %@", ratio, ratio <= 1.5 ? "ok" : "ABOVE GOAL"))
}

// MARK: - Checks: the check runner over 1,000 certifications and the full table.

if (only == nil || only == "checks") && FileManager.default.fileExists(atPath: shared + "/routes") {
    let checksPool = PostgresPool(configuration: .init(connectionString: cluster.connectionString(), poolSize: 2), logger: logger)
    do {
        try await Migrator(migrations: try Migration.load(from: "schema"), logger: logger).migrate(checksPool)
        try await checkRunFigure(pool: checksPool, shared: shared)
    } catch {
        print("checks: \(error)")
    }
    await checksPool.close()
}

// MARK: - HTTP: wrk against the release server, each route beside /healthz; revocation between two instances.

if only == nil || only == "http" {
    let httpPool = PostgresPool(configuration: .init(connectionString: cluster.connectionString(), poolSize: 2), logger: logger)
    do {
        try await httpFigures(databaseURL: cluster.connectionString(), pool: httpPool, rounds: rounds)
    } catch {
        print("http: \(error)")
    }
    await httpPool.close()
}

try? cluster.stop()
try? FileManager.default.removeItem(atPath: folder)

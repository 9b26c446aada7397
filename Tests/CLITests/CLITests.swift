import Foundation
import Postgres
import Store
import TestSupport
import Testing

/// The `manrs-plus` command as an operator runs it: the built binary against a fresh database.
@Suite("Command line")
struct CLITests {
    /// The binary `swift build --build-tests` put beside this test bundle.
    static let binary: String = {
        let products = Bundle.main.bundleURL.deletingLastPathComponent()
        for candidate in [products.appendingPathComponent("manrs-plus"), products.deletingLastPathComponent().appendingPathComponent("manrs-plus")] {
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
        }
        return TestDatabase.repositoryRoot + "/.build/debug/manrs-plus"
    }()

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs the binary with `environment` added to this process's and the names in `removing` taken out.
    static func run(_ arguments: [String], database: FreshDatabase? = nil, environment extra: [String: String] = [:], removing: [String] = [])
        throws -> Run
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: TestDatabase.repositoryRoot)
        var environment = ProcessInfo.processInfo.environment
        if let database { environment["DATABASE_URL"] = database.connectionString }
        environment["LOG_LEVEL"] = "warning"
        environment.merge(extra) { _, new in new }
        for name in removing { environment[name] = nil }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test("user create prints a one-time password and a working token; a bad role is one line and a non-zero exit")
    func userCreate() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let created = try Self.run(["user", "create", "--email", "first@example.org", "--role", "admin", "--token"], database: db)
            #expect(created.status == 0, "\(created.stderr)")
            let token = try #require(
                created.stdout.split(separator: "\n").first { $0.hasPrefix("API token") }?.split(separator: " ").last.map(String.init))
            #expect(try await UserStore(database: db.pool).authenticate(token: token, at: Date(timeIntervalSince1970: 1_795_000_000))?.role == .admin)
            #expect(created.stdout.contains("One-time password: "))
            let twice = try Self.run(["user", "create", "--email", "FIRST@example.org", "--role", "admin"], database: db)
            #expect(twice.status != 0 && twice.stderr.contains("already exists"))
            let wizard = try Self.run(["user", "create", "--email", "w@example.org", "--role", "wizard"], database: db)
            #expect(wizard.status != 0 && wizard.stderr.contains("invalid --role 'wizard'"))
            #expect(wizard.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test("audit verify exits 1 and names the event when a row was changed behind the triggers")
    func tamperedChain() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            _ = try await CatalogStore(database: db.pool).load(
                seeds: try CatalogStore.readSeeds(directory: TestDatabase.schemaDirectory + "/catalog"), context: .system(at: Date()))
            try await db.pool.withConnection { connection in
                try await connection.execute("SET session_replication_role = replica")
                try await connection.execute("UPDATE audit_events SET actor_role = 'admin' WHERE seq = 3")
                try await connection.execute("SET session_replication_role = origin")
            }
            let verified = try Self.run(["audit", "verify"], database: db)
            #expect(verified.status == 1)
            #expect(verified.stdout.contains("BROKEN at event 3"), "\(verified.stdout)")
        }
    }
}

import Foundation
import Postgres
import Store
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Two `manrs-plus serve` processes on one database, as two instances behind a load balancer.
@Suite("Two instances")
struct ServeTests {
    /// A running `manrs-plus serve` on `port`; terminated by `stop`.
    final class Instance {
        let process = Process()
        let port: Int

        /// `settings` are environment variables over the test's own; `DATABASE_URL` nil leaves it
        /// unset (the embedded cluster in `DATA_DIR`).
        init(database: FreshDatabase?, port: Int, settings: [String: String] = [:], arguments: [String] = []) throws {
            self.port = port
            process.executableURL = URL(fileURLWithPath: CLITests.binary)
            process.arguments = ["serve", "--host", "127.0.0.1", "--port", String(port)] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: TestDatabase.repositoryRoot)
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = database?.connectionString
            environment["LOG_LEVEL"] = "warning"
            environment.merge(settings) { _, new in new }
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }

        /// `kill -9`.
        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        /// A graceful stop (SIGTERM), waiting for the process to exit.
        func terminate() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
    }

    // How fast is the bench's business (`make bench` prints the median delay; well under a second
    // on this machine): the test waits long enough for a loaded machine and asserts it arrives.
    @Test("a token revoked through one instance stops working on the other, without a restart", .timeLimit(.minutes(5)))
    func revocationReachesTheOtherInstance() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let users = UserStore(database: db.pool, passwords: Passwords(cost: 4))
            let user = try await users.create(email: "ops@example.org", displayName: "Ops", role: .admin, password: nil, context: .system(at: Date()))
            let (token, secret) = try await users.createToken(
                for: user.id, name: "ci", scopes: [.read, .write], expiresAt: nil, context: .system(at: Date()))
            let first = try Instance(database: db, port: LocalHTTP.freePort())
            defer { first.stop() }
            let second = try Instance(database: db, port: LocalHTTP.freePort())
            defer { second.stop() }

            // Both answer and both listen for changes (one LISTEN session each).
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let listening = try await db.pool.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()")[0].decode(0, as: Int.self)
                if listening == 2, LocalHTTP.status("GET", port: first.port, path: "/healthz", token: secret) == 200,
                    LocalHTTP.status("GET", port: second.port, path: "/healthz", token: secret) == 200
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            // The token is cached on the second instance now.
            for _ in 0..<3 { #expect(LocalHTTP.status("GET", port: second.port, path: "/api/v1/users/me/tokens", token: secret) == 200) }

            let revoked = ContinuousClock.now
            #expect(
                LocalHTTP.status("DELETE", port: first.port, path: "/api/v1/users/me/tokens/\(token.id.uuidString.lowercased())", token: secret)
                    == 204)
            var answer = LocalHTTP.status("GET", port: second.port, path: "/api/v1/users/me/tokens", token: secret)
            while answer == 200, ContinuousClock.now - revoked < .seconds(15) {
                try await Task.sleep(for: .milliseconds(5))
                answer = LocalHTTP.status("GET", port: second.port, path: "/api/v1/users/me/tokens", token: secret)
            }
            #expect(answer == 401, "the revocation did not reach the second instance in \(ContinuousClock.now - revoked)")
        }
    }

    @Test("/metrics counts each request by route, method and status, and times it", .timeLimit(.minutes(2)))
    func requestMetrics() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let server = try Instance(database: db, port: LocalHTTP.freePort())
            defer { server.stop() }
            let deadline = ContinuousClock.now + .seconds(60)
            while LocalHTTP.status("GET", port: server.port, path: "/healthz") != 200, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            for _ in 0..<3 { #expect(LocalHTTP.status("GET", port: server.port, path: "/api/v1/verify?asn=64496") == 200) }
            #expect(LocalHTTP.status("GET", port: server.port, path: "/api/v1/verify?asn=x") == 422)
            let text = try #require(LocalHTTP.get(port: server.port, "/metrics")).body
            let verify = #"http_route="/api/v1/verify""#
            let lines = text.split(separator: "\n").filter { $0.contains(verify) }
            #expect(lines.contains { $0.hasPrefix("hb_requests{") && $0.contains(#"http_response_status_code="200""#) && $0.hasSuffix(" 3") })
            #expect(lines.contains { $0.hasPrefix("hb_requests{") && $0.contains(#"http_response_status_code="422""#) && $0.hasSuffix(" 1") })
            #expect(
                lines.contains { $0.hasPrefix("http_server_request_duration_count{") && $0.contains(#"status_code="200""#) && $0.hasSuffix(" 3") })
        }
    }
}

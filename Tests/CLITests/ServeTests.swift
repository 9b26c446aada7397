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

    /// The status of one request to 127.0.0.1:`port`, or nil when nothing answers.
    static func status(_ method: String, port: Int, path: String, token: String) -> Int? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var time = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        let authorization = token.isEmpty ? "" : "Authorization: Bearer \(token)\r\n"
        let request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(authorization)Connection: close\r\n\r\n"
        guard request.utf8CString.withUnsafeBufferPointer({ send(socket, $0.baseAddress, $0.count - 1, 0) }) == request.utf8.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        let read = recv(socket, &buffer, buffer.count, 0)
        guard read >= 12 else { return nil }
        // "HTTP/1.1 200 OK"
        return Int(String(decoding: buffer[9..<12], as: UTF8.self))
    }

    static func freePort() -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
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
            let first = try Instance(database: db, port: Self.freePort())
            defer { first.stop() }
            let second = try Instance(database: db, port: Self.freePort())
            defer { second.stop() }

            // Both answer and both listen for changes (one LISTEN session each).
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let listening = try await db.pool.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()")[0].decode(0, as: Int.self)
                if listening == 2, Self.status("GET", port: first.port, path: "/healthz", token: secret) == 200,
                    Self.status("GET", port: second.port, path: "/healthz", token: secret) == 200
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            // The token is cached on the second instance now.
            for _ in 0..<3 { #expect(Self.status("GET", port: second.port, path: "/api/v1/users/me/tokens", token: secret) == 200) }

            let revoked = ContinuousClock.now
            #expect(
                Self.status("DELETE", port: first.port, path: "/api/v1/users/me/tokens/\(token.id.uuidString.lowercased())", token: secret) == 204)
            var answer = Self.status("GET", port: second.port, path: "/api/v1/users/me/tokens", token: secret)
            while answer == 200, ContinuousClock.now - revoked < .seconds(15) {
                try await Task.sleep(for: .milliseconds(5))
                answer = Self.status("GET", port: second.port, path: "/api/v1/users/me/tokens", token: secret)
            }
            #expect(answer == 401, "the revocation did not reach the second instance in \(ContinuousClock.now - revoked)")
        }
    }
}

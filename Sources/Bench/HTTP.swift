// The HTTP figures of `make bench`: wrk against `manrs-plus serve` (release build) on the bench's
// cluster, each route side by side with `/healthz` in the same run, and the time a token
// revocation made through one instance takes to reach a second one.
import Domain
import EmbeddedPostgres
import Foundation
import Postgres
import Store

#if canImport(Glibc)
    import Glibc
#endif

/// A `manrs-plus serve` beside this binary, on a free port; killed by `stop`.
final class ServerProcess {
    let process = Process()
    let port: Int

    init(databaseURL: String) throws {
        port = freePort()
        process.executableURL = URL(fileURLWithPath: serverBinary())
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", String(port)]
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = databaseURL
        environment["LOG_LEVEL"] = "warning"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(60)
        while httpRequest(port: port, path: "/healthz")?.status != 200 {
            guard ContinuousClock.now < deadline, process.isRunning else { throw BenchError("manrs-plus serve did not start") }
            usleep(50_000)
        }
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// A port nothing listens on now.
func freePort() -> Int {
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

/// What one request on a connection of its own got back; nil when nothing answers. Used to wait
/// for a server, to read a status, and to read a body (as sent: `Content-Length` framed; a
/// chunked answer is refused rather than read with its chunk lines).
struct HTTPAnswer {
    let status: Int
    let body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

func httpRequest(_ method: String = "GET", port: Int, path: String, token: String? = nil) -> HTTPAnswer? {
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
    let authorization = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
    let request = Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(authorization)Connection: close\r\n\r\n".utf8)
    guard send(socket, request, request.count, 0) == request.count else { return nil }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16_384)
    while true {
        let read = recv(socket, &buffer, buffer.count, 0)
        guard read > 0 else { break }
        response += buffer[0..<read]
    }
    let separator = Array("\r\n\r\n".utf8)
    guard response.count >= 12, let status = Int(String(decoding: response[9..<12], as: UTF8.self)),
        let end = response.indices.first(where: { response[$0...].starts(with: separator) })
    else { return nil }
    let head = String(decoding: response[..<end], as: UTF8.self).lowercased()
    guard !head.contains("transfer-encoding: chunked") else { return nil }
    return HTTPAnswer(status: status, body: Array(response[(end + separator.count)...]))
}

/// wrk's requests per second and 99th percentile latency for one URL.
func wrk(port: Int, path: String, token: String?, seconds: Int, connections: Int, script: String? = nil) throws -> (rate: Double, p99: String) {
    var argv = ["wrk", "-t2", "-c\(connections)", "-d\(seconds)s", "--latency"]
    if let token { argv += ["-H", "Authorization: Bearer \(token)"] }
    if let script { argv += ["-s", script] }
    argv.append("http://127.0.0.1:\(port)\(path)")
    let (_, text) = try Subprocess.run(["/usr/bin/env"] + argv)
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
        let rate = Double(line.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces))
    else { throw BenchError("wrk printed no rate:\n\(text)") }
    if text.contains("Non-2xx or 3xx responses") { throw BenchError("wrk saw errors on \(path):\n\(text)") }
    let p99 =
        text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("99%") }
        .map { String($0.split(separator: " ").last ?? "?") } ?? "?"
    return (rate, p99)
}

/// Requests per second of `/healthz`, a catalog read and an authenticated participant read,
/// alternated for `rounds` rounds; then the time a revocation takes to reach a second instance.
func httpFigures(databaseURL: String, pool: PostgresPool, rounds: Int) async throws {
    if (try? Subprocess.run(["/usr/bin/env", "wrk", "--version"]))?.output.contains("wrk") != true, getuid() == 0 {
        _ = try? Subprocess.run(["/usr/bin/env", "apt-get", "install", "-y", "-qq", "wrk"])
    }
    guard (try? Subprocess.run(["/usr/bin/env", "wrk", "--version"]))?.output.contains("wrk") == true else {
        print("http: wrk not found (apt-get install wrk); skipping the HTTP figures")
        return
    }
    let (loaded, output) = try Subprocess.run(["/usr/bin/env", "DATABASE_URL=\(databaseURL)", serverBinary(), "demo", "load"])
    guard loaded == 0 else { throw BenchError("demo load failed: \(output)") }
    let applicant = "mp_demo-applicant-token-public-do-not-use-in-production"
    let participant = try await pool.query(
        """
        SELECT m.participant_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'applicant@demo.example'
        ORDER BY m.participant_id LIMIT 1
        """)[0].decode(0, as: UUID.self).uuidString.lowercased()
    let seconds = Int(ProcessInfo.processInfo.environment["BENCH_HTTP_SECONDS"] ?? "") ?? 5
    let connections = Int(ProcessInfo.processInfo.environment["BENCH_HTTP_CONNECTIONS"] ?? "") ?? 32

    let first = try ServerProcess(databaseURL: databaseURL)
    defer { first.stop() }
    let figures: [(name: String, path: String, token: String?, goal: Double?)] = [
        ("/healthz", "/healthz", nil, nil),
        ("/readyz (one query)", "/readyz", nil, nil),
        ("catalog GET /api/v1/programs/netops", "/api/v1/programs/netops", nil, 0.6),
        ("authenticated GET /api/v1/participants/{id}", "/api/v1/participants/\(participant)", applicant, 0.25),
    ]
    for figure in figures { _ = try wrk(port: first.port, path: figure.path, token: figure.token, seconds: 1, connections: connections) }
    var rates = Array(repeating: [Double](), count: figures.count)
    var p99s = Array(repeating: [String](), count: figures.count)
    for _ in 0..<rounds {
        for (index, figure) in figures.enumerated() {
            let (rate, p99) = try wrk(port: first.port, path: figure.path, token: figure.token, seconds: seconds, connections: connections)
            rates[index].append(rate)
            p99s[index].append(p99)
        }
    }
    print("http: wrk -t2 -c\(connections) -d\(seconds)s against the release build, \(rounds) rounds alternated")
    for (index, figure) in figures.enumerated() where index > 0 {
        let name = "http, \(figure.name)"
        print("\(name): p99 latency \(p99s[index].joined(separator: ", "))")
        printFigure(name, ours: rates[index], baseline: rates[0], baselineName: "/healthz", goal: figure.goal)
    }

    let certified = try await markFigures(
        databaseURL: databaseURL, pool: pool, server: first, rounds: rounds, seconds: seconds, connections: connections)
    try await bulkFigure(port: first.port, pool: pool, rounds: rounds)

    // Revocation: through the first instance, timed until the second answers 401.
    let second = try ServerProcess(databaseURL: databaseURL)
    defer { second.stop() }
    let users = UserStore(database: pool)
    let admin = try await pool.query("SELECT id FROM users WHERE email = 'admin@demo.example'")[0].decode(0, as: UUID.self)
    var delays: [Double] = []
    for index in 0..<(Int(ProcessInfo.processInfo.environment["BENCH_REVOCATIONS"] ?? "") ?? 20) {
        let (token, secret) = try await users.createToken(
            for: admin, name: "bench \(index)", scopes: [.read, .write], expiresAt: nil, context: .system(at: SystemClock().now()))
        // Cached on the second instance before it is revoked.
        for _ in 0..<2 {
            guard httpRequest(port: second.port, path: "/api/v1/users/me/tokens", token: secret)?.status == 200 else {
                throw BenchError("the second instance refused a new token")
            }
        }
        guard
            httpRequest("DELETE", port: first.port, path: "/api/v1/users/me/tokens/\(token.id.uuidString.lowercased())", token: secret)?.status == 204
        else { throw BenchError("the revocation failed") }
        let revoked = ContinuousClock.now
        while httpRequest(port: second.port, path: "/api/v1/users/me/tokens", token: secret)?.status == 200 {
            guard ContinuousClock.now - revoked < .seconds(10) else { throw BenchError("a revoked token still works after 10 s") }
        }
        delays.append((ContinuousClock.now - revoked).seconds * 1000)
    }
    print(
        String(
            format: "http, revocation reaching a second instance: median %.1f ms, max %.1f ms over %d revocations (goal < 1000 ms) %@",
            median(delays), delays.max() ?? 0, delays.count, (delays.max() ?? 0) < 1000 ? "ok" : "ABOVE GOAL"))
    try await markInvalidationFigure(
        pool: pool, server: second, asns: certified, changes: Int(ProcessInfo.processInfo.environment["BENCH_REVOCATIONS"] ?? "") ?? 20)
}

func serverBinary() -> String {
    URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("manrs-plus").path
}

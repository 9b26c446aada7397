// The mark figures of `make bench` (issue 13 "Speed"): `GET /api/v1/verify?asn=N` with random
// certified ASNs, and the badge of random marks, each side by side in one run with a trivial
// Hummingbird handler returning the same bytes (the framework's floor) and nginx (one worker)
// serving them as a static file (the limit).
import Credentials
import EmbeddedPostgres
import Foundation
import Hummingbird
import Postgres

#if canImport(Glibc)
    import Glibc
#endif

/// `count` certified marks straight in SQL (participants, approved applications, certifications
/// with their scope and mark): what verification reads. Returns their ASNs and mark ids.
func seedCertifiedMarks(_ pool: PostgresPool, count: Int) async throws -> (asns: [UInt32], marks: [String]) {
    let version = try await pool.query(
        "SELECT max(version) FROM catalog_versions WHERE program_code = 'netops' AND status = 'published'"
    )[0].decode(0, as: Int?.self)
    guard let version else { throw BenchError("no published netops catalog; run demo load first") }
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    var asns: [UInt32] = []
    var marks: [String] = []
    try await pool.transaction { connection in
        for index in 0..<count {
            let asn = UInt32(210_000 + index)
            let mark = MarkID.random().text
            let participant = try await connection.query(
                """
                INSERT INTO participants (legal_name, display_name, country) VALUES (\("Bench Networks \(index) Ltd"), \("Bench \(index)"), 'NL')
                RETURNING id
                """)[0].decode(0, as: UUID.self)
            let application = try await connection.query(
                """
                INSERT INTO applications (participant_id, program_code, catalog_version, tier, state, decided_at)
                VALUES (\(participant), 'netops', \(version), 'baseline', 'approved', \(now)) RETURNING id
                """)[0].decode(0, as: UUID.self)
            try await connection.execute(
                "INSERT INTO marks (id, participant_id, program_code, created_at) VALUES (\(mark), \(participant), 'netops', \(now))")
            let certification = try await connection.query(
                """
                INSERT INTO certifications (participant_id, program_code, tier, catalog_version, application_id, actions, granted_at, valid_until, mark_id)
                VALUES (\(participant), 'netops', 'baseline', \(version), \(application), \(["netops.1", "netops.2"]), \(now),
                        \(now.addingTimeInterval(3 * 365 * 86_400)), \(mark)) RETURNING id
                """)[0].decode(0, as: UUID.self)
            try await connection.execute(
                "INSERT INTO certification_scope (certification_id, kind, value) VALUES (\(certification), 'asn', \("AS\(asn)"))")
            asns.append(asn)
            marks.append(mark)
        }
    }
    return (asns, marks)
}

/// A Hummingbird server answering every request with `body`: the framework's floor.
func trivialServer(body: [UInt8], contentType: String) async throws -> (port: Int, task: Task<Void, any Error>) {
    let port = freePort()
    let router = Router()
    let buffer = ByteBuffer(bytes: body)
    let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
        var fields = HTTPFields()
        fields[.contentType] = contentType
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: buffer))
    }
    router.get("**", use: handler)
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    let task = Task { try await app.runService() }
    let deadline = ContinuousClock.now + .seconds(30)
    while httpStatus("GET", port: port, path: "/x") != 200 {
        guard ContinuousClock.now < deadline else { throw BenchError("the trivial Hummingbird server did not start") }
        usleep(20_000)
    }
    return (port, task)
}

/// nginx (Debian package) with one worker serving `body` as a static file at every path.
final class NginxProcess {
    let process = Process()
    let port: Int
    let folder: URL

    init?(body: [UInt8], contentType: String) throws {
        if (try? Subprocess.run(["/usr/bin/env", "which", "nginx"]))?.status != 0, getuid() == 0 {
            _ = try? Subprocess.run(["/usr/bin/env", "apt-get", "install", "-y", "-qq", "nginx-light"])
        }
        let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let binary else { return nil }
        port = freePort()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(body).write(to: folder.appendingPathComponent("body"))
        let configuration = """
            daemon off; worker_processes 1; pid \(folder.path)/nginx.pid; error_log \(folder.path)/error.log;
            events { worker_connections 1024; }
            http {
                access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
                client_body_temp_path \(folder.path); proxy_temp_path \(folder.path); fastcgi_temp_path \(folder.path);
                uwsgi_temp_path \(folder.path); scgi_temp_path \(folder.path);
                server { listen 127.0.0.1:\(port); root \(folder.path); default_type \(contentType); location / { try_files /body =404; } }
            }
            """
        try configuration.write(to: folder.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-c", folder.appendingPathComponent("nginx.conf").path, "-p", folder.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(10)
        while httpStatus("GET", port: port, path: "/x") != 200 {
            guard ContinuousClock.now < deadline, process.isRunning else { throw BenchError("nginx did not start") }
            usleep(20_000)
        }
    }

    func stop() {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// A wrk script asking for `paths` in random order.
func randomPathsScript(_ paths: [String]) throws -> String {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-paths-\(UUID().uuidString).lua")
    let list = paths.map { "\"\($0)\"" }.joined(separator: ",\n")
    try """
    local paths = {
    \(list)
    }
    math.randomseed(2026)
    request = function()
        return wrk.format("GET", paths[math.random(#paths)])
    end
    """.write(to: file, atomically: true, encoding: .utf8)
    return file.path
}

/// One request's body, on a connection of its own.
func httpBody(port: Int, path: String) throws -> [UInt8] {
    let (status, output) = try Subprocess.run(["/usr/bin/env", "curl", "-sf", "http://127.0.0.1:\(port)\(path)"])
    guard status == 0 else { throw BenchError("GET \(path) failed: \(output)") }
    return Array(output.utf8)
}

/// verify and the badge against the trivial handler and nginx, alternated for `rounds` rounds.
/// Returns the certified ASNs it seeded.
@discardableResult
func markFigures(databaseURL: String, pool: PostgresPool, server: ServerProcess, rounds: Int, seconds: Int, connections: Int) async throws
    -> [UInt32]
{
    let count = Int(ProcessInfo.processInfo.environment["BENCH_MARKS"] ?? "") ?? 1000
    let (asns, marks) = try await seedCertifiedMarks(pool, count: count)
    let verifyPaths = asns.map { "/api/v1/verify?asn=\($0)" }
    let badgePaths = marks.map { "/marks/\($0)/badge.svg" }
    for (name, paths, contentType, goal) in [
        ("GET /api/v1/verify?asn=N (random certified ASNs)", verifyPaths, "application/json", 0.75),
        ("GET /marks/{id}/badge.svg (random marks)", badgePaths, "image/svg+xml", 0.75),
    ] {
        let body = try httpBody(port: server.port, path: paths[0])
        let (trivialPort, trivial) = try await trivialServer(body: body, contentType: contentType)
        defer { trivial.cancel() }
        let nginx = try NginxProcess(body: body, contentType: contentType)
        defer { nginx?.stop() }
        let script = try randomPathsScript(paths)
        defer { try? FileManager.default.removeItem(atPath: script) }
        // Warm: every path once through the server's cache.
        _ = try wrk(port: server.port, path: "/", token: nil, seconds: 2, connections: connections, script: script)
        var runs: [String: [(Double, String)]] = [:]
        for _ in 0..<rounds {
            runs["manrs-plus", default: []].append(
                try wrk(port: server.port, path: "/", token: nil, seconds: seconds, connections: connections, script: script))
            runs["trivial", default: []].append(
                try wrk(port: trivialPort, path: "/", token: nil, seconds: seconds, connections: connections, script: script))
            if let nginx {
                runs["nginx", default: []].append(
                    try wrk(port: nginx.port, path: "/", token: nil, seconds: seconds, connections: connections, script: script))
            }
        }
        for (label, values) in runs.sorted(by: { $0.key < $1.key }) {
            print("http, \(name): \(label) p99 \(values.map(\.1).joined(separator: ", "))")
        }
        let ours = runs["manrs-plus", default: []].map(\.0)
        printFigure(
            "http, \(name)", ours: ours, baseline: runs["trivial", default: []].map(\.0), baselineName: "trivial Hummingbird handler", goal: goal)
        if let nginxRates = runs["nginx"]?.map(\.0) {
            printFigure("http, \(name)", ours: ours, baseline: nginxRates, baselineName: "nginx (1 worker, static file)", goal: nil)
        } else {
            print("http, \(name): nginx not found (apt-get install nginx-light); no ratio to nginx")
        }
    }
    return asns
}

/// The time a change to a certified holder, committed by another writer (here the bench, as
/// any instance or psql would), takes to show in a second instance's cached `verify?asn=N`
/// answer: the `marks:all` notification of schema 0026 dropping its cache (goal under 1 s).
func markInvalidationFigure(pool: PostgresPool, server: ServerProcess, asns: [UInt32], changes: Int) async throws {
    var delays: [Double] = []
    for index in 0..<changes {
        let asn = asns[index % asns.count]
        let path = "/api/v1/verify?asn=\(asn)"
        let name = "Bench Renamed \(index) Ltd"
        // Cached on the second instance before the change.
        for _ in 0..<2 {
            guard let body = httpGetBody(port: server.port, path: path), !body.contains(name) else {
                throw BenchError("the second instance did not answer \(path)")
            }
        }
        try await pool.execute(
            """
            UPDATE participants SET legal_name = \(name) WHERE id = (
                SELECT c.participant_id FROM certification_scope s JOIN certifications c ON c.id = s.certification_id
                WHERE s.kind = 'asn' AND s.value = \("AS\(asn)") LIMIT 1)
            """)
        let changed = ContinuousClock.now
        while httpGetBody(port: server.port, path: path)?.contains(name) != true {
            guard ContinuousClock.now - changed < .seconds(10) else { throw BenchError("a renamed holder is still shown after 10 s") }
        }
        delays.append((ContinuousClock.now - changed).seconds * 1000)
    }
    print(
        String(
            format: "http, mark change reaching a second instance's verify: median %.1f ms, max %.1f ms over %d changes (goal < 1000 ms) %@",
            median(delays), delays.max() ?? 0, delays.count, (delays.max() ?? 0) < 1000 ? "ok" : "ABOVE GOAL"))
}

/// The body of one GET on a connection of its own, as text; nil when nothing answers 200.
func httpGetBody(port: Int, path: String) -> String? {
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
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
    guard send(socket, request, request.count, 0) == request.count else { return nil }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16_384)
    while true {
        let read = recv(socket, &buffer, buffer.count, 0)
        guard read > 0 else { break }
        response += buffer[0..<read]
    }
    let text = String(decoding: response, as: UTF8.self)
    return text.hasPrefix("HTTP/1.1 200") ? text : nil
}

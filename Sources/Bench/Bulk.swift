// The bulk check's figure in `make bench`: `POST /api/v1/verify/bulk` with 10,000 ASNs against
// the release server, readiness included (issue 13: median under 150 ms).
import EmbeddedPostgres
import Foundation
import Postgres

/// Times 10,000-ASN bulk checks with curl against the server on `port`, and prints the median.
func bulkFigure(port: Int, pool: PostgresPool, rounds: Int) async throws {
    // The origin ASNs the readiness job measured (serve runs it at start), topped up with ASNs
    // nobody announces so the request always has 10,000.
    var asns = try await pool.query("SELECT asn FROM readiness ORDER BY asn LIMIT 10000").map { "AS\(try $0.decode(0, as: Int64.self))" }
    let measured = asns.count
    if asns.count < 10_000 { asns += (1...(10_000 - asns.count)).map { "AS\(4_100_000_000 + $0)" } }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("bulk-\(UUID().uuidString).json").path
    defer { unlink(file) }
    try JSONSerialization.data(withJSONObject: ["items": asns]).write(to: URL(fileURLWithPath: file))
    let curl = [
        "/usr/bin/env", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-H", "Content-Type: application/json",
        "--data-binary", "@" + file, "http://127.0.0.1:\(port)/api/v1/verify/bulk",
    ]
    _ = try Subprocess.run(curl)
    var times: [Double] = []
    for _ in 0..<max(rounds, 7) {
        let (status, output) = try Subprocess.run(curl)
        let parts = output.split(separator: " ")
        guard status == 0, parts.first == "200", let seconds = parts.last.flatMap({ Double($0) }) else {
            throw BenchError("the bulk check failed: \(output)")
        }
        times.append(seconds * 1000)
    }
    let value = median(times)
    print(
        String(
            format: "http, bulk check of 10,000 ASNs (%d with readiness): median %.0f ms over %d (goal < 150 ms) %@", measured, value, times.count,
            value < 150 ? "ok" : "ABOVE GOAL"))
}

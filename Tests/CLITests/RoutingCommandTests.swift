import Foundation
import Store
import TestSupport
import Testing

/// `validate`, `measure` and `import` as the benches and the release checks run them: the built
/// binary on the real files in ../shared/data, against the reference states.
@Suite("Routing commands")
struct RoutingCommandTests {
    static let data = URL(fileURLWithPath: TestDatabase.repositoryRoot).appendingPathComponent("../shared/data").standardizedFileURL.path
    static let reference = data + "/reference/ris-updates-2016"
    static let vrps = data + "/vrps/rpki-client-20250720T093133Z.json.bz2"
    static let spoofer = TestDatabase.repositoryRoot + "/Tests/Fixtures/spoofer/shadowserver-caida-ip-spoofer-20200819.csv"
    static var available: Bool { FileManager.default.fileExists(atPath: reference) }

    /// The rows of a gzip'd CSV after its header, through the system's zcat.
    static func gunzipLines(_ path: String) throws -> [Substring] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "zcat '\(path)'"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(whereSeparator: \.isNewline).dropFirst().map { $0 }
    }

    static func csvRows(_ text: String) -> [[Substring]] {
        text.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    }

    @Test("validate writes prefix,origin_asn,state for every announcement, in input order, equal to the reference states", .enabled(if: available))
    func validateAgreesWithReference() throws {
        let run = try CLITests.run(["validate", "--vrps", Self.vrps, "--routes", Self.reference + "/announcements.csv.gz"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("prefix,origin_asn,state\n"))
        // The reference: prefix,origin_asn,roa_checker,rov_ihr, two tools that agree row by row.
        let expected = try Self.gunzipLines(Self.reference + "/rov_states.csv.gz").map { line in
            let fields = line.split(separator: ",")
            return "\(fields[0]),\(fields[1]),\(fields[2] == "notfound" ? "not-found" : fields[2])"
        }
        let ours = run.stdout.split(separator: "\n").dropFirst().map(String.init)
        #expect(ours.count == expected.count)
        let differing = zip(ours, expected).filter { $0 != $1 }.prefix(3)
        #expect(differing.isEmpty, "\(Array(differing))")
        #expect(run.stderr.contains("valid 867, invalid 284, not-found 581"), "\(run.stderr)")
    }

    @Test("measure: per-ASN RPKI counts equal the reference summary; Spoofer columns from the published sessions", .enabled(if: available))
    func measureAgreesWithReference() throws {
        let run = try CLITests.run([
            "measure", "--vrps", Self.vrps, "--routes", Self.reference + "/announcements.csv.gz", "--spoofer", Self.spoofer,
            "--as-of", "2019-09-06T00:00:00Z",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let header = run.stdout.prefix { $0 != "\n" }.split(separator: ",")
        #expect(header.prefix(5) == ["asn", "announcements", "rpki_valid", "rpki_invalid", "rpki_not_found"])
        let column = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        let rows = Dictionary(uniqueKeysWithValues: Self.csvRows(run.stdout).map { ($0[0], $0) })
        // origin_asn,announcements,valid,invalid,notfound,…
        let reference = try String(contentsOfFile: Self.reference + "/per_asn_rov_summary.csv", encoding: .utf8)
        let expected = reference.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",") }
        #expect(rows.count == expected.count)
        let differing = expected.filter { rows[$0[0]].map { Array($0[1...4]) } != Array($0[1...4]) }.prefix(3)
        #expect(differing.isEmpty, "\(Array(differing))")
        // None of these origins was in a Spoofer session: tested 0; the column is there, not empty.
        let any = try #require(rows.values.first)
        #expect(any[column["spoofer_prefixes_tested"]!] == "0" && any[column["spoofer_last_test"]!] == "")
    }

    @Test("measure --asn: an ASN with Spoofer sessions but no routes still gets its row", .enabled(if: available))
    func measureSpooferOnly() throws {
        let run = try CLITests.run([
            "measure", "--vrps", Self.data + "/vrps/ripe-validator-roas-sample.csv", "--routes", Self.reference + "/announcements.csv.gz",
            "--spoofer", Self.spoofer, "--as-of", "2019-09-06T00:00:00Z", "--asn", "8047", "--asn", "7552",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = Self.csvRows(run.stdout)
        #expect(rows.map { $0[0] } == ["7552", "8047"])
        #expect(rows.map { Array($0.suffix(4)) } == [["1", "0", "2019-08-27T02:32:12Z", "9"], ["1", "1", "2019-08-27T03:16:08Z", "9"]])
        let bad = try CLITests.run(["measure", "--vrps", Self.vrps, "--routes", Self.vrps, "--as-of", "last week"])
        #expect(bad.status != 0 && bad.stderr.contains("--as-of 'last week' is not an ISO 8601 time"))
    }

    @Test("import spoofer stores the sessions once; the same file again says so")
    func importSpoofer() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let first = try CLITests.run(["import", "spoofer", Self.spoofer, "--source", "shadowserver"], database: db)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("5 spoofer records, 0 rejected"), "\(first.stdout)")
            let again = try CLITests.run(["import", "spoofer", Self.spoofer], database: db)
            #expect(again.status == 0 && again.stdout.contains("Already imported"), "\(again.stdout)")
            let listed = try await SnapshotStore(database: db.pool).list(kind: .spoofer)
            #expect(listed.map(\.sourceName) == ["shadowserver"])
        }
    }
}

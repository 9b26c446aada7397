import Crypto
import Domain
import Foundation
import Jobs
import Postgres
import Store
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The tests' HTTP server (`Tests/Fixtures/sources/source_server.py`), serving a temporary folder
/// on a free local port; nothing reaches the internet.
final class SourceServer {
    let process = Process()
    let folder: String
    let port: Int

    static let fixtures = TestDatabase.repositoryRoot + "/Tests/Fixtures/sources"

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sources-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.fixtures + "/source_server.py", folder]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // The first line is the port.
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line.append(byte) }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else { throw CocoaError(.fileReadCorruptFile) }
        self.port = port
    }

    /// Serves the fixture `fixture` as `name`, with the given modification time.
    func serve(_ fixture: String, as name: String, modified: Date) throws {
        let target = folder + "/" + name
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: Self.fixtures + "/" + fixture, toPath: target)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: target)
    }

    func url(_ mode: String, _ name: String) -> String { "http://127.0.0.1:\(port)/\(mode)/\(name)" }

    var requests: [String] {
        ((try? String(contentsOfFile: folder + "/requests.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }
}

@Suite("Snapshot sources")
struct SnapshotSourceTests {
    static let start = Date(timeIntervalSince1970: 1_803_859_200)  // 2027-03-01T00:00:00Z
    static let served = Date(timeIntervalSince1970: 1_753_003_893)  // 2025-07-20T09:31:33Z

    static func sources(_ json: String, in folder: String) throws -> String {
        let path = folder + "/sources.json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    static func fetcher(_ db: FreshDatabase) -> SnapshotFetcher {
        SnapshotFetcher(snapshots: SnapshotStore(database: db.pool), fetches: SnapshotFetchStore(database: db.pool), logger: TestDatabase.logger)
    }

    @Test("the job imports a source once, then asks conditionally: a 304 imports nothing, a changed file a new snapshot", .timeLimit(.minutes(5)))
    func conditionalFetches() async throws {
        let server = try SourceServer()
        defer { server.stop() }
        try server.serve("vrps-20250720T093133Z-first500.json", as: "vrps.json", modified: Self.served)
        let file = try Self.sources(
            #"{"sources": [{"name": "rpki-client", "kind": "vrps", "url": "\#(server.url("files", "vrps.json"))", "cadence": "1h"}]}"#,
            in: server.folder)
        try await TestDatabase.withDatabase { db in
            let clock = ManualClock(Self.start)
            let fetcher = Self.fetcher(db)
            let runner = JobRunner(
                store: JobStore(database: db.pool), registry: JobRegistry([SnapshotFetchJob(sourcesFile: file, fetcher: fetcher)]),
                configuration: JobConfiguration(schedules: [JobSchedule(kind: .fetchSnapshots, interval: 300)]), clock: clock,
                logger: TestDatabase.logger, worker: "test")
            let snapshots = SnapshotStore(database: db.pool)

            // First run: imported, with its provenance.
            #expect(try await runner.runDue().done == 1)
            var status = try await fetcher.fetches.status(of: "rpki-client")
            let first = try #require(status.lastAttempt)
            #expect(first.outcome == .imported)
            #expect(first.httpStatus == 200)
            #expect(first.etag?.hasPrefix("\"") == true)
            #expect(first.lastModified == "Sun, 20 Jul 2025 09:31:33 GMT")
            #expect(first.sha256 == (try Self.sha256(server.folder + "/vrps.json")))
            #expect(first.bytes == 59_655)
            let imported = try await snapshots.list(kind: .vrps)
            #expect(imported.count == 1)
            #expect(imported.first?.id == first.snapshotID)
            #expect(imported.first?.records == 500)
            #expect(imported.first?.sourceName == "rpki-client")
            #expect(imported.first?.takenAt == Self.served)

            // Not due again within its cadence: nothing is asked.
            clock.advance(by: 1800)
            _ = try await runner.runDue()
            #expect(server.requests.count == 1)

            // Due: asked with the ETag, answered 304, nothing imported.
            clock.advance(by: 1800)
            _ = try await runner.runDue()
            status = try await fetcher.fetches.status(of: "rpki-client")
            #expect(status.lastAttempt?.outcome == .unchanged)
            #expect(status.lastAttempt?.httpStatus == 304)
            #expect(status.lastAttempt?.snapshotID == first.snapshotID)
            #expect(server.requests.last?.hasSuffix(first.etag ?? "?") == true, "\(server.requests)")
            #expect(try await snapshots.list(kind: .vrps).count == 1)

            // The next run 30 minutes later (gzip this time): a new snapshot.
            try server.serve("vrps-20250720T100143Z-first500.json.gz", as: "vrps.json", modified: Self.served.addingTimeInterval(1810))
            clock.advance(by: 3600)
            _ = try await runner.runDue()
            status = try await fetcher.fetches.status(of: "rpki-client")
            #expect(status.lastAttempt?.outcome == .imported)
            let both = try await snapshots.list(kind: .vrps)
            #expect(both.count == 2)
            #expect(both.first?.id == status.lastAttempt?.snapshotID)
            #expect(both.first?.records == 500)
            #expect(try await fetcher.fetches.history(of: "rpki-client").map(\.outcome) == [.imported, .unchanged, .imported])
        }
    }

    @Test("a truncated body, a body over the limit, a 500, a timeout and a cut stream each import nothing and say why", .timeLimit(.minutes(5)))
    func failuresKeepThePreviousSnapshot() async throws {
        let server = try SourceServer()
        defer { server.stop() }
        try server.serve("vrps-20250720T093133Z-first500.json", as: "vrps.json", modified: Self.served)
        try server.serve("vrps-20250720T100143Z-first500.json.gz", as: "vrps-later.json.gz", modified: Self.served.addingTimeInterval(1810))
        try await TestDatabase.withDatabase { db in
            let fetcher = Self.fetcher(db)
            let snapshots = SnapshotStore(database: db.pool)
            let good = SnapshotSource(name: "rpki-client", kind: .vrps, location: .url(server.url("files", "vrps.json")), cadence: 3600)
            let kept = try await fetcher.fetch(good, at: Self.start)
            #expect(kept.outcome == .imported)

            let cases: [(SnapshotSource, String)] = [
                (
                    SnapshotSource(name: "truncated", kind: .vrps, location: .url(server.url("truncated", "vrps-later.json.gz")), cadence: 3600),
                    "before the whole file arrived"
                ),
                (
                    SnapshotSource(
                        name: "too large", kind: .vrps, location: .url(server.url("files", "vrps-later.json.gz")), cadence: 3600, maxBytes: 1000),
                    "over this source's limit of 1000 bytes"
                ),
                (
                    SnapshotSource(name: "broken", kind: .vrps, location: .url(server.url("error", "vrps-later.json.gz")), cadence: 3600),
                    "answered 500"
                ),
                (
                    SnapshotSource(name: "slow", kind: .vrps, location: .url(server.url("slow", "vrps-later.json.gz")), cadence: 3600, timeout: 2),
                    "longer than its limit of 2 seconds"
                ),
                (
                    SnapshotSource(name: "cut", kind: .vrps, location: .url(server.url("cut", "vrps-later.json.gz")), cadence: 3600),
                    "could not be read"
                ),
                (SnapshotSource(name: "missing", kind: .vrps, location: .path(server.folder + "/nothing.json"), cadence: 3600), "cannot be read"),
            ]
            for (source, words) in cases {
                let fetch = try await fetcher.fetch(source, at: Self.start.addingTimeInterval(60))
                #expect(fetch.outcome == .failed, "\(source.name)")
                #expect(fetch.snapshotID == nil, "\(source.name)")
                #expect(fetch.error?.contains(words) == true, "\(source.name): \(fetch.error ?? "no error")")
                #expect(fetch.error?.contains("manrs-plus-fetch-") == false, "a temporary path shown: \(fetch.error ?? "")")
            }
            // The first snapshot is still the only one, so still the one in force.
            #expect(try await snapshots.list(kind: .vrps).map(\.id) == [kept.snapshotID])

            // The same source failing after a success: both are shown.
            let broken = SnapshotSource(name: "rpki-client", kind: .vrps, location: .url(server.url("error", "vrps.json")), cadence: 3600)
            _ = try await fetcher.fetch(broken, at: Self.start.addingTimeInterval(3600))
            let status = try await fetcher.fetches.status(of: "rpki-client")
            #expect(status.lastSuccess?.snapshotID == kept.snapshotID)
            #expect(status.lastAttempt?.outcome == .failed)
            #expect(status.lastFailure?.error == "The server answered 500 Internal Server Error; nothing was imported.")
        }
    }

    @Test("a local path is imported, and the same bytes again are recorded as unchanged", .timeLimit(.minutes(5)))
    func localPath() async throws {
        try await TestDatabase.withDatabase { db in
            let fetcher = Self.fetcher(db)
            let source = SnapshotSource(
                name: "local", kind: .vrps, location: .path(SourceServer.fixtures + "/vrps-20250720T093133Z-first500.json"), cadence: 3600)
            let first = try await fetcher.fetch(source, at: Self.start)
            #expect(first.outcome == .imported)
            #expect(first.sha256 == (try Self.sha256(SourceServer.fixtures + "/vrps-20250720T093133Z-first500.json")))
            let second = try await fetcher.fetch(source, at: Self.start.addingTimeInterval(3600))
            #expect(second.outcome == .unchanged)
            #expect(second.snapshotID == first.snapshotID)
        }
    }

    @Test("the sources file is read strictly, each problem named")
    func sourcesFile() throws {
        let good = try SnapshotSourceList.parse(
            Data(
                (#"{"sources": [{"name": "rv", "kind": "routes", "path": "data/rib.gz", "cadence": "1d", "max_bytes": 5000, "timeout": 90},"#
                    + #" {"name": "rc", "kind": "vrps", "url": "https://console.rpki-client.org/vrps.json", "cadence": 3600}]}"#).utf8),
            relativeTo: "/srv")
        #expect(
            good.sources == [
                SnapshotSource(name: "rv", kind: .routes, location: .path("/srv/data/rib.gz"), cadence: 86_400, maxBytes: 5000, timeout: 90),
                SnapshotSource(name: "rc", kind: .vrps, location: .url("https://console.rpki-client.org/vrps.json"), cadence: 3600),
            ])
        let refusals: [(String, String)] = [
            (#"{"sources": [{"name": "a", "kind": "bgp", "path": "x", "cadence": "1h"}]}"#, "needs a kind"),
            (#"{"sources": [{"name": "a", "kind": "vrps", "url": "ftp://x/y", "cadence": "1h"}]}"#, "http or https"),
            (#"{"sources": [{"name": "a", "kind": "vrps", "url": "https://x/y", "path": "y", "cadence": "1h"}]}"#, "not both"),
            (#"{"sources": [{"name": "a", "kind": "vrps", "path": "y", "cadence": "10s"}]}"#, "at least a minute"),
            (#"{"sources": [{"name": "a", "kind": "vrps", "path": "y", "cadence": "1h", "every": 3}]}"#, "unknown field \"every\""),
            (
                #"{"sources": [{"name": "a", "kind": "vrps", "path": "y", "cadence": "1h"}, {"name": "a", "kind": "irr", "path": "z", "cadence": "1h"}]}"#,
                "named twice"
            ),
            (#"[1, 2]"#, "not JSON of the form"),
        ]
        for (text, words) in refusals {
            #expect(throws: SnapshotSourceList.Problem.self) { try SnapshotSourceList.parse(Data(text.utf8), relativeTo: "/") }
            do {
                _ = try SnapshotSourceList.parse(Data(text.utf8), relativeTo: "/")
            } catch {
                #expect(error.description.contains(words), "\(text): \(error.description)")
            }
        }
        #expect(SnapshotSourceRules.isDue(lastAttempt: nil, cadence: 3600, at: Self.start))
        #expect(SnapshotSourceRules.isDue(lastAttempt: Self.start, cadence: 3600, at: Self.start.addingTimeInterval(3600)))
        #expect(!SnapshotSourceRules.isDue(lastAttempt: Self.start, cadence: 3600, at: Self.start.addingTimeInterval(3599)))
    }
}

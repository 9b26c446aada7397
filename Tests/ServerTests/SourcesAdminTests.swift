import Domain
import Foundation
import Jobs
import Server
import Store
import TestSupport
import Testing

/// The snapshot sources as admins see them: the API and the page, after one source imported and
/// one failed.
@Suite("Snapshot sources for admins")
struct SourcesAdminTests {
    static let fixture = TestDatabase.repositoryRoot + "/Tests/Fixtures/sources/vrps-20250720T093133Z-first500.json"

    @Test("each source with its last attempt, last success and last error, in the API and on the page")
    func sourcesReadout() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sources-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/sources.json"
        try #"""
        {"sources": [
          {"name": "local-vrps", "kind": "vrps", "path": "\#(Self.fixture)", "cadence": "1h"},
          {"name": "gone", "kind": "irr", "path": "missing/ripe.db.route.gz", "cadence": "1d"}
        ]}
        """#.write(toFile: file, atomically: true, encoding: .utf8)
        let settings = try Settings.load(environment: ["SNAPSHOT_SOURCES": file])
        try await APIFixture.run(settings: settings) { fixture, api in
            let fetcher = SnapshotFetcher(
                snapshots: SnapshotStore(database: fixture.db.pool), fetches: SnapshotFetchStore(database: fixture.db.pool),
                logger: TestDatabase.logger)
            let at = Date(timeIntervalSince1970: 1_803_859_200)
            #expect(try await fetcher.fetchDue(try SnapshotSourceList.load(path: file).sources, at: at).count == 2)

            let answer = try await api.call(.get, "/api/v1/admin/sources", token: fixture.admin.token)
            #expect(answer.status == 200)
            let items = try #require(answer.json["items"] as? [[String: Any]])
            #expect(items.map { $0["name"] as? String } == ["local-vrps", "gone"])
            let local = (items[0]["last_success"] as? [String: Any]) ?? [:]
            #expect(local["outcome"] as? String == "imported" && local["snapshot_id"] != nil)
            #expect(items[0]["last_failure"] == nil)
            let gone = (items[1]["last_failure"] as? [String: Any]) ?? [:]
            #expect((gone["error"] as? String)?.contains("cannot be read") == true, "\(gone)")
            #expect(items[1]["last_success"] == nil)
            #expect(try await api.call(.get, "/api/v1/admin/sources", token: fixture.token(.auditor)).status == 403)

            let page = try await api.call(.get, "/admin/sources", headers: try await PagesTests.cookie(fixture, .admin))
            #expect(page.status == 200)
            #expect(page.text.contains("local-vrps") && page.text.contains("imported as snapshot"))
            #expect(page.text.contains("Failing since 1 March 2027 00:00 UTC") && page.text.contains("cannot be read"), "\(page.text)")
            #expect(page.text.contains(#"href="/admin/sources""#))
        }
    }
}

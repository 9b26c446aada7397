import Foundation
import Postgres
import Store
import TestSupport
import Testing

/// `demo load` as `make run` runs it, on a fixed end time: the real 2024 table, 2016 RIS updates
/// and 2025 VRPs (the table and VRPs cut to the story's networks, Tests/Fixtures/demo), and the story's certifications moved through the scheduled
/// jobs, a revocation for cause and a withdrawal. Then a `serve --no-jobs` (a scheduler would run
/// the jobs at today's date) answers as a buyer and a participant would see it.
@Suite("The demo tells the story")
struct DemoStoryTests {
    static let shared = URL(fileURLWithPath: TestDatabase.repositoryRoot).appendingPathComponent("../shared/data").standardizedFileURL.path
    static var available: Bool { FileManager.default.fileExists(atPath: shared + "/mrt/updates.20160811.1600.gz") }

    /// The story's snapshots: the cut routes and VRPs of Tests/Fixtures/demo (its README), and the
    /// 2016 RIS updates from ../shared/data, under the names the story gives them.
    static func dataDirectory() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("demo-data-\(UUID().uuidString.prefix(8))").path
        let fixtures = TestDatabase.repositoryRoot + "/Tests/Fixtures/demo"
        try FileManager.default.createDirectory(atPath: folder + "/mrt", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder + "/routes", withDestinationPath: fixtures + "/routes")
        try FileManager.default.createSymbolicLink(atPath: folder + "/vrps", withDestinationPath: fixtures + "/vrps")
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/mrt/updates.20160811.1600.gz", withDestinationPath: shared + "/mrt/updates.20160811.1600.gz")
        return folder
    }

    @Test(
        "what a newcomer's make run does: demo load shows every enforcement state from the real data; the verify answer, the mark, results, enforcement and participant pages say the inputs are 15 months apart; loading again changes nothing",
        .enabled(if: available, "needs ../shared/data"), .timeLimit(.minutes(6)))
    func everyState() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            // What a newcomer's `make run` does: the database is behind until `demo load` migrates it.
            let behind = try CLITests.run(["migrate", "--check"], database: db)
            #expect(behind.status != 0, "\(behind.stdout) \(behind.stderr)")
            let started = ContinuousClock.now
            let data = try Self.dataDirectory()
            defer { try? FileManager.default.removeItem(atPath: data) }
            let demo = try CLITests.run(["demo", "load", "--now", "2026-01-15T00:00:00Z", "--data-directory", data], database: db)
            let took = ContinuousClock.now - started
            #expect(demo.status == 0, "\(demo.stdout) \(demo.stderr)")
            print("demo load took \(took)")
            #expect(demo.stdout.contains("netops: published version 1"))
            #expect(demo.stdout.contains("admin@demo.example") && demo.stdout.contains("mp_demo-admin-token-public-do-not-use-in-production"))
            #expect(demo.stdout.contains("Imported routes/announcements-rv2-20240406.csv.gz: 570 routes records"), "\(demo.stdout)")
            #expect(!demo.stdout.contains("the story expected"), "\(demo.stdout)")
            let again = try CLITests.run(["demo", "load", "--now", "2026-01-15T00:00:00Z", "--data-directory", data], database: db)
            #expect(again.status == 0 && again.stdout.contains("The demo story was played before"), "\(again.stdout) \(again.stderr)")
            #expect(again.stdout.contains("netops: unchanged (current version 1)") && again.stdout.contains("0 users and 0 participants created"))
            // The demo's resources are verified once, through the verification code path.
            #expect(demo.stdout.contains("resources verified") && again.stdout.contains("0 resources verified"), "\(again.stdout)")
            let rpki = try CLITests.run(["resources", "verify-rpki"], database: db)
            #expect(rpki.status == 0 && rpki.stdout.contains("0 prefixes verified."), "\(rpki.stdout) \(rpki.stderr)")
            let check = try CLITests.run(["migrate", "--check"], database: db)
            #expect(check.status == 0 && check.stdout.contains("current"))
            let verified = try CLITests.run(["audit", "verify"], database: db)
            #expect(verified.status == 0 && verified.stdout.contains("Audit chain intact"), "\(verified.stdout) \(verified.stderr)")

            // Provenance: the snapshots came in through the import path, with their sources.
            let sources = try await db.pool.query("SELECT source_name FROM measurement_snapshots ORDER BY taken_at").map {
                try $0.decode(0, as: String.self)
            }
            #expect(sources.count == 3 && sources[1].hasPrefix("RouteViews rv2 pfx2as 2024-04-06"), "\(sources)")

            let server = try ServeTests.Instance(database: db, port: LocalHTTP.freePort(), arguments: ["--no-jobs"])
            defer { server.stop() }
            #expect(try await WorkerTests.waitUntil(seconds: 120) { LocalHTTP.status("GET", port: server.port, path: "/readyz") == 200 })

            // A buyer's answer for each network: the state the story put it in, and the inputs' gap.
            let expected: [(asn: Int, status: String)] = [
                (1200, "active"), (8196, "active"), (12337, "warned"), (2614, "suspended"), (3329, "revoked"), (9158, "withdrawn"),
                (10745, "expired"),
            ]
            var marks: [Int: String] = [:]
            for (asn, status) in expected {
                let answer = try #require(LocalHTTP.get(port: server.port, "/api/v1/verify?asn=\(asn)"))
                #expect(answer.status == 200)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
                let mark = try #require((json["marks"] as? [[String: Any]])?.first, "AS\(asn): \(answer.body.prefix(300))")
                #expect(mark["status"] as? String == status, "AS\(asn)")
                marks[asn] = mark["mark"] as? String
                if asn != 1200 {  // AMS-IX's checks (contacts, auditor review) use no routing data
                    let note = ((mark["last_check"] as? [String: Any])?["inputs"] as? [String: Any])?["note"] as? String
                    #expect(note == "Routing table of 6 April 2024, RPKI data of 20 July 2025, taken 15 months apart.", "AS\(asn)")
                }
            }
            let gap = "Routing table of 6 April 2024, RPKI data of 20 July 2025, taken 15 months apart."
            let roedunet = try #require(marks[2614])
            let markPage = try #require(LocalHTTP.get(port: server.port, "/marks/\(roedunet)"))
            #expect(markPage.status == 200 && markPage.body.contains(gap), "\(markPage.body.prefix(500))")

            // The owner's view of RoEduNet: the participant page links the enforcement page; it and
            // the results page say how far apart the inputs were.
            let owner = try #require(
                try await db.pool.query("SELECT id FROM users WHERE email = 'operator@demo.example'").single?.decode(0, as: UUID.self))
            let secret = try await UserStore(database: db.pool).openSession(
                for: owner, lifetime: 3600, context: .system(at: Date()))
            let cookie = ["Cookie": "manrs_session=\(secret)"]
            let participant = try await db.pool.query("SELECT id FROM participants WHERE display_name = 'RoEduNet'")[0].decode(0, as: UUID.self)
            let certification = try await db.pool.query("SELECT id FROM certifications WHERE participant_id = \(participant)")[0]
                .decode(0, as: UUID.self)
            let enforcement = "/certifications/\(certification.uuidString.lowercased())/enforcement"
            let page = try #require(LocalHTTP.get(port: server.port, "/participants/\(participant.uuidString.lowercased())", headers: cookie))
            #expect(page.status == 200 && page.body.contains("href=\"\(enforcement)\"") && page.body.contains(gap), "\(page.body.prefix(300))")
            let results = try #require(
                LocalHTTP.get(port: server.port, "/participants/\(participant.uuidString.lowercased())/results", headers: cookie))
            #expect(results.status == 200 && results.body.contains(gap) && results.body.contains("Suspended"))
            let status = try #require(LocalHTTP.get(port: server.port, enforcement, headers: cookie))
            #expect(status.status == 200 && status.body.contains(gap) && status.body.contains("suspended"))
            // The owner may appeal or withdraw a suspended certification.
            #expect(status.body.contains("/certifications/\(certification.uuidString.lowercased())/withdrawal"))
        }
    }
}

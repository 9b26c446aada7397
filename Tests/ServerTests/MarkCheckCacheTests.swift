import Domain
import Foundation
import Store
import TestSupport
import Testing

/// A check run that changes no status still changes what a buyer reads (issue 12): the cached
/// `verify` answer and badge must show the new `last_check` once the run commits, through the
/// LISTEN session, as they do for a status change.
@Suite("Marks: cached answers after a check run")
struct MarkCheckCacheTests {
    static func lastCheck(_ api: APIClient, etag: String? = nil) async throws -> (status: Int, at: String?, etag: String?) {
        let response = try await api.call(.get, "/api/v1/verify?asn=3333", headers: etag.map { ["If-None-Match": $0] } ?? [:])
        guard response.status == 200 else { return (response.status, nil, etag) }
        let mark = (response.json["marks"] as? [[String: Any]])?.first
        return (200, (mark?["last_check"] as? [String: Any])?["at"] as? String, response.headers[.eTag])
    }

    @Test("a check run that passes again (no status change) shows its date in the cached verify answer within a second")
    func checkRunWithoutStatusChange() async throws {
        try await APIFixture.run(cached: true) { fixture, api in
            let (granted, runner) = try await fixture.surveilled(vrps: "vrps-as3333-20250720T093133Z.json")
            let first = granted.addingTimeInterval(86_400)
            let firstRun = try await runner.run(at: first)
            #expect(firstRun.checked == 1 && firstRun.failing == 0 && firstRun.refusal == nil)

            // Read twice: the second answer comes from memory.
            let before = try await Self.lastCheck(api)
            #expect(before.status == 200 && before.at == first.formatted(.iso8601))
            let etag = try #require(before.etag)
            #expect(try await Self.lastCheck(api, etag: etag).status == 304)
            let status = try await fixture.db.pool.query("SELECT status FROM certifications WHERE id = \(fixture.certification)")[0]
                .decode(0, as: String.self)

            // The next run, a cadence later, passes again: no transition, only new results.
            let second = first.addingTimeInterval(90 * 86_400)
            let secondRun = try await runner.run(at: second)
            #expect(secondRun.checked == 1 && secondRun.failing == 0)
            #expect(
                try await fixture.db.pool.query("SELECT status FROM certifications WHERE id = \(fixture.certification)")[0]
                    .decode(0, as: String.self) == status)
            #expect(
                try await fixture.db.pool.query("SELECT count(*) FROM enforcement_transitions WHERE certification_id = \(fixture.certification)")[0]
                    .decode(0, as: Int.self) == 0)

            var after: (status: Int, at: String?, etag: String?) = (304, nil, nil)
            let deadline = ContinuousClock.now + .seconds(5)
            while after.status == 304, ContinuousClock.now < deadline {
                after = try await Self.lastCheck(api, etag: etag)
                if after.status == 304 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(after.status == 200, "the cached answer still shows the first run")
            #expect(after.at == second.formatted(.iso8601))
        }
    }
}

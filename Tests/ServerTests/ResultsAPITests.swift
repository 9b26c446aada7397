import Domain
import Foundation
import Store
import TestSupport
import Testing

/// The participant's check results and enforcement, over the API and as a page, after a check
/// run over real snapshots (Tests/Fixtures/checks).
@Suite("Check results for the participant")
struct ResultsAPITests {
    @Test("results latest first with explanations, snapshot dates and dispute addresses; enforcement with deadline and history; the page in words")
    func resultsAndEnforcement() async throws {
        try await APIFixture.run { fixture, api in
            let (granted, runner) = try await fixture.surveilled(vrps: "vrps-as3333-20250720T093133Z-without-193.0.0.0-21.json")
            let checkedAt = granted.addingTimeInterval(86_400)
            let summary = try await runner.run(at: checkedAt)
            #expect(summary.checked == 1 && summary.failing == 1 && summary.refusal == nil)

            let id = fixture.own.id.uuidString.lowercased()
            let results = try await api.call(.get, "/api/v1/participants/\(id)/results?limit=5", token: fixture.applicant.token)
            #expect(results.status == 200)
            let items = results.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 5 && results.json["next_cursor"] is String)
            let all = try await api.call(.get, "/api/v1/participants/\(id)/results?limit=100", token: fixture.auditor.token)
            let every = all.json["items"] as? [[String: Any]] ?? []
            let coverage = try #require(every.first { ($0["check"] as? [String: Any])?["kind"] as? String == "rpki_coverage" })
            #expect(coverage["verdict"] as? String == "fail")
            let resultID = try #require(coverage["id"] as? String)
            #expect(coverage["dispute"] as? String == "/participants/\(id)/results/\(resultID)/dispute")
            #expect((coverage["explanation"] as? String)?.contains("15 months apart") == true)
            #expect((coverage["snapshots"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["routes", "vrps"])
            #expect(every.filter { $0["verdict"] as? String != "fail" }.allSatisfy { $0["dispute"] is NSNull || $0["dispute"] == nil })

            let enforcement = try await api.call(.get, "/api/v1/participants/\(id)/enforcement", token: fixture.admin.token)
            #expect(enforcement.status == 200)
            let certification = try #require((enforcement.json["items"] as? [[String: Any]])?.first)
            #expect(certification["status"] as? String == "warned")
            #expect(certification["deadline"] as? String == checkedAt.addingTimeInterval(30 * 86_400).formatted(.iso8601))
            #expect((certification["history"] as? [[String: Any]])?.first?["cause"] as? String == "check_failed")

            // Another participant's applicant and a buyer are refused, as for the participant's other reads.
            #expect(try await api.call(.get, "/api/v1/participants/\(id)/results", token: fixture.otherApplicant.token).status == 403)
            #expect(try await api.call(.get, "/api/v1/participants/\(id)/enforcement", token: fixture.enterprise.token).status == 403)

            let page = try await RegistryPagesTests.Browser(fixture, .applicant, api).get("/participants/\(id)/results")
            #expect(page.status == 200)
            #expect(page.text.contains("Warned: fix what the checks found before the deadline"))
            #expect(page.text.contains("href=\"/participants/\(id)/results/\(resultID)/dispute\""))
            #expect(page.text.contains("Failed"))
            let home = try await RegistryPagesTests.Browser(fixture, .applicant, api).get("/participants/\(id)")
            #expect(home.text.contains("href=\"/participants/\(id)/results\""))
        }
    }
}

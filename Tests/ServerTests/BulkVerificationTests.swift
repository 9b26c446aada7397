import Credentials
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Operations
import Postgres
import Routing
import Store
import TestSupport
import Testing

@testable import Server

/// Bulk supplier checks and measured readiness, over the real snapshots of ../shared/data.
@Suite("Bulk verification")
struct BulkVerificationTests {
    static var data: String { MeasurementAPITests.data }
    static var available: Bool { MeasurementAPITests.available }

    /// The mark the grant issued to the fixture's certification (RIPE NCC, AS3333).
    static func mark(_ fixture: APIFixture) async throws -> String {
        try await fixture.db.pool.query("SELECT mark_id FROM certifications WHERE id = \(fixture.certification)")[0].decode(0, as: String.self)
    }

    @Test(
        "Readiness of every origin ASN of the 2016 RIS updates with the 2025-07-20 VRPs: the reference counts, AS9829's 123/73/21, once per pair",
        .enabled(if: available))
    func readinessOnRealSnapshots() async throws {
        try await APIFixture.run { fixture, api in
            let snapshots = SnapshotStore(database: fixture.db.pool)
            let taken = try Date("2025-07-20T09:31:33Z", strategy: .iso8601)
            _ = try await snapshots.importFile(
                Self.data + "/vrps/rpki-client-20250720T093133Z.json.bz2", kind: .vrps, sourceName: "rpki-client", takenAt: taken)
            _ = try await snapshots.importFile(
                Self.data + "/reference/ris-updates-2016/announcements.csv.gz", kind: .routes, sourceName: "RIS 2016", takenAt: taken)
            let store = ReadinessStore(database: fixture.db.pool)
            let now = try Date("2025-07-21T00:00:00Z", strategy: .iso8601)
            let run = try #require(try await store.refresh(at: now))
            #expect(try await store.refresh(at: now) == nil, "the same pair is measured once")
            #expect(run.vrps.takenAt == taken && !run.pathsKnown && run.irr == nil)

            let reference = try MeasurementAPITests.reference()
            let measured = try await store.readiness(asns: reference.keys.map { UInt32($0) })
            #expect(measured.count == reference.count)
            for (asn, expected) in reference {
                let row = try #require(measured[UInt32(asn)], "AS\(asn)")
                #expect(row.metrics.announcements == expected.announcements, "AS\(asn)")
                #expect(row.metrics.rpkiValid == expected.valid, "AS\(asn)")
                #expect(row.metrics.rpkiInvalid == expected.invalid, "AS\(asn)")
                #expect(row.metrics.rpkiNotFound == expected.notFound, "AS\(asn)")
            }
            // The figures `manrs-plus measure --asn 9829` prints for these files (docs/operations.md).
            let as9829 = try #require(measured[9829])
            #expect((as9829.metrics.announcements, as9829.metrics.rpkiValid, as9829.metrics.rpkiInvalid) == (123, 73, 21))
            #expect(as9829.rovInvalidCarried == nil && as9829.irrCoverage == nil, "no paths, no IRR: unknown, not zero")

            // The bulk check: one row per input, in order, certified or measured.
            let markID = try await Self.mark(fixture)
            let items = ["AS9829", "AS3333", markID.lowercased(), "ripe ncc", "Nobody Networks", "", "=1+2", "MP-NOT-A-MARK"]
            let body = try JSONSerialization.data(withJSONObject: ["items": items])
            let response = try await api.call(.post, "/api/v1/verify/bulk", body: body)
            #expect(response.status == 200, "\(response.text.prefix(500))")
            let rows = response.json["results"] as? [[String: Any]] ?? []
            #expect(rows.map { $0["input"] as? String } == items)
            #expect(
                rows.map { $0["result"] as? String } == [
                    "not_certified", "certified", "certified", "certified", "not_found", "not_found", "not_found", "not_found",
                ])
            #expect(rows.map { $0["kind"] as? String } == ["asn", "asn", "mark", "name", "name", "empty", "name", "name"])
            let readiness = try #require(rows[0]["readiness"] as? [String: Any])
            #expect(readiness["announcements"] as? Int == 123 && readiness["rpki_valid"] as? Int == 73 && readiness["rpki_invalid"] as? Int == 21)
            #expect((readiness["label"] as? String)?.contains("not a certification") == true)
            #expect(rows[1]["mark_id"] as? String == markID && rows[1]["status"] as? String == "active" && rows[1]["readiness"] == nil)
            #expect(rows[1]["holder"] as? String == "RIPE NCC" && rows[1]["status_text"] as? String == "valid")

            // CSV in (BOM, CRLF, a header, a quoted name with a comma), CSV out.
            let csv = "\u{FEFF}supplier\r\nAS9829\r\n\"RIPE NCC\"\r\n\"Nobody, Inc.\"\r\n=HYPERLINK(\"x\")\r\n"
            let csvResponse = try await api.call(
                .post, "/api/v1/verify/bulk", body: Data(csv.utf8), headers: ["Content-Type": "text/csv"])
            #expect(csvResponse.status == 200 && csvResponse.headers[.contentType]?.hasPrefix("text/csv") == true, "\(csvResponse.text)")
            let table = try CSV.parse(csvResponse.text)
            #expect(
                table.first == [
                    "input", "result", "mark_id", "holder", "program", "tier", "status", "valid_until", "announcements",
                    "rpki_valid_share", "rpki_invalid_share", "irr_coverage", "bogon_prefixes_originated", "rov_invalid_carried",
                    "measured_routes_taken_at", "measured_vrps_taken_at", "note",
                ])
            #expect(table.dropFirst().map { $0[0] } == ["AS9829", "RIPE NCC", "Nobody, Inc.", "'=HYPERLINK(\"x\")"])
            #expect(table[1][1] == "not_certified" && table[1][8] == "123" && table[1][9] == String(format: "%.4f", 73.0 / 123))
            #expect(table[2][1] == "certified" && table[2][2] == markID)
            #expect(csvResponse.text.contains("\r\n"))
            // JSON in, CSV out by Accept; CSV in, JSON out by Accept.
            let mixed = try await api.call(.post, "/api/v1/verify/bulk", json: #"{"items":["AS3333"]}"#, headers: ["Accept": "text/csv"])
            #expect(mixed.headers[.contentType]?.hasPrefix("text/csv") == true && mixed.text.contains(markID))
            let back = try await api.call(
                .post, "/api/v1/verify/bulk", body: Data("AS3333\n".utf8), headers: ["Content-Type": "text/csv", "Accept": "application/json"])
            #expect((back.json["results"] as? [[String: Any]])?.first?["mark_id"] as? String == markID)

            // The page: the table, then the same as a CSV download.
            let page = try await api.call(
                .post, "/verify/bulk", body: Data("items=AS9829%0D%0AAS3333%0D%0A".utf8),
                headers: ["Content-Type": "application/x-www-form-urlencoded"])
            #expect(page.status == 200 && page.text.contains("Not certified") && page.text.contains(markID), "\(page.text.prefix(300))")
            #expect(page.text.contains("123 announcements") && page.text.contains("not a certification"))
            let download = try await api.call(
                .post, "/verify/bulk", body: Data("items=AS9829&format=csv".utf8), headers: ["Content-Type": "application/x-www-form-urlencoded"])
            #expect(download.headers[.contentDisposition]?.contains("attachment") == true && download.text.hasPrefix("input,result"))

            // The answer's JSON is written straight to bytes for speed: byte for byte what the
            // API's encoder makes of the same answers, readiness with its nulls, a certified mark,
            // and inputs that need escaping.
            let answers = try await BulkVerificationOperations(marks: MarkStore(database: fixture.db.pool), readiness: store).verify(
                items + ["AS1", "Ünïcode \"quoted\" \\ back\tslash\u{1}"])
            let written = try BulkFormat.json(answers)
            let encoded = try JSONEncoder.api.encode(BulkFormat.Body(count: answers.count, results: answers.map(BulkFormat.Row.init)))
            #expect(String(decoding: written, as: UTF8.self) == String(decoding: encoded, as: UTF8.self))
            #expect(
                try JSONSerialization.jsonObject(with: Data(written)) as? NSDictionary == JSONSerialization.jsonObject(with: encoded) as? NSDictionary
            )
        }
    }

    @Test("10,000 inputs are answered, in order; 10,001 are refused with 413 naming the limit, as JSON, CSV and on the page")
    func limits() async throws {
        try await APIFixture.run { fixture, api in
            let markID = try await Self.mark(fixture)
            var items = (1...10_000).map { "AS\($0 + 100_000)" }
            items[4_321] = "AS3333"
            let body = try JSONSerialization.data(withJSONObject: ["items": items])
            var timings: [Double] = []
            for _ in 0..<3 {
                let started = ContinuousClock.now
                let response = try await api.call(.post, "/api/v1/verify/bulk", body: body, checkContract: timings.isEmpty)
                timings.append((ContinuousClock.now - started) / .milliseconds(1))
                #expect(response.status == 200)
                let rows = response.json["results"] as? [[String: Any]] ?? []
                #expect(rows.count == 10_000 && rows[4_321]["mark_id"] as? String == markID && rows[9_999]["input"] as? String == "AS110000")
            }
            print("bulk: 10,000 ASNs answered in a median of \(Int(timings.sorted()[1])) ms (debug build, in-process)")

            let over = try JSONSerialization.data(withJSONObject: ["items": items + ["AS1"]])
            let refused = try await api.call(.post, "/api/v1/verify/bulk", body: over)
            #expect(refused.status == 413 && refused.problemType == "/problems/too-many-items")
            #expect((refused.json["detail"] as? String)?.contains("10000") == true)
            let csv = (items + ["AS1"]).joined(separator: "\r\n")
            let refusedCSV = try await api.call(.post, "/api/v1/verify/bulk", body: Data(csv.utf8), headers: ["Content-Type": "text/csv"])
            #expect(refusedCSV.status == 413 && refusedCSV.headers[.contentType] == "application/problem+json")
            let page = try await api.call(
                .post, "/verify/bulk", body: Data(("items=" + (items + ["AS1"]).joined(separator: "%0A")).utf8),
                headers: ["Content-Type": "application/x-www-form-urlencoded"])
            #expect(page.status == 413 && page.text.contains("at most 10000"))

            let malformed = try await api.call(.post, "/api/v1/verify/bulk", body: Data("\"open".utf8), headers: ["Content-Type": "text/csv"])
            #expect(malformed.status == 400 && malformed.problemType == "/problems/malformed-body")
            // A NUL in a CSV cell once reached PostgreSQL as a name and came back a 500.
            let nul = try await api.call(
                .post, "/api/v1/verify/bulk", body: Data("AS3333\nTele\u{0}nor\n".utf8), headers: ["Content-Type": "text/csv"])
            #expect(nul.status == 400 && nul.problemType == "/problems/malformed-body")
            #expect((nul.json["detail"] as? String)?.contains("Line 2") == true)
            let xml = try await api.call(.post, "/api/v1/verify/bulk", body: Data("<a/>".utf8), headers: ["Content-Type": "application/xml"])
            #expect(xml.status == 415 && (xml.json["detail"] as? String)?.contains("text/csv") == true)
            let unknown = try await api.call(.post, "/api/v1/verify/bulk", json: #"{"items":[],"limit":3}"#)
            #expect(unknown.status == 422)
            #expect(try await api.call(.get, "/verify/bulk").text.contains("Check suppliers"))
        }
    }
}

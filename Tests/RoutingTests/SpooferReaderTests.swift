import Foundation
import Routing
import Testing

/// CAIDA Spoofer results: the two published samples in Tests/Fixtures/spoofer (see SOURCE.md),
/// the Data API's fields as CSV, and broken inputs.
@Suite("Spoofer reader and metrics")
struct SpooferReaderTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/spoofer")
        .standardizedFileURL.path

    static func time(_ text: String) throws -> Date { try Date(text, strategy: .iso8601) }

    func read(_ path: String, policy: BadRecordPolicy = .skip) throws -> ([SpooferResult], ReadSummary) {
        var results: [SpooferResult] = []
        let summary = try SpooferReader.read(path: path, policy: policy) { results.append($0) }
        return (results, summary)
    }

    @Test("Shadowserver's CAIDA IP Spoofer report: one result per row, quoted fields, a repeated column")
    func shadowserverReport() throws {
        let (results, summary) = try read(Self.fixtures + "/shadowserver-caida-ip-spoofer-20200819.csv", policy: .stop)
        #expect(summary.records == 5 && summary.rejected == 0)
        let first = try #require(results.first)
        #expect(first.session == 739_969)
        #expect(first.asn == 55836)
        #expect(first.prefix == (try IPPrefix("137.97.71.0/24")))
        #expect(first.testedAt == (try Self.time("2019-08-27T00:06:24Z")))
        #expect(first.routed == .received && first.privateSource == nil && first.nat == true)
        #expect(results.map(\.verdict) == [.spoofable, .spoofable, .inconclusive, .spoofable, .spoofable])
        #expect(results[3].nat == false)
    }

    @Test("The Data API's sessions as JSON lines, as CAIDA's example client prints them")
    func dataAPIJSONLines() throws {
        let (results, summary) = try read(Self.fixtures + "/caida-api-sessions-as3356.jsonl", policy: .stop)
        #expect(summary.records == 2)
        #expect(results.map(\.session) == [891_176, 894_351])
        #expect(results.allSatisfy { $0.asn == 3356 && $0.verdict == .blocked && $0.routed == .blocked && $0.privateSource == .blocked })
        #expect(results.map(\.prefix.description) == ["4.30.179.0/24", "8.9.89.0/24"])
        #expect(results[1].testedAt == (try Self.time("2020-05-13T11:12:51Z")))
    }

    @Test("The Data API's fields as CSV columns: one row gives a result per tested family")
    func dataAPICSV() throws {
        let path = try ReaderTests.write(
            [
                "session,timestamp,country,asn4,client4,nat4,routedspoof,privatespoof,asn6,client6,nat6,routedspoof6,privatespoof6",
                "100,2024-03-01T10:00:00+02:00,\"nld, the\",3333,193.0.0.0/24,false,blocked,received,3333,2001:67c:2e8::/64,,blocked,blocked",
                "101,2024-03-02 08:30:00.5,usa,,,,,,64500,2001:db8:1::/64,true,rewritten,",
            ].joined(separator: "\n"))
        let (results, summary) = try read(path, policy: .stop)
        #expect(summary.records == 3)
        #expect(results.map(\.prefix.family) == [.v4, .v6, .v6])
        #expect(results[0].testedAt == (try Self.time("2024-03-01T08:00:00Z")))
        #expect(results[0].verdict == .spoofable)  // private sources got out
        #expect(results[1].verdict == .blocked && results[1].nat == nil)
        #expect(results[2].testedAt.timeIntervalSince1970 == (try Self.time("2024-03-02T08:30:00Z")).timeIntervalSince1970 + 0.5)
        #expect(results[2].verdict == .inconclusive)
    }

    @Test("Broken rows are counted with their line and reason; a header that is not Spoofer's stops the read")
    func brokenInputs() throws {
        let rows = [
            "session,timestamp,asn4,client4,routedspoof",
            "1,2024-01-01T00:00:00Z,3333,193.0.0.0/24,received",
            "two,2024-01-01T00:00:00Z,3333,193.0.0.0/24,received",
            "3,yesterday,3333,193.0.0.0/24,received",
            "4,2024-01-01T00:00:00Z,,193.0.0.0/24,received",
            "5,2024-01-01T00:00:00Z,3333,193.0.0.0/33,received",
            "6,2024-01-01T00:00:00Z,3333,193.0.0.0/24,leaked",
            "7,2024-01-01T00:00:00Z,3333,\"193.0.0.0/24,received",
            "8,2024-01-01T00:00:00Z,3333",
            "9,2024-01-01T00:00:00Z,,,",
        ]
        let path = try ReaderTests.write(rows.joined(separator: "\r\n") + "\r\n")
        let (results, summary) = try read(path)
        #expect(results.map(\.session) == [1])
        #expect(summary.rejected == 8)
        #expect(summary.rejects.map(\.line) == [3, 4, 5, 6, 7, 8, 9, 10])
        let reasons = summary.rejects.map(\.reason)
        #expect(reasons[0].contains("not a session number"))
        #expect(reasons[1].contains("not a UTC time"))
        #expect(reasons[2].contains("no valid ASN"))
        #expect(reasons[3].contains("not a prefix"))
        #expect(reasons[4].contains("'leaked' is none of"))
        #expect(reasons[5].contains("unterminated"))
        #expect(reasons[6].contains("3 fields where the header names 5"))
        #expect(reasons[7].contains("names no client network"))
        #expect(throws: RoutingDataError.self) { try read(path, policy: .stop) }

        let garbageJSON = try ReaderTests.write("{\"session\": 1, \"timestamp\": \"2024-01-01T00:00:00Z\"}\n{not json\n")
        let (none, jsonSummary) = try read(garbageJSON)
        #expect(none.isEmpty && jsonSummary.rejected == 2)
        #expect(jsonSummary.rejects.last?.reason == "is not a JSON object")

        for notSpoofer in ["prefix,origin_asn\n193.0.0.0/21,3333\n", "", "\n\n"] {
            let error = #expect(throws: RoutingDataError.self) { try read(try ReaderTests.write(notSpoofer)) }
            #expect(error?.reason.contains("Spoofer") == true)
        }
    }

    @Test("Timestamps: Z, offsets, a space for T, fractions; nonsense is refused")
    func timestamps() throws {
        func parse(_ text: String) throws -> Date? {
            let path = try ReaderTests.write("session,timestamp,asn4,client4,routedspoof\n1,\(text),3333,193.0.0.0/24,blocked\n")
            return try read(path).0.first?.testedAt
        }
        let noon = try Self.time("2024-02-29T12:00:00Z")
        #expect(try parse("2024-02-29T12:00:00Z") == noon)
        #expect(try parse("2024-02-29T13:30:00+01:30") == noon)
        #expect(try parse("2024-02-29T07:00:00-05:00") == noon)
        #expect(try parse("2024-02-29 12:00:00") == noon)
        for bad in ["2024-13-01T00:00:00Z", "2024-02-29T12:00:00+0100", "2024-02-29", "2024-02-29T12:00:00Zulu"] {
            #expect(try parse(bad) == nil, "\(bad)")
        }
    }

    @Test("Metrics: the latest session of each network decides, with its age; no data means no figures")
    func metrics() throws {
        func result(_ session: Int, _ day: String, _ asn: ASN, _ prefix: String, routed: SpoofStatus?) throws -> SpooferResult {
            SpooferResult(
                session: session, testedAt: try Self.time(day + "T12:00:00Z"), asn: asn, prefix: try IPPrefix(prefix), routed: routed,
                privateSource: nil, nat: nil)
        }
        let sessions = [
            // 193.0.0.0/24 leaked once, then was fixed: the newer session decides.
            try result(1, "2024-01-01", 3333, "193.0.0.0/24", routed: .received),
            try result(2, "2024-03-01", 3333, "193.0.0.0/24", routed: .blocked),
            // 193.0.1.0/24 leaks in its latest session.
            try result(3, "2024-02-01", 3333, "193.0.1.0/24", routed: .blocked),
            try result(4, "2024-02-15", 3333, "193.0.1.0/24", routed: .received),
            // Another AS, not measured here.
            try result(5, "2024-03-05", 64500, "198.51.100.0/24", routed: .received),
            // After the moment measured: not yet known, so it neither decides nor counts.
            try result(6, "2024-04-01", 3333, "193.0.1.0/24", routed: .blocked),
            try result(7, "2024-04-01", 3333, "193.0.9.0/24", routed: .received),
        ]
        var measurement = Measurement(vrps: VRPIndex([]), spoofer: sessions, only: [3333, 1299], asOf: try Self.time("2024-03-11T12:00:00Z"))
        measurement.add(prefix: try IPPrefix("193.0.0.0/21"), origin: 3333, originText: "3333")
        let rows = Dictionary(uniqueKeysWithValues: measurement.metrics().map { ($0.asn, $0) })
        #expect(rows[64500] == nil)
        let ripe = try #require(rows[3333])
        #expect(ripe.spooferPrefixesTested == 2)
        #expect(ripe.spoofablePrefixes == 1)
        #expect(ripe.spooferLatestTest == (try Self.time("2024-03-01T12:00:00Z")))
        #expect(ripe.spooferTestAgeDays == 10)
        let why = ripe.explanations.filter { $0.metric == "spoofable_prefix" }
        #expect(why.map(\.subject) == ["193.0.1.0/24: spoofable, 25 days old"])
        #expect(why.first?.evidence.first?.contains("session 4") == true)
        let untested = try #require(rows[1299])
        #expect(untested.spooferPrefixesTested == 0 && untested.spoofablePrefixes == 0 && untested.spooferTestAgeDays == nil)

        var without = Measurement(vrps: VRPIndex([]), asOf: try Self.time("2024-03-11T12:00:00Z"))
        without.add(prefix: try IPPrefix("193.0.0.0/21"), origin: 3333, originText: "3333")
        #expect(without.metrics().first?.spooferPrefixesTested == nil)
    }
}

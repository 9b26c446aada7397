import Foundation
import HTTPTypes
import Hummingbird
import Routing
import Server
import Store
import TestSupport
import Testing

/// A participant's metrics over imported real snapshots, checked against the reference states.
@Suite("Measurements API")
struct MeasurementAPITests {
    static var data: String {
        URL(fileURLWithPath: TestDatabase.repositoryRoot).appendingPathComponent("../shared/data").standardizedFileURL.path
    }
    static var available: Bool { FileManager.default.fileExists(atPath: data + "/reference/ris-updates-2016") }

    /// The reference per-ASN counts: `origin_asn,announcements,valid,invalid,notfound,…`.
    static func reference() throws -> [Int: (announcements: Int, valid: Int, invalid: Int, notFound: Int)] {
        let text = try String(contentsOfFile: data + "/reference/ris-updates-2016/per_asn_rov_summary.csv", encoding: .utf8)
        var rows: [Int: (Int, Int, Int, Int)] = [:]
        // CRLF line ends: "\r\n" is one Character, so split on any newline.
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let fields = line.split(separator: ",").map { Int($0) }
            if let asn = fields[0], let a = fields[1], let v = fields[2], let i = fields[3], let n = fields[4] { rows[asn] = (a, v, i, n) }
        }
        return rows
    }

    @Test("RIS updates of 2016 against the 2025-07-20 VRPs: the participant's ASNs get the reference counts", .enabled(if: available))
    func referenceCounts() async throws {
        try await APIFixture.run { fixture, api in
            let snapshots = SnapshotStore(database: fixture.db.pool)
            let taken = Date(timeIntervalSince1970: 1_752_000_000)
            _ = try await snapshots.importFile(
                Self.data + "/vrps/rpki-client-20250720T093133Z.json.bz2", kind: .vrps, sourceName: "rpki-client", takenAt: taken)
            _ = try await snapshots.importFile(Self.data + "/irr/ripe-db-route.txt", kind: .irr, sourceName: "RIPE", takenAt: taken)
            guard
                case .imported(let routes) = try await snapshots.importFile(
                    Self.data + "/reference/ris-updates-2016/announcements.csv.gz", kind: .routes, sourceName: "RIS 2016", takenAt: taken
                )
            else {
                Issue.record("routes not imported")
                return
            }
            // The other applicant's participant holds three ASNs of the reference, with mixed states.
            let other = fixture.other.id.uuidString.lowercased()
            for asn in ["AS3816", "AS9829", "AS7315"] {
                #expect(
                    try await api.call(
                        .post, "/api/v1/participants/\(other)/resources", token: fixture.otherApplicant.token,
                        json: #"{"kind":"asn","value":"\#(asn)"}"#
                    ).status == 201)
            }
            try await fixture.verifyResources(of: fixture.other.id, api)
            _ = try await api.call(
                .post, "/api/v1/participants/\(other)/contacts", token: fixture.otherApplicant.token,
                json: #"{"role":"abuse","email":"abuse@hol.example"}"#)
            let response = try await api.call(
                .get, "/api/v1/participants/\(other)/measurements?snapshot=\(routes.id)", token: fixture.otherApplicant.token)
            #expect(response.status == 200, "\(response.text.prefix(300))")
            let reference = try Self.reference()
            let asns = response.json["asns"] as? [[String: Any]] ?? []
            #expect(asns.count == 3)
            for row in asns {
                let asn = try #require(row["asn"] as? Int)
                let expected = try #require(reference[asn], "AS\(asn) of \(reference.count) reference rows")
                #expect(row["announcements"] as? Int == expected.announcements, "AS\(asn)")
                #expect(row["rpki_valid"] as? Int == expected.valid, "AS\(asn)")
                #expect(row["rpki_invalid"] as? Int == expected.invalid, "AS\(asn)")
                #expect(row["rpki_not_found"] as? Int == expected.notFound, "AS\(asn)")
                #expect(row["abuse_contact"] as? Bool == true && row["noc_contact"] as? Bool == false)
                #expect((row["contact_sources"] as? [String]) == ["registry"])
                // A prefix,origin file has no AS paths: no transit figures rather than zeros.
                #expect(row["rov_invalid_carried"] == nil && row["bogon_asns_propagated"] == nil)
                if expected.invalid > 0 {
                    // The why: invalid routes with the VRPs that cover them.
                    let explanations = row["explanations"] as? [[String: Any]] ?? []
                    let invalid = explanations.filter { $0["metric"] as? String == "rpki_invalid" }
                    #expect(!invalid.isEmpty && invalid.allSatisfy { !($0["evidence"] as? [String] ?? []).isEmpty }, "AS\(asn)")
                }
            }
            let inputs = response.json["inputs"] as? [String: Any]
            #expect((inputs?["vrps"] as? [String: Any])?["source_name"] as? String == "rpki-client")
            #expect(inputs?["peeringdb"] == nil)
            #expect(try await api.call(.get, "/api/v1/participants/\(other)/measurements", token: fixture.applicant.token).status == 403)
            #expect(
                try await api.call(.get, "/api/v1/participants/\(other)/measurements?snapshot=999999", token: fixture.auditor.token).status == 404)
        }
    }

    @Test("Spoofer: the latest session of each of the participant's networks, its verdict and its age at the routes' time")
    func spoofer() async throws {
        try await APIFixture.run { fixture, api in
            let snapshots = SnapshotStore(database: fixture.db.pool)
            let fixtures = URL(fileURLWithPath: TestDatabase.repositoryRoot).appendingPathComponent("Tests/Fixtures/spoofer").path
            // The routes the two networks announced; the Spoofer sessions are the published ones.
            let routesFile = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID().uuidString).csv").path
            try "prefix,origin_asn\n24.237.160.0/19,8047\n115.78.0.0/17,7552\n".write(toFile: routesFile, atomically: true, encoding: .utf8)
            let taken = try Date("2019-09-06T00:00:00Z", strategy: .iso8601)
            guard case .imported(let routes) = try await snapshots.importFile(routesFile, kind: .routes, sourceName: "test routes", takenAt: taken)
            else {
                Issue.record("routes not imported")
                return
            }
            _ = try await snapshots.importFile(
                fixtures + "/shadowserver-caida-ip-spoofer-20200819.csv", kind: .spoofer, sourceName: "shadowserver", takenAt: taken)
            let other = fixture.other.id.uuidString.lowercased()
            for asn in ["AS8047", "AS7552"] {
                #expect(
                    try await api.call(
                        .post, "/api/v1/participants/\(other)/resources", token: fixture.otherApplicant.token,
                        json: #"{"kind":"asn","value":"\#(asn)"}"#
                    ).status == 201)
            }
            // Claimed ASNs are not measured: only verified ones are the participant's.
            let unverified = try await api.call(
                .get, "/api/v1/participants/\(other)/measurements?snapshot=\(routes.id)", token: fixture.otherApplicant.token)
            #expect(unverified.status == 200 && (unverified.json["asns"] as? [Any])?.isEmpty == true, "\(unverified.text.prefix(300))")
            try await fixture.verifyResources(of: fixture.other.id, api)
            let response = try await api.call(
                .get, "/api/v1/participants/\(other)/measurements?snapshot=\(routes.id)", token: fixture.otherApplicant.token)
            #expect(response.status == 200, "\(response.text.prefix(300))")
            let inputs = response.json["inputs"] as? [String: Any]
            #expect((inputs?["spoofer"] as? [String: Any])?["source_name"] as? String == "shadowserver")
            let rows = Dictionary(
                uniqueKeysWithValues: (response.json["asns"] as? [[String: Any]] ?? []).compactMap { row in (row["asn"] as? Int).map { ($0, row) } })
            // AS8047's network leaked forged packets on 2019-08-27, nine days and some hours before the routes.
            #expect(rows[8047]?["spoofer_prefixes_tested"] as? Int == 1)
            #expect(rows[8047]?["spoofable_prefixes"] as? Int == 1)
            #expect(rows[8047]?["spoofer_test_age_days"] as? Int == 9)
            #expect(rows[8047]?["spoofer_last_test"] as? String == "2019-08-27T03:16:08Z")
            let why = (rows[8047]?["explanations"] as? [[String: Any]] ?? []).filter { $0["metric"] as? String == "spoofable_prefix" }
            #expect(why.first?["subject"] as? String == "24.237.163.0/24: spoofable, 9 days old")
            // AS7552's session was rewritten by a NAT: tested, not spoofable.
            #expect(rows[7552]?["spoofer_prefixes_tested"] as? Int == 1)
            #expect(rows[7552]?["spoofable_prefixes"] as? Int == 0)
        }
    }

    @Test(
        "Transit over an MRT snapshot: the ROV enforcement signal and bogon metrics equal the engine's over the same files",
        .enabled(if: available))
    func transit() async throws {
        let vrpFile = Self.data + "/vrps/rpki-client-20250720T093133Z.json.bz2"
        let mrtFile = Self.data + "/mrt/updates.20160811.1600.gz"
        // The oracle: the engine over the files themselves, every AS.
        var engine = Measurement(vrps: VRPIndex(try VRPReader.read(path: vrpFile).vrps), asOf: Date(timeIntervalSince1970: 1_700_000_000))
        _ = try Routes.readWithPaths(path: mrtFile) { route, path in
            engine.add(prefix: route.prefix, origin: route.origin, originText: route.originText, path: path)
        }
        // The AS that carried the most RPKI-invalid routes for others (not the fixture's AS3333).
        let carrier = try #require(engine.metrics().filter { $0.asn != 3333 }.max { $0.rovInvalidCarried < $1.rovInvalidCarried })
        #expect(carrier.rovInvalidCarried > 0)

        try await APIFixture.run { fixture, api in
            let snapshots = SnapshotStore(database: fixture.db.pool)
            let taken = Date(timeIntervalSince1970: 1_752_000_000)
            _ = try await snapshots.importFile(vrpFile, kind: .vrps, sourceName: "rpki-client", takenAt: taken)
            guard case .imported(let routes) = try await snapshots.importFile(mrtFile, kind: .routes, sourceName: "RIS updates", takenAt: taken)
            else {
                Issue.record("routes not imported")
                return
            }
            let other = fixture.other.id.uuidString.lowercased()
            #expect(
                try await api.call(
                    .post, "/api/v1/participants/\(other)/resources", token: fixture.otherApplicant.token,
                    json: #"{"kind":"asn","value":"AS\#(carrier.asn)"}"#
                ).status == 201)
            try await fixture.verifyResources(of: fixture.other.id, api)
            let response = try await api.call(
                .get, "/api/v1/participants/\(other)/measurements?snapshot=\(routes.id)", token: fixture.otherApplicant.token)
            #expect(response.status == 200, "\(response.text.prefix(300))")
            let row = try #require((response.json["asns"] as? [[String: Any]])?.first)
            #expect(row["asn"] as? Int == Int(carrier.asn))
            #expect(row["rov_invalid_carried"] as? Int == carrier.rovInvalidCarried)
            #expect(row["bogon_prefixes_propagated"] as? Int == carrier.bogonPrefixesPropagated)
            #expect(row["bogon_asns_originated"] as? Int == carrier.bogonASNsOriginated)
            #expect(row["bogon_asns_propagated"] as? Int == carrier.bogonASNsPropagated)
            #expect(row["announcements"] as? Int == carrier.announcements)
            #expect(row["rpki_invalid"] as? Int == carrier.rpkiInvalid)
            let why = (row["explanations"] as? [[String: Any]] ?? []).filter { $0["metric"] as? String == "rov_invalid_carried" }
            #expect(!why.isEmpty && why.allSatisfy { !($0["evidence"] as? [String] ?? []).isEmpty })
        }
    }
}

import Domain
import Foundation
import Routing
import Testing

/// Check evaluation over real measurement output: the RIS updates of 2016-08-11 16:00
/// (`../shared/data/mrt/updates.20160811.1600.gz`, RIPE RIS via RIPE-NCC/bgpdump's test data)
/// against the rpki-client VRPs of 2025-07-20 09:31 (`../shared/data/vrps/`, jeffsw/rpkilog),
/// with the per-ASN counts that four independent validators computed
/// (`../shared/data/reference/ris-updates-2016/per_asn_rov_summary.csv`).
@Suite("Check evaluation", .serialized)
struct CheckEvaluationTests {
    static let shared = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/data").standardizedFileURL.path
    static var available: Bool { FileManager.default.fileExists(atPath: shared + "/mrt/updates.20160811.1600.gz") }
    static let takenAt = Date(timeIntervalSince1970: 1_470_931_200)  // 2016-08-11T16:00:00Z

    /// The VRP index, read once for the suite.
    static let vrps: Result<VRPIndex, any Error> = Result {
        VRPIndex(try VRPReader.read(path: shared + "/vrps/rpki-client-20250720T093133Z.json.bz2").vrps)
    }

    /// The engine's rows for `asns` over the 2016 updates; `withdrawn` drops the routes with
    /// those origins first (a derived later snapshot: the same table with some routes withdrawn).
    static func measure(_ asns: Set<ASN>, withdrawn: Set<String> = []) throws -> [ASNMetrics] {
        var measurement = Measurement(vrps: try vrps.get(), only: asns, asOf: takenAt)
        _ = try Routes.readWithPaths(path: shared + "/mrt/updates.20160811.1600.gz") { announcement, path in
            guard !withdrawn.contains(announcement.originText) else { return }
            measurement.add(prefix: announcement.prefix, origin: announcement.origin, originText: announcement.originText, path: path)
        }
        return measurement.metrics()
    }

    static func action(_ code: String, _ checks: [Check], tier: Tier = .baseline) -> Action {
        Action(code: code, title: code, description: "", tier: tier, mandatory: [:], evidence: [.measurement], checks: checks)
    }

    @Test("AS9829's RPKI checks: the engine's numbers equal the reference validators', and each verdict says why", .enabled(if: available))
    func rpkiChecks() throws {
        let rows = try Self.measure([9829])
        let scope = MeasuredScope(rows: rows)
        // The reference: 123 announcements, 73 valid, 21 invalid, 29 not found.
        #expect(scope.value(.announcements) == 123 && scope.value(.rpkiValid) == 73 && scope.value(.rpkiInvalid) == 21)
        let checks = [
            Check(kind: .rpkiValidShare, min: 0.5, basis: "assumed"), Check(kind: .rpkiScore, min: 0.8, basis: "observatory"),
            Check(kind: .rpkiInvalid, max: 0, basis: "assumed"),
        ]
        let results = CheckEvaluation.evaluate([Self.action("netops.4", checks)], at: .baseline, scope: scope)
        #expect(results.map(\.verdict) == [.pass, .fail, .fail])
        #expect(abs((results[0].value ?? 0) - 73.0 / 123) < 1e-9)
        #expect(abs((results[1].value ?? 0) - (73.0 - 210) / 123) < 1e-9)
        #expect(results[1].explanation == "rpki score is -1.114, below the required 0.800.")
        #expect(results[2].value == 21 && results[2].explanation == "rpki invalid is 21, above the allowed 0.")
        #expect(!results[2].evidence.isEmpty && results[2].evidence.allSatisfy { $0.hasPrefix("AS9829 ") })
        // Without IRR data the IRR checks are insufficient data, never a pass.
        let irr = CheckEvaluation.evaluate([Self.action("netops.4", [Check(kind: .irrCoverage, min: 0.9)])], at: .baseline, scope: scope)
        #expect(irr.map(\.verdict) == [.insufficientData] && irr[0].explanation == "No IRR data was available.")
    }

    @Test("an ASN absent from the routes is insufficient data, not a silent pass", .enabled(if: available))
    func absent() throws {
        let scope = MeasuredScope(rows: try Self.measure([8196]))
        let checks = [Check(kind: .rpkiInvalid, max: 0), Check(kind: .bogonPrefixesOriginated, max: 0), Check(kind: .rpkiScore, min: 0.5)]
        let results = CheckEvaluation.evaluate([Self.action("netops.1", checks)], at: .baseline, scope: scope)
        #expect(results.map(\.verdict) == [.insufficientData, .insufficientData, .insufficientData])
        #expect(results[0].explanation == "The certification's ASNs originate no route in the snapshot, so rpki invalid cannot be measured.")
        // No rows at all (no verified ASN) is insufficient too.
        #expect(
            CheckEvaluation.evaluate([Self.action("netops.1", checks)], at: .baseline, scope: MeasuredScope(rows: [])).allSatisfy {
                $0.verdict == .insufficientData
            })
    }

    @Test("rov_invalid_carried over a window: a route counts only when it is invalid at both ends", .enabled(if: available))
    func window() throws {
        let transit: ASN = 8218
        let start = try Self.measure([transit])
        #expect(start.first?.pathsKnown == true)
        let atStart = try #require(start.first?.rovInvalidCarriedRoutes)
        #expect(!atStart.isEmpty)
        // Derived end of the window, a week later: the same table with one origin's routes withdrawn.
        let gone = try #require(atStart.sorted().first?.split(separator: " ").last.map { String($0.dropFirst(2)) })
        let end = try Self.measure([transit], withdrawn: [gone])
        let persistent = atStart.filter { !$0.hasSuffix(" AS\(gone)") }
        #expect(persistent.count < atStart.count)
        let week = Self.takenAt.addingTimeInterval(7 * 86_400)
        let check = Check(kind: .rovInvalidCarried, max: 0, basis: "assumed", window: CheckWindow(days: 7, snapshots: 2))
        let scope = MeasuredScope(rows: end, window: RouteWindow.of([(Self.takenAt, start), (week, end)]))
        let result = CheckEvaluation.evaluate(check, of: "netops.plus.rov", scope: scope)
        #expect(result.verdict == .fail && result.value == Double(persistent.count))
        #expect(result.evidence == Array(persistent.sorted().prefix(10)))
        // Routes invalid at one end only fail nothing.
        let passing = Check(kind: .rovInvalidCarried, max: Double(persistent.count), window: CheckWindow(days: 7, snapshots: 2))
        #expect(CheckEvaluation.evaluate(passing, of: "netops.plus.rov", scope: scope).verdict == .pass)
        // Catalog version 1's rov_invalid_propagated (no window, no basis) is judged the same way,
        // and its result keeps the check as the catalog states it.
        let propagated = Check(kind: .rovInvalidPropagated, max: 0)
        let versionOne = CheckEvaluation.evaluate(propagated, of: "netops.plus.rov", scope: scope)
        #expect(versionOne.check == propagated && versionOne.verdict == .fail && versionOne.value == Double(persistent.count))
        #expect(versionOne.evidence == result.evidence)
        #expect(versionOne.explanation == "rov_invalid_propagated is measured as rov_invalid_carried, which replaced it. " + result.explanation)
        // A window shorter than asked, or one snapshot, decides nothing.
        let short = MeasuredScope(rows: end, window: RouteWindow.of([(Self.takenAt, start), (Self.takenAt.addingTimeInterval(86_400), end)]))
        #expect(CheckEvaluation.evaluate(check, of: "netops.plus.rov", scope: short).verdict == .insufficientData)
        let single = MeasuredScope(rows: start, window: RouteWindow.of([(Self.takenAt, start)]))
        #expect(CheckEvaluation.evaluate(check, of: "netops.plus.rov", scope: single).verdict == .insufficientData)
        // Without AS paths (a prefix-to-AS table) the transit metric is insufficient data.
        var pathless = ASNMetrics(asn: transit)
        pathless.announcements = 3
        let noPaths = CheckEvaluation.evaluate(Check(kind: .rovInvalidCarried, max: 0), of: "netops.1", scope: MeasuredScope(rows: [pathless]))
        #expect(noPaths.verdict == .insufficientData)
    }

    @Test("rpki_coverage: the share of the certification's own prefixes a ROA of its ASNs covers", .enabled(if: available))
    func rpkiCoverage() throws {
        let measurement = Measurement(vrps: try Self.vrps.get(), asOf: Self.takenAt)
        // AS13335's 1.1.1.0/24 has a ROA in the 2025-07-20 VRPs; 192.0.2.0/24 (documentation space) has none.
        let documentation = try IPPrefix("192.0.2.0/24")
        let coverage = measurement.rpkiCoverage(of: [try IPPrefix("1.1.1.0/24"), documentation], asns: [13335])
        #expect(coverage.share == 0.5 && coverage.uncovered == [documentation])
        let scope = MeasuredScope(rows: [ASNMetrics(asn: 13335)], rpkiCoverage: coverage)
        let result = CheckEvaluation.evaluate(Check(kind: .rpkiCoverage, min: 1), of: "netops.plus.rpki-coverage", scope: scope)
        #expect(result.verdict == .fail && result.explanation == "rpki coverage is 50.0 %, below the required 100.0 %.")
        #expect(result.evidence == ["192.0.2.0/24: no ROA of the certification's ASNs"])
        #expect(measurement.rpkiCoverage(of: [try IPPrefix("1.1.1.0/24")], asns: [64496]).share == 0)
    }

    @Test("any_of passes when one alternative passes; contacts need every role; reviewed checks are left to auditors")
    func alternativesAndContacts() {
        var row = ASNMetrics(asn: 64500)
        row.announcements = 10
        row.rpkiValid = 10
        row.nocContact = true
        row.abuseContact = false
        let scope = MeasuredScope(rows: [row])
        let either = Check(kind: .anyOf, anyOf: [Check(kind: .irrCoverage, min: 0.9), Check(kind: .rpkiValidShare, min: 0.9)])
        #expect(CheckEvaluation.evaluate(either, of: "cdn.4", scope: scope).verdict == .pass)
        row.rpkiValid = 0
        row.rpkiNotFound = 10
        #expect(CheckEvaluation.evaluate(either, of: "cdn.4", scope: MeasuredScope(rows: [row])).verdict == .insufficientData)
        row.irrKnown = true
        row.irrNone = 10
        #expect(CheckEvaluation.evaluate(either, of: "cdn.4", scope: MeasuredScope(rows: [row])).verdict == .fail)
        let contacts = CheckEvaluation.evaluate(Check(kind: .contactsPresent, roles: ["noc", "abuse"]), of: "netops.3", scope: scope)
        #expect(contacts.verdict == .fail && contacts.explanation == "No abuse contact is registered.")
        let reviewed = Self.action("ixp.1", [Check(kind: .auditorReview, review: "Route servers drop invalids.")])
        #expect(CheckEvaluation.evaluate([reviewed], at: .plus, scope: scope).isEmpty)
        // Tier-limited checks apply only at their tier; plus actions only at plus.
        let tiered = Self.action(
            "netops.4", [Check(kind: .rpkiScore, min: 0.8, tiers: [.baseline]), Check(kind: .rpkiInvalid, max: 0, tiers: [.plus])])
        #expect(CheckEvaluation.evaluate([tiered], at: .baseline, scope: scope).map(\.check.kind) == [.rpkiScore])
        #expect(CheckEvaluation.evaluate([tiered], at: .plus, scope: scope).map(\.check.kind) == [.rpkiInvalid])
        let plusOnly = Self.action("netops.plus.rov", [Check(kind: .rpkiInvalid, max: 0)], tier: .plus)
        #expect(CheckEvaluation.evaluate([plusOnly], at: .baseline, scope: scope).isEmpty)
        // A name from catalog version 1 that nothing computes is insufficient data.
        #expect(CheckEvaluation.evaluate(Check(kind: .noc24x7), of: "netops.plus.noc-24x7", scope: scope).verdict == .insufficientData)
    }
}

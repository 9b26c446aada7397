import Domain
import Foundation
import Routing
import Testing

@Suite("Catalogs and admission rules")
struct CatalogTests {
    struct Seed: Decodable {
        struct Program: Decodable { let code: String }
        let program: Program
        let catalog: CatalogDocument
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The seed files in schema/catalog, as shipped; or in `folder` (from the repository's root).
    static func seeds(in folder: String = "schema/catalog") throws -> [String: CatalogDocument] {
        let directory = root.appendingPathComponent(folder)
        var seeds: [String: CatalogDocument] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".json") {
            let seed = try JSONDecoder().decode(Seed.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
            seeds[seed.program.code] = seed.catalog
        }
        return seeds
    }

    @Test("the four seed catalogs are complete and valid")
    func seedsAreValid() throws {
        let seeds = try Self.seeds()
        #expect(Set(seeds.keys) == ["netops", "ixp", "cdn", "vendor"])
        for (program, catalog) in seeds {
            #expect(catalog.problems().isEmpty, "\(program): \(catalog.problems())")
        }
        // The real baseline actions of each program (domain.md), plus MANRS+ extended ones.
        #expect(seeds["netops"]!.actions(at: .baseline).map(\.code) == ["netops.1", "netops.2", "netops.3", "netops.4"])
        #expect(seeds["ixp"]!.actions(at: .baseline).count == 5)
        #expect(seeds["cdn"]!.actions(at: .baseline).count == 6)
        #expect(seeds["vendor"]!.actions(at: .baseline).count == 3)
        let plus = Set(seeds["netops"]!.actions.filter { $0.tier == .plus }.map(\.code))
        #expect(plus == ["netops.plus.rov", "netops.plus.rpki-coverage", "netops.plus.irr-rpki", "netops.plus.noc-24x7", "netops.plus.spoofer"])
        let rov = seeds["netops"]!.actions.first { $0.code == "netops.plus.rov" }!
        #expect(rov.checks == [Check(kind: .rovInvalidCarried, max: 0, basis: "assumed", window: CheckWindow(days: 7, snapshots: 2))])
    }

    /// Every metric a check reads as the engine measures it (`Check.measured`), including the
    /// alternatives of `any_of` and contacts' roles.
    static func metrics(of check: Check) -> [String] {
        let measured = check.measured
        switch measured.kind {
        case .anyOf: return (measured.anyOf ?? []).flatMap(metrics(of:))
        case .contactsPresent: return (measured.roles ?? []).map { $0 + "_contact" }
        case .auditorReview: return []
        default: return [measured.kind.metric ?? measured.kind.rawValue]
        }
    }

    @Test(
        "every check of the published catalog version 1 names a metric the engine computes, through the mapping of retired names; the names with no replacement answer insufficient data"
    )
    func versionOneChecksNameRealMetrics() throws {
        let computed = Set(ASNMetrics.Metric.allCases.map(\.rawValue))
        let published = try Self.seeds(in: "Tests/Fixtures/catalog-v1")
        #expect(Set(published.keys) == ["netops", "ixp", "cdn", "vendor"])
        // Retired in version 2 with nothing that measures them.
        let unmeasured: Set<CheckKind> = [.routeServerInvalids, .noc24x7]
        var propagated = 0
        var originated = 0
        for (program, catalog) in published {
            for action in catalog.actions {
                for check in action.checks {
                    if check.kind == .rovInvalidPropagated {
                        propagated += 1
                        #expect(check.measured == Check(kind: .rovInvalidCarried, max: 0, window: CheckWindow(days: 7, snapshots: 2)))
                        #expect(RoutesWindowRule.isWindowed(check))
                    }
                    if check.kind == .rpkiInvalidOriginated {
                        originated += 1
                        #expect(check.measured == Check(kind: .rpkiInvalid, max: 0))
                    }
                    if unmeasured.contains(check.kind) {
                        let result = CheckEvaluation.evaluate(check, of: action.code, scope: MeasuredScope(rows: []))
                        #expect(result.verdict == .insufficientData, "\(program) \(action.code): \(check.kind.rawValue)")
                        continue
                    }
                    for metric in Self.metrics(of: check) {
                        #expect(computed.contains(metric), "\(program) \(action.code): \(metric) is not computed by the engine")
                    }
                }
            }
        }
        // netops.plus.rov, ixp.plus.rov and cdn.plus.rov asked for it.
        #expect(propagated == 3)
        #expect(originated >= 2)
        #expect(RoutesWindowRule.days(of: try #require(published["netops"]).actions, at: .plus) == 7)
    }

    @Test("every check of every seed catalog names a metric the measurement engine computes, with the threshold's basis")
    func checksNameRealMetrics() throws {
        let computed = Set(ASNMetrics.Metric.allCases.map(\.rawValue))
        for (program, catalog) in try Self.seeds() {
            for action in catalog.actions {
                for check in action.checks {
                    for metric in Self.metrics(of: check) {
                        #expect(computed.contains(metric), "\(program) \(action.code): \(metric) is not computed by the engine")
                    }
                    let thresholds = check.kind == .anyOf ? check.anyOf ?? [] : [check]
                    for threshold in thresholds where threshold.kind != .auditorReview {
                        #expect(threshold.basis != nil, "\(program) \(action.code): \(threshold.kind.rawValue) has no basis")
                    }
                }
            }
            // MANRS+ enforces; baseline notifies only, as MANRS works today.
            #expect(catalog.enforcementPolicy(at: .plus)?.mode == .enforce)
            #expect(catalog.enforcementPolicy(at: .baseline)?.mode == .notifyOnly)
        }
    }

    @Test("catalog version 1 still reads: its one enforcement block applies to both tiers, its retired check names read but are refused in drafts")
    func versionOneReads() throws {
        let version1 = Data(
            #"""
            {"actions":[{"code":"netops.plus.rov","title":"ROV","description":"","tier":"plus","mandatory":{"plus":true},
            "evidence":["measurement"],"checks":[{"kind":"rov_invalid_propagated","max":0},{"kind":"noc_24x7"}]}],
            "admission":{"baseline":{"groups":[]},"plus":{"groups":[]}},
            "cadence":{"baseline":{"automated_check_days":90,"reattestation_months":12,"recertification_months":36},
            "plus":{"automated_check_days":30,"reattestation_months":12,"recertification_months":36}},
            "enforcement":{"warning_grace_days":30,"max_suspension_days":180}}
            """#.utf8)
        let catalog = try JSONDecoder().decode(CatalogDocument.self, from: version1)
        #expect(catalog.enforcement[.plus] == Enforcement(mode: .enforce, warningGraceDays: 30, maxSuspensionDays: 180))
        #expect(catalog.enforcement[.baseline] == Enforcement(mode: .notifyOnly, warningGraceDays: 30, maxSuspensionDays: 180))
        #expect(catalog.actions[0].checks.map(\.kind) == [.rovInvalidPropagated, .noc24x7])
        #expect(Set(catalog.problems().map(\.field)) == ["actions[0].checks[0].kind", "actions[0].checks[1].kind"])
    }

    @Test("the new check fields are validated: basis, tiers, window, alternatives, reviews")
    func newCheckFields() throws {
        var catalog = try #require(try Self.seeds()["netops"])
        catalog.actions[0].checks = [
            Check(kind: .rpkiInvalid, max: 0, basis: " "),
            Check(kind: .rpkiInvalid, max: 0, tiers: []),
            Check(kind: .rpkiValidShare, min: 0.9, window: CheckWindow(days: 7, snapshots: 2)),
            Check(kind: .rovInvalidCarried, max: 0, window: CheckWindow(days: 0, snapshots: 1)),
            Check(kind: .anyOf, anyOf: [Check(kind: .irrCoverage, min: 0.9)]),
            Check(kind: .auditorReview),
        ]
        #expect(
            Set(catalog.problems().map(\.field)) == [
                "actions[0].checks[0].basis", "actions[0].checks[1].tiers", "actions[0].checks[2].window", "actions[0].checks[3].window",
                "actions[0].checks[4].any_of", "actions[0].checks[5].review",
            ])
    }

    @Test("IXPs: at least 3 of 5, with 1 and 2 mandatory")
    func ixpAdmission() throws {
        let ixp = try #require(try Self.seeds()["ixp"])
        #expect(ixp.missing(at: .baseline, committed: ["ixp.1", "ixp.2", "ixp.3"]).isEmpty)
        #expect(ixp.missing(at: .baseline, committed: ["ixp.1", "ixp.2", "ixp.5"]).isEmpty)
        let short = ixp.missing(at: .baseline, committed: ["ixp.1", "ixp.2"])
        #expect(short.count == 1)
        guard case .group(_, let needed, _, let have) = short.first else { Issue.record("expected a group shortfall"); return }
        #expect((needed, have) == (3, 2))
        let withoutMandatory = ixp.missing(at: .baseline, committed: ["ixp.3", "ixp.4", "ixp.5"])
        #expect(withoutMandatory.contains(.mandatoryAction(code: "ixp.1", title: "Route server filtering")))
        #expect(withoutMandatory.contains(.mandatoryAction(code: "ixp.2", title: "Promote MANRS to members")))
        #expect(withoutMandatory.count == 2)
    }

    @Test("operators at baseline: at least one action besides coordination")
    func operatorAdmission() throws {
        let netops = try #require(try Self.seeds()["netops"])
        #expect(netops.missing(at: .baseline, committed: ["netops.3"]).count == 1)
        #expect(netops.missing(at: .baseline, committed: ["netops.3", "netops.4"]).isEmpty)
        #expect(netops.missing(at: .baseline, committed: ["netops.1"]).isEmpty)
        // MANRS+ needs every baseline action and every extended one.
        let plus = netops.missing(at: .plus, committed: ["netops.1", "netops.2", "netops.3", "netops.4"])
        #expect(plus.count == 5)
        #expect(netops.missing(at: .plus, committed: Set(netops.actions.map(\.code))).isEmpty)
    }

    @Test("a broken draft lists every problem with its field")
    func problems() throws {
        var catalog = try #require(try Self.seeds()["ixp"])
        catalog.actions[1].code = catalog.actions[0].code
        catalog.actions[2].code = "Not A Code"
        catalog.actions[3].checks = [
            Check(kind: .irrCoverage, min: 1.5), Check(kind: .rpkiInvalid), Check(kind: .contactsPresent, roles: ["nobody"]),
        ]
        catalog.actions[4].mandatory = ["gold": true]
        catalog.admission[.baseline]!.groups[0].min = 9
        catalog.admission[.plus]!.groups[0].of.append("ixp.99")
        catalog.cadence[.plus] = nil
        catalog.enforcement[.plus]!.maxSuspensionDays = 0
        let fields = Set(catalog.problems().map(\.field))
        #expect(
            fields == [
                "actions[1].code", "actions[2].code", "actions[3].checks[0].min", "actions[3].checks[1].max", "actions[3].checks[2].roles",
                "actions[4].mandatory.gold", "admission.baseline.groups[0].min", "admission.plus.groups[0].of", "cadence.plus",
                // ixp.3 was renamed away, so the groups naming it point at nothing.
                "admission.baseline.groups[0].of",
                "enforcement.plus.max_suspension_days",
            ])
    }

    @Test("a catalog survives a JSON round trip unchanged")
    func roundTrip() throws {
        for (_, catalog) in try Self.seeds() {
            let again = try JSONDecoder().decode(CatalogDocument.self, from: JSONEncoder().encode(catalog))
            #expect(again == catalog)
        }
        let unknownTier = Data(
            #"{"actions":[],"admission":{"gold":{"groups":[]}},"cadence":{},"enforcement":{"warning_grace_days":1,"max_suspension_days":1}}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CatalogDocument.self, from: unknownTier) }
        let unknownEnforcementTier = Data(
            #"{"actions":[],"admission":{},"cadence":{},"enforcement":{"gold":{"mode":"enforce","warning_grace_days":1,"max_suspension_days":1}}}"#
                .utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CatalogDocument.self, from: unknownEnforcementTier) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CatalogDocument.self, from: unknownTier) }
    }
}

import Foundation

/// Per-ASN conformance metrics for the routing actions, each with the inputs behind it.
public struct ASNMetrics: Sendable {
    public let asn: ASN
    /// Distinct (prefix, origin) announcements this AS originated.
    public var announcements = 0
    public var rpkiValid = 0
    public var rpkiInvalidOrigin = 0
    public var rpkiInvalidLength = 0
    public var rpkiNotFound = 0
    /// Announcements whose prefix has an IRR route object with this origin for exactly that prefix.
    public var irrExact = 0
    /// … or only for a less-specific prefix.
    public var irrCovering = 0
    public var irrNone = 0
    /// This AS's route objects whose (prefix, origin) is RPKI-invalid.
    public var irrRPKIConflicts = 0
    public var bogonPrefixesOriginated = 0
    public var tooSpecificOriginated = 0
    /// Bogon prefixes this AS carried as transit (paths known).
    public var bogonPrefixesPropagated = 0
    /// Routes that reached the world through this AS with a bogon ASN as their origin side.
    public var bogonASNsOriginated = 0
    /// Routes this AS carried as transit whose path held a bogon ASN.
    public var bogonASNsPropagated = 0
    /// Distinct RPKI-invalid (prefix, origin) routes this AS carried as a non-origin AS: the
    /// signal that it does not enforce ROV.
    public var rovInvalidCarried = 0
    /// Contacts from PeeringDB (nil when no PeeringDB data was given).
    public var nocContact: Bool?
    public var abuseContact: Bool?
    /// Spoofer (all nil when no Spoofer data was given): the client networks of this AS with a
    /// session, those whose latest session let a forged packet out, and the latest session's age.
    public var spooferPrefixesTested: Int?
    public var spoofablePrefixes: Int?
    public var spooferLatestTest: Date?
    public var spooferTestAgeDays: Int?
    /// Every RPKI-invalid route this AS carried as transit ("prefix ASorigin"), in full, so a
    /// window of snapshots can tell a route invalid at both its ends from a passing one.
    public var rovInvalidCarriedRoutes: Set<String> = []
    /// Whether the snapshot had AS paths (MRT): without them the transit metrics mean nothing.
    public var pathsKnown = false
    /// Whether IRR route objects were given: without them the IRR metrics mean nothing.
    public var irrKnown = false
    /// Why: the routes and objects behind the failing counts, a bounded sample of each.
    public var explanations: [Explanation] = []

    public init(asn: ASN) { self.asn = asn }

    public var rpkiInvalid: Int { rpkiInvalidOrigin + rpkiInvalidLength }

    /// Share of announcements that are RPKI-valid.
    public var rpkiValidShare: Double? {
        guard announcements > 0 else { return nil }
        return Double(rpkiValid) / Double(announcements)
    }

    /// Share of announcements with a route object for exactly that prefix and origin.
    public var irrExactCoverage: Double? {
        guard announcements > 0 else { return nil }
        return Double(irrExact) / Double(announcements)
    }

    /// The metrics this engine computes, by the names its output (CSV, API) and the catalogs use.
    public enum Metric: String, Sendable, CaseIterable {
        case announcements
        case rpkiValid = "rpki_valid"
        case rpkiInvalid = "rpki_invalid"
        case rpkiInvalidOrigin = "rpki_invalid_origin"
        case rpkiInvalidLength = "rpki_invalid_length"
        case rpkiNotFound = "rpki_not_found"
        case rpkiValidShare = "rpki_valid_share"
        case rpkiScore = "rpki_score"
        /// Per certification, not per ASN: see `Measurement.rpkiCoverage(of:asns:)`.
        case rpkiCoverage = "rpki_coverage"
        case irrExact = "irr_exact"
        case irrCovering = "irr_covering"
        case irrNone = "irr_none"
        /// Exact or covering (less-specific) route objects.
        case irrCoverage = "irr_coverage"
        /// Exact route objects only.
        case irrExactCoverage = "irr_exact_coverage"
        case irrRPKIConflicts = "irr_rpki_conflicts"
        case bogonPrefixesOriginated = "bogon_prefixes_originated"
        case tooSpecificOriginated = "too_specific_originated"
        case bogonPrefixesPropagated = "bogon_prefixes_propagated"
        case bogonASNsOriginated = "bogon_asns_originated"
        case bogonASNsPropagated = "bogon_asns_propagated"
        case rovInvalidCarried = "rov_invalid_carried"
        case nocContact = "noc_contact"
        case abuseContact = "abuse_contact"
        case spooferPrefixesTested = "spoofer_prefixes_tested"
        case spoofablePrefixes = "spoofable_prefixes"
        case spooferTestAgeDays = "spoofer_test_age_days"

        /// Counts add up over several ASNs; shares and scores are recomputed from the counts.
        public var isCount: Bool {
            switch self {
            case .rpkiValidShare, .rpkiScore, .rpkiCoverage, .irrCoverage, .irrExactCoverage, .nocContact, .abuseContact, .spooferTestAgeDays:
                false
            default: true
            }
        }

        /// The explanations (`Explanation.metric`) that show why this metric is what it is.
        public var explanationMetrics: Set<String> {
            switch self {
            case .rpkiInvalid, .rpkiInvalidOrigin, .rpkiInvalidLength, .rpkiValidShare, .rpkiScore: ["rpki_invalid"]
            case .irrNone, .irrCoverage, .irrExactCoverage: ["irr_none"]
            case .irrRPKIConflicts: ["irr_rpki_conflict"]
            case .bogonPrefixesOriginated: ["bogon_prefix_originated"]
            case .tooSpecificOriginated: ["too_specific_originated"]
            case .bogonPrefixesPropagated: ["bogon_prefix_propagated"]
            case .bogonASNsOriginated: ["bogon_asn_originated"]
            case .bogonASNsPropagated: ["bogon_asn_propagated"]
            case .rovInvalidCarried: ["rov_invalid_carried"]
            case .spoofablePrefixes, .spooferPrefixesTested, .spooferTestAgeDays: ["spoofable_prefix", "spoofer_session"]
            default: []
            }
        }
    }

    /// The metric's value, or nil when its input was not given (no paths, no IRR, no PeeringDB,
    /// no Spoofer data) or it has no value (a share of no announcements): never a made-up zero.
    public func value(_ metric: Metric) -> Double? {
        switch metric {
        case .announcements: Double(announcements)
        case .rpkiValid: Double(rpkiValid)
        case .rpkiInvalid: Double(rpkiInvalid)
        case .rpkiInvalidOrigin: Double(rpkiInvalidOrigin)
        case .rpkiInvalidLength: Double(rpkiInvalidLength)
        case .rpkiNotFound: Double(rpkiNotFound)
        case .rpkiValidShare: rpkiValidShare
        case .rpkiScore: rpkiScore
        case .rpkiCoverage: nil
        case .irrExact: irrKnown ? Double(irrExact) : nil
        case .irrCovering: irrKnown ? Double(irrCovering) : nil
        case .irrNone: irrKnown ? Double(irrNone) : nil
        case .irrCoverage: irrKnown ? irrCoverage : nil
        case .irrExactCoverage: irrKnown ? irrExactCoverage : nil
        case .irrRPKIConflicts: irrKnown ? Double(irrRPKIConflicts) : nil
        case .bogonPrefixesOriginated: Double(bogonPrefixesOriginated)
        case .tooSpecificOriginated: Double(tooSpecificOriginated)
        case .bogonPrefixesPropagated: pathsKnown ? Double(bogonPrefixesPropagated) : nil
        case .bogonASNsOriginated: pathsKnown ? Double(bogonASNsOriginated) : nil
        case .bogonASNsPropagated: pathsKnown ? Double(bogonASNsPropagated) : nil
        case .rovInvalidCarried: pathsKnown ? Double(rovInvalidCarried) : nil
        case .nocContact: nocContact.map { $0 ? 1 : 0 }
        case .abuseContact: abuseContact.map { $0 ? 1 : 0 }
        case .spooferPrefixesTested: spooferPrefixesTested.map(Double.init)
        case .spoofablePrefixes: spoofablePrefixes.map(Double.init)
        case .spooferTestAgeDays: spooferTestAgeDays.map(Double.init)
        }
    }

    /// The Observatory's RPKI score: valid share − 10 × invalid share, over announcements.
    public var rpkiScore: Double? {
        guard announcements > 0 else { return nil }
        return (Double(rpkiValid) - 10 * Double(rpkiInvalid)) / Double(announcements)
    }

    /// Share of announcements with a matching route object, exact or covering.
    public var irrCoverage: Double? {
        guard announcements > 0 else { return nil }
        return Double(irrExact + irrCovering) / Double(announcements)
    }

    public struct Explanation: Sendable, Hashable, CustomStringConvertible {
        public let metric: String
        public let subject: String
        public let evidence: [String]

        public var description: String { "\(metric): \(subject)" + (evidence.isEmpty ? "" : " [" + evidence.joined(separator: "; ") + "]") }
    }

    mutating func explain(_ metric: String, _ subject: String, _ evidence: [String] = []) {
        guard explanations.filter({ $0.metric == metric }).count < Measurement.explanationsPerMetric else { return }
        explanations.append(Explanation(metric: metric, subject: subject, evidence: evidence))
    }
}

/// Computes `ASNMetrics` over one snapshot of inputs. Feed it routes, then read `metrics`.
public struct Measurement {
    static let explanationsPerMetric = 20

    public let vrps: VRPIndex
    public let bogons: Bogons
    private let irrByPrefix: [IPPrefix: Set<ASN>]
    private let irrRoutes: [IRRRoute]
    private let peeringDB: [ASN: PeeringDBNetwork]?
    private let spoofer: [SpooferResult]?
    /// The moment the metrics describe, for the age of Spoofer sessions.
    private let asOf: Date
    /// When non-empty, only these ASNs get rows.
    private let only: Set<ASN>
    private var seenOrigins: Set<RouteKey> = []
    /// Whether any route came with an AS path.
    private var pathsKnown = false
    private var seenTransit: Set<TransitKey> = []
    private var rows: [ASN: ASNMetrics] = [:]

    private struct RouteKey: Hashable {
        let prefix: IPPrefix
        let origin: String
    }

    private struct TransitKey: Hashable {
        let asn: ASN
        let route: RouteKey
    }

    public init(
        vrps: VRPIndex, irr: [IRRRoute] = [], peeringDB: [ASN: PeeringDBNetwork]? = nil, spoofer: [SpooferResult]? = nil,
        bogons: Bogons = Bogons(), only: Set<ASN> = [], asOf: Date
    ) {
        self.vrps = vrps
        self.spoofer = spoofer
        self.asOf = asOf
        self.bogons = bogons
        self.irrRoutes = irr
        self.irrByPrefix = Dictionary(grouping: irr, by: \.prefix).mapValues { Set($0.map(\.origin)) }
        self.peeringDB = peeringDB
        self.only = only
    }

    private func wanted(_ asn: ASN) -> Bool { only.isEmpty || only.contains(asn) }

    /// Adds one route; `path`, when known, enables the transit metrics. The same route seen from
    /// many peers counts once per AS.
    public mutating func add(prefix: IPPrefix, origin: ASN?, originText: String, path: ASPath? = nil) {
        let key = RouteKey(prefix: prefix, origin: originText)
        let state = vrps.state(of: prefix, origin: origin)
        let bogonReason = bogons.reason(for: prefix)

        if let origin, wanted(origin), seenOrigins.insert(key).inserted {
            var row = rows[origin] ?? ASNMetrics(asn: origin)
            row.announcements += 1
            switch state {
            case .valid: row.rpkiValid += 1
            case .invalidWrongOrigin:
                row.rpkiInvalidOrigin += 1
                row.explain("rpki_invalid", "\(prefix) AS\(origin): covered only by other origins", vrps.covering(prefix).map(\.description))
            case .invalidTooSpecific:
                row.rpkiInvalidLength += 1
                row.explain("rpki_invalid", "\(prefix) AS\(origin): longer than the VRP's maxLength", vrps.covering(prefix).map(\.description))
            case .notFound: row.rpkiNotFound += 1
            }
            if irrByPrefix[prefix]?.contains(origin) == true {
                row.irrExact += 1
            } else if coveringIRRObject(prefix, origin: origin) != nil {
                row.irrCovering += 1
            } else {
                row.irrNone += 1
                row.explain("irr_none", "\(prefix) AS\(origin): no route object with this origin")
            }
            if let bogonReason {
                row.bogonPrefixesOriginated += 1
                row.explain("bogon_prefix_originated", "\(prefix): \(bogonReason)")
            }
            if Bogons.isTooSpecific(prefix) {
                row.tooSpecificOriginated += 1
                row.explain("too_specific_originated", "\(prefix)")
            }
            rows[origin] = row
        }

        guard let path else { return }
        pathsKnown = true
        let hops = path.allASNs
        // The public AS that handed a route with a bogon ASN on its origin side to the world.
        if let firstBogon = hops.firstIndex(where: Bogons.isBogon(asn:)) {
            let upstream = hops[..<firstBogon].last { !Bogons.isBogon(asn: $0) }
            if let upstream, wanted(upstream), seenTransit.insert(TransitKey(asn: upstream, route: key)).inserted {
                rows[upstream, default: ASNMetrics(asn: upstream)].bogonASNsOriginated += 1
                rows[upstream]!.explain("bogon_asn_originated", "\(prefix) path \(path)")
            }
        }
        // Transit: every AS in the path but the origin.
        var transit = Set(hops)
        if let origin { transit.remove(origin) }
        for asn in transit where wanted(asn) && !Bogons.isBogon(asn: asn) {
            guard seenTransit.insert(TransitKey(asn: asn, route: RouteKey(prefix: prefix, origin: "transit:" + originText))).inserted else {
                continue
            }
            var row = rows[asn] ?? ASNMetrics(asn: asn)
            if state.isInvalid {
                row.rovInvalidCarried += 1
                row.rovInvalidCarriedRoutes.insert("\(prefix) AS\(originText)")
                row.explain("rov_invalid_carried", "\(prefix) AS\(originText) via path \(path)", vrps.covering(prefix).map(\.description))
            }
            if bogonReason != nil {
                row.bogonPrefixesPropagated += 1
                row.explain("bogon_prefix_propagated", "\(prefix) via path \(path)")
            }
            if let firstBogon = hops.firstIndex(where: Bogons.isBogon(asn:)), let position = hops.firstIndex(of: asn), position < firstBogon,
                hops[..<firstBogon].last(where: { !Bogons.isBogon(asn: $0) }) != asn
            {
                row.bogonASNsPropagated += 1
                row.explain("bogon_asn_propagated", "\(prefix) path \(path)")
            }
            rows[asn] = row
        }
    }

    private func coveringIRRObject(_ prefix: IPPrefix, origin: ASN) -> IPPrefix? {
        var length = prefix.length
        while length > 0 {
            length -= 1
            let candidate = prefix.truncated(to: length)
            if irrByPrefix[candidate]?.contains(origin) == true { return candidate }
        }
        return nil
    }

    /// The rows, sorted by ASN, with the per-object checks (IRR/RPKI conflicts, contacts) applied.
    public func metrics() -> [ASNMetrics] {
        var result = rows
        for route in irrRoutes where wanted(route.origin) && vrps.state(of: route.prefix, origin: route.origin).isInvalid {
            result[route.origin, default: ASNMetrics(asn: route.origin)].irrRPKIConflicts += 1
            result[route.origin]!.explain(
                "irr_rpki_conflict", "route object \(route.prefix) AS\(route.origin) is RPKI-invalid", vrps.covering(route.prefix).map(\.description))
        }
        if let peeringDB {
            for asn in result.keys {
                let network = peeringDB[asn]
                result[asn]!.nocContact = network?.hasNOC ?? false
                result[asn]!.abuseContact = network?.hasAbuse ?? false
            }
        }
        for asn in only where result[asn] == nil {
            result[asn] = ASNMetrics(asn: asn)
            if let peeringDB {
                result[asn]!.nocContact = peeringDB[asn]?.hasNOC ?? false
                result[asn]!.abuseContact = peeringDB[asn]?.hasAbuse ?? false
            }
        }
        if let spoofer { applySpoofer(spoofer, to: &result) }
        for asn in result.keys {
            result[asn]!.pathsKnown = pathsKnown
            result[asn]!.irrKnown = !irrRoutes.isEmpty
        }
        return result.values.sorted { $0.asn < $1.asn }
    }

    /// `rpki_coverage`: how many of `prefixes` (a certification's own) a VRP of one of `asns`
    /// covers with a maxLength that admits them, i.e. an announcement of the prefix by that
    /// ASN would be RPKI-valid.
    public func rpkiCoverage(of prefixes: [IPPrefix], asns: Set<ASN>) -> RPKICoverage {
        let uncovered = prefixes.filter { prefix in
            !vrps.covering(prefix).contains { asns.contains($0.asn) && $0.asn != 0 && prefix.length <= $0.maxLength }
        }
        return RPKICoverage(prefixes: prefixes.count, uncovered: uncovered)
    }

    /// The latest session per (ASN, client network) decides that network's verdict; older
    /// sessions of the same network are history, and sessions after `asOf` are not yet known.
    private func applySpoofer(_ sessions: [SpooferResult], to result: inout [ASN: ASNMetrics]) {
        struct NetworkKey: Hashable {
            let asn: ASN
            let prefix: IPPrefix
        }
        var latest: [NetworkKey: SpooferResult] = [:]
        for session in sessions where result[session.asn] != nil && session.testedAt <= asOf {
            let key = NetworkKey(asn: session.asn, prefix: session.prefix)
            if let seen = latest[key], (seen.testedAt, seen.session) >= (session.testedAt, session.session) { continue }
            latest[key] = session
        }
        let byASN = Dictionary(grouping: latest.values, by: \.asn)
        for asn in result.keys {
            let networks = (byASN[asn] ?? []).sorted { ($0.testedAt, $0.session) > ($1.testedAt, $1.session) }
            var row = result[asn]!
            row.spooferPrefixesTested = networks.count
            row.spoofablePrefixes = networks.count { $0.verdict == .spoofable }
            row.spooferLatestTest = networks.first?.testedAt
            row.spooferTestAgeDays = networks.first.map { Int(asOf.timeIntervalSince($0.testedAt) / 86_400) }
            for network in networks {
                let age = Int(asOf.timeIntervalSince(network.testedAt) / 86_400)
                let statuses = [network.routed.map { "routed \($0.rawValue)" }, network.privateSource.map { "private \($0.rawValue)" }]
                    .compactMap(\.self).joined(separator: ", ")
                row.explain(
                    network.verdict == .spoofable ? "spoofable_prefix" : "spoofer_session",
                    "\(network.prefix): \(network.verdict.rawValue), \(age) days old",
                    ["session \(network.session) at \(network.testedAt.formatted(.iso8601))" + (statuses.isEmpty ? "" : ": \(statuses)")])
            }
            result[asn] = row
        }
    }
}

/// The share of a certification's prefixes that its ROAs cover.
public struct RPKICoverage: Sendable, Equatable {
    public let prefixes: Int
    /// The prefixes no VRP of the certification's ASNs covers.
    public let uncovered: [IPPrefix]

    public init(prefixes: Int, uncovered: [IPPrefix]) {
        self.prefixes = prefixes
        self.uncovered = uncovered
    }

    /// nil when there are no prefixes to cover.
    public var share: Double? { prefixes > 0 ? Double(prefixes - uncovered.count) / Double(prefixes) : nil }
}

import Dispatch
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

    /// How many explanations of each kind this row holds, five bits per `ExplanationKind`: the
    /// bound is checked before any text is built, since most routes add nothing once it is reached.
    private var explained: UInt64 = 0

    /// Adds an explanation unless this kind already has `Measurement.explanationsPerMetric`; the
    /// text is built only when it is kept.
    mutating func explain(_ kind: ExplanationKind, _ subject: @autoclosure () -> String, _ evidence: @autoclosure () -> [String] = []) {
        let shift = UInt64(kind.rawValue * 5)
        guard (explained >> shift) & 31 < UInt64(Measurement.explanationsPerMetric) else { return }
        explained += 1 << shift
        explanations.append(Explanation(metric: kind.name, subject: subject(), evidence: evidence()))
    }
}

/// The kinds of `ASNMetrics.Explanation`, by the names `Explanation.metric` carries.
enum ExplanationKind: Int, CaseIterable {
    case rpkiInvalid, irrNone, irrRPKIConflict, bogonPrefixOriginated, tooSpecificOriginated, bogonPrefixPropagated
    case bogonASNOriginated, bogonASNPropagated, rovInvalidCarried, spoofablePrefix, spooferSession

    var name: String {
        switch self {
        case .rpkiInvalid: "rpki_invalid"
        case .irrNone: "irr_none"
        case .irrRPKIConflict: "irr_rpki_conflict"
        case .bogonPrefixOriginated: "bogon_prefix_originated"
        case .tooSpecificOriginated: "too_specific_originated"
        case .bogonPrefixPropagated: "bogon_prefix_propagated"
        case .bogonASNOriginated: "bogon_asn_originated"
        case .bogonASNPropagated: "bogon_asn_propagated"
        case .rovInvalidCarried: "rov_invalid_carried"
        case .spoofablePrefix: "spoofable_prefix"
        case .spooferSession: "spoofer_session"
        }
    }
}

/// Computes `ASNMetrics` over one snapshot of inputs. Feed it routes, then read `metrics`.
public struct Measurement {
    static let explanationsPerMetric = 20

    /// What an origin's row is measured against.
    private let inputs: OriginInputs
    private let irrRoutes: [IRRRoute]
    private let peeringDB: [ASN: PeeringDBNetwork]?
    private let spoofer: [SpooferResult]?
    /// The moment the metrics describe, for the age of Spoofer sessions.
    private let asOf: Date
    /// When non-empty, only these ASNs get rows.
    private let only: Set<ASN>
    /// The rows, split by ASN (`shard(of:)`): a route without a path changes only its origin's
    /// row, so a table's routes can be measured on as many cores as there are shards.
    private var shards = [Shard](repeating: Shard(), count: 2)
    /// Whether any route came with an AS path.
    private var pathsKnown = false
    /// (AS, route) pairs already counted for `bogon_asn_originated`, and for the transit metrics.
    private var seenBogonOrigins: Set<TransitKey> = []
    private var seenTransit: Set<TransitKey> = []

    public var vrps: VRPIndex { inputs.vrps }
    public var bogons: Bogons { inputs.bogons }

    private struct TransitKey: Hashable {
        let asn: ASN
        let prefix: IPPrefix
        let origin: String
    }

    public init(
        vrps: VRPIndex, irr: [IRRRoute] = [], peeringDB: [ASN: PeeringDBNetwork]? = nil, spoofer: [SpooferResult]? = nil,
        bogons: Bogons = Bogons(), only: Set<ASN> = [], asOf: Date
    ) {
        self.inputs = OriginInputs(
            vrps: vrps, bogons: bogons, irrByPrefix: Dictionary(grouping: irr, by: \.prefix).mapValues { Set($0.map(\.origin)) })
        self.spoofer = spoofer
        self.asOf = asOf
        self.irrRoutes = irr
        self.peeringDB = peeringDB
        self.only = only
    }

    /// Makes room for about `routes` distinct routes, so a full table is not rehashed as it grows.
    public mutating func reserveCapacity(routes: Int) {
        for part in shards.indices where shards[part].seenOrigins.count == 0 {
            shards[part].seenOrigins = AnnouncementSet(minimumCapacity: routes / shards.count + routes / 16)
        }
    }

    private func wanted(_ asn: ASN) -> Bool { only.isEmpty || only.contains(asn) }

    /// The shard holding `asn`'s row: a multiplicative hash, so neighbouring ASNs spread out.
    private static func shard(of asn: ASN, among count: Int) -> Int { Int((UInt64(asn &* 0x9E37_79B1) &* UInt64(count)) >> 32) }

    private func shard(of asn: ASN) -> Int { Self.shard(of: asn, among: shards.count) }

    /// Adds one route; `path`, when known, enables the transit metrics. The same route seen from
    /// many peers counts once per AS.
    public mutating func add(prefix: IPPrefix, origin: ASN?, originText: String, path: ASPath? = nil) {
        record(prefix: prefix, origin: origin, originText: originText, path: path)
    }

    /// `add(prefix:origin:originText:path:)` for a route as the readers give it: its origin's
    /// text is only written out when a path needs it.
    public mutating func add(_ announcement: Announcement, path: ASPath? = nil) {
        record(prefix: announcement.prefix, origin: announcement.origin, originText: announcement.originText, path: path)
    }

    /// `add(_:)` for each of `announcements`, routes without paths, each shard's on a core of
    /// its own: the rows come out as one thread would make them.
    public mutating func add(contentsOf announcements: [Announcement]) {
        let inputs = self.inputs
        let only = self.only
        shards.withUnsafeMutableBufferPointer { shards in
            announcements.withUnsafeBufferPointer { routes in
                let work = ShardWork(shards: shards, routes: routes)
                DispatchQueue.concurrentPerform(iterations: work.shards.count) { part in
                    for route in work.routes {
                        guard let origin = route.origin, Self.shard(of: origin, among: work.shards.count) == part,
                            only.isEmpty || only.contains(origin)
                        else { continue }
                        inputs.count(
                            route.prefix, origin: origin, state: inputs.vrps.state(of: route.prefix, origin: origin), into: &work.shards[part])
                    }
                }
            }
        }
    }

    private mutating func record(prefix: IPPrefix, origin: ASN?, originText originTextOf: @autoclosure () -> String, path: ASPath?) {
        let state = inputs.vrps.state(of: prefix, origin: origin)
        if let origin, wanted(origin) {
            inputs.count(prefix, origin: origin, state: state, into: &shards[shard(of: origin)])
        }

        guard let path else { return }
        pathsKnown = true
        let bogonReason = inputs.bogons.reason(for: prefix)
        let originText = originTextOf()
        let hops = path.allASNs
        let firstBogon = hops.firstIndex(where: Bogons.isBogon(asn:))
        // The public AS that handed a route with a bogon ASN on its origin side to the world.
        let bogonUpstream = firstBogon.flatMap { first in hops[..<first].last { !Bogons.isBogon(asn: $0) } }
        if let upstream = bogonUpstream, wanted(upstream),
            seenBogonOrigins.insert(TransitKey(asn: upstream, prefix: prefix, origin: originText)).inserted
        {
            let part = shard(of: upstream)
            let i = shards[part].row(upstream)
            shards[part].rows[i].bogonASNsOriginated += 1
            shards[part].rows[i].explain(.bogonASNOriginated, "\(prefix) path \(path)")
        }
        // Transit: every AS in the path but the origin, each once.
        for (position, asn) in hops.enumerated() where asn != origin && wanted(asn) && !Bogons.isBogon(asn: asn) {
            guard hops[..<position].firstIndex(of: asn) == nil,
                seenTransit.insert(TransitKey(asn: asn, prefix: prefix, origin: originText)).inserted
            else { continue }
            let part = shard(of: asn)
            let i = shards[part].row(asn)
            if state.isInvalid {
                shards[part].rows[i].rovInvalidCarried += 1
                shards[part].rows[i].rovInvalidCarriedRoutes.insert("\(prefix) AS\(originText)")
                shards[part].rows[i].explain(
                    .rovInvalidCarried, "\(prefix) AS\(originText) via path \(path)", inputs.vrps.covering(prefix).map(\.description))
            }
            if bogonReason != nil {
                shards[part].rows[i].bogonPrefixesPropagated += 1
                shards[part].rows[i].explain(.bogonPrefixPropagated, "\(prefix) via path \(path)")
            }
            if let firstBogon, position < firstBogon, bogonUpstream != asn {
                shards[part].rows[i].bogonASNsPropagated += 1
                shards[part].rows[i].explain(.bogonASNPropagated, "\(prefix) path \(path)")
            }
        }
    }

    /// The rows, sorted by ASN, with the per-object checks (IRR/RPKI conflicts, contacts) applied.
    public func metrics() -> [ASNMetrics] {
        let conflicts = irrRoutes.filter { wanted($0.origin) && inputs.vrps.state(of: $0.prefix, origin: $0.origin).isInvalid }
        // Every row's place in ASN order, rows only the per-object checks or `only` add included
        // (shard -1): each row, some 300 bytes, is then copied once, straight to its place.
        var places: [(asn: ASN, shard: Int32, index: Int32)] = []
        places.reserveCapacity(shards.reduce(0) { $0 + $1.rows.count } + conflicts.count + only.count)
        for (part, shard) in shards.enumerated() {
            for (i, row) in shard.rows.enumerated() { places.append((row.asn, Int32(part), Int32(i))) }
        }
        var added: Set<ASN> = []
        for asn in conflicts.lazy.map(\.origin) + only where shards[shard(of: asn)].rowIndex[asn] == nil && added.insert(asn).inserted {
            places.append((asn, -1, -1))
        }
        places.sort { $0.asn < $1.asn }
        var result = places.map { $0.shard < 0 ? ASNMetrics(asn: $0.asn) : shards[Int($0.shard)].rows[Int($0.index)] }
        let position = { (asn: ASN) -> Int? in
            var (low, high) = (0, places.count)
            while low < high {
                let middle = (low + high) / 2
                if places[middle].asn < asn { low = middle + 1 } else { high = middle }
            }
            return low < places.count && places[low].asn == asn ? low : nil
        }

        for route in conflicts {
            let i = position(route.origin)!
            result[i].irrRPKIConflicts += 1
            result[i].explain(
                .irrRPKIConflict, "route object \(route.prefix) AS\(route.origin) is RPKI-invalid",
                inputs.vrps.covering(route.prefix).map(\.description))
        }
        for i in result.indices {
            if let peeringDB {
                let network = peeringDB[result[i].asn]
                result[i].nocContact = network?.hasNOC ?? false
                result[i].abuseContact = network?.hasAbuse ?? false
            }
            result[i].pathsKnown = pathsKnown
            result[i].irrKnown = !irrRoutes.isEmpty
        }
        if let spoofer { applySpoofer(spoofer, to: &result, position: position) }
        return result
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
    private func applySpoofer(_ sessions: [SpooferResult], to result: inout [ASNMetrics], position: (ASN) -> Int?) {
        struct NetworkKey: Hashable {
            let asn: ASN
            let prefix: IPPrefix
        }
        var latest: [NetworkKey: SpooferResult] = [:]
        for session in sessions where position(session.asn) != nil && session.testedAt <= asOf {
            let key = NetworkKey(asn: session.asn, prefix: session.prefix)
            if let seen = latest[key], (seen.testedAt, seen.session) >= (session.testedAt, session.session) { continue }
            latest[key] = session
        }
        let byASN = Dictionary(grouping: latest.values, by: \.asn)
        for i in result.indices {
            let networks = (byASN[result[i].asn] ?? []).sorted { ($0.testedAt, $0.session) > ($1.testedAt, $1.session) }
            var row = result[i]
            row.spooferPrefixesTested = networks.count
            row.spoofablePrefixes = networks.count { $0.verdict == .spoofable }
            row.spooferLatestTest = networks.first?.testedAt
            row.spooferTestAgeDays = networks.first.map { Int(asOf.timeIntervalSince($0.testedAt) / 86_400) }
            for network in networks {
                let age = Int(asOf.timeIntervalSince(network.testedAt) / 86_400)
                let statuses = [network.routed.map { "routed \($0.rawValue)" }, network.privateSource.map { "private \($0.rawValue)" }]
                    .compactMap(\.self).joined(separator: ", ")
                row.explain(
                    network.verdict == .spoofable ? .spoofablePrefix : .spooferSession,
                    "\(network.prefix): \(network.verdict.rawValue), \(age) days old",
                    ["session \(network.session) at \(network.testedAt.formatted(.iso8601))" + (statuses.isEmpty ? "" : ": \(statuses)")])
            }
            result[i] = row
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

/// The rows of a share of the ASNs, and the (prefix, origin) announcements they counted.
private struct Shard {
    var seenOrigins = AnnouncementSet()
    /// The rows in the order their ASNs first appeared, and where each ASN's row is: a row is
    /// changed in place, so its explanations are never copied.
    var rows: [ASNMetrics] = []
    var rowIndex: [ASN: Int] = [:]
    /// The last row asked for: a table sorted by prefix often has one origin's routes in a run.
    private var last: (asn: ASN, index: Int)?

    /// The index of `asn`'s row in `rows`, adding an empty row the first time.
    mutating func row(_ asn: ASN) -> Int {
        if let last, last.asn == asn { return last.index }
        let index = rowIndex[asn] ?? rows.count
        if index == rows.count {
            rows.append(ASNMetrics(asn: asn))
            rowIndex[asn] = index
        }
        last = (asn, index)
        return index
    }
}

/// The shards and the routes of `Measurement.add(contentsOf:)`, shared by its threads: each
/// reads all the routes and writes only its own shard.
private struct ShardWork: @unchecked Sendable {
    let shards: UnsafeMutableBufferPointer<Shard>
    let routes: UnsafeBufferPointer<Announcement>
}

/// What the origin metrics of a route are measured against: the VRPs, the bogons, the IRR.
private struct OriginInputs: Sendable {
    let vrps: VRPIndex
    let bogons: Bogons
    let irrByPrefix: [IPPrefix: Set<ASN>]

    private enum IRRMatch { case exact, covering, missing }

    /// Counts `prefix` originated by `origin`, in RPKI state `state`, in its row of `shard`,
    /// unless the shard has counted that announcement already.
    func count(_ prefix: IPPrefix, origin: ASN, state: RPKIState, into shard: inout Shard) {
        guard shard.seenOrigins.insert(prefix, origin: origin) else { return }
        let irr: IRRMatch =
            irrByPrefix.isEmpty
            ? .missing
            : irrByPrefix[prefix]?.contains(origin) == true ? .exact : coveringIRRObject(prefix, origin: origin) != nil ? .covering : .missing
        let i = shard.row(origin)
        shard.rows[i].announcements += 1
        switch state {
        case .valid: shard.rows[i].rpkiValid += 1
        case .invalidWrongOrigin:
            shard.rows[i].rpkiInvalidOrigin += 1
            shard.rows[i].explain(.rpkiInvalid, "\(prefix) AS\(origin): covered only by other origins", vrps.covering(prefix).map(\.description))
        case .invalidTooSpecific:
            shard.rows[i].rpkiInvalidLength += 1
            shard.rows[i].explain(.rpkiInvalid, "\(prefix) AS\(origin): longer than the VRP's maxLength", vrps.covering(prefix).map(\.description))
        case .notFound: shard.rows[i].rpkiNotFound += 1
        }
        switch irr {
        case .exact: shard.rows[i].irrExact += 1
        case .covering: shard.rows[i].irrCovering += 1
        case .missing:
            shard.rows[i].irrNone += 1
            // Without route objects, irr_none has no value and nothing to explain.
            if !irrByPrefix.isEmpty { shard.rows[i].explain(.irrNone, "\(prefix) AS\(origin): no route object with this origin") }
        }
        if let bogonReason = bogons.reason(for: prefix) {
            shard.rows[i].bogonPrefixesOriginated += 1
            shard.rows[i].explain(.bogonPrefixOriginated, "\(prefix): \(bogonReason)")
        }
        if Bogons.isTooSpecific(prefix) {
            shard.rows[i].tooSpecificOriginated += 1
            shard.rows[i].explain(.tooSpecificOriginated, "\(prefix)")
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
}

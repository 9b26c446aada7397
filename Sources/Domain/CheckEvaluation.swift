import Foundation
import Routing

/// A check's outcome. Missing data is never a pass.
public enum CheckVerdict: String, Sendable, Codable, CaseIterable {
    case pass
    case fail
    case insufficientData = "insufficient_data"
}

/// The routes counted at the two ends of a window of routes snapshots, for windowed checks.
public struct RouteWindow: Sendable, Equatable {
    public let start: Date
    public let end: Date
    /// How many routes snapshots the window holds.
    public let snapshots: Int
    /// The routes (as the measurement names them, "prefix ASorigin") counted at the start and
    /// at the end, by metric (`rov_invalid_carried`).
    public let atStart: [String: Set<String>]
    public let atEnd: [String: Set<String>]
    /// The ids of the routes snapshots the window holds, oldest first (recorded with the results
    /// that read it); empty when the caller did not say.
    public let snapshotIDs: [Int]

    public init(
        start: Date, end: Date, snapshots: Int, atStart: [String: Set<String>], atEnd: [String: Set<String>], snapshotIDs: [Int] = []
    ) {
        self.start = start
        self.end = end
        self.snapshots = snapshots
        self.atStart = atStart
        self.atEnd = atEnd
        self.snapshotIDs = snapshotIDs
    }

    /// The window of the measurements of several snapshots, oldest first: routes at both ends
    /// (the rows of the snapshots between them are not read, only counted).
    public static func of(_ measurements: [(takenAt: Date, rows: [ASNMetrics])], snapshotIDs: [Int] = []) -> RouteWindow? {
        guard let first = measurements.first, let last = measurements.last else { return nil }
        func carried(_ rows: [ASNMetrics]) -> [String: Set<String>] {
            [ASNMetrics.Metric.rovInvalidCarried.rawValue: rows.reduce(into: Set<String>()) { $0.formUnion($1.rovInvalidCarriedRoutes) }]
        }
        return RouteWindow(
            start: first.takenAt, end: last.takenAt, snapshots: measurements.count, atStart: carried(first.rows), atEnd: carried(last.rows),
            snapshotIDs: snapshotIDs)
    }
}

/// What the engine measured for one certification's scope: its ASNs' rows (from the latest
/// snapshot), the coverage of its own prefixes, and the window of earlier snapshots.
public struct MeasuredScope: Sendable {
    public let rows: [ASNMetrics]
    public let rpkiCoverage: RPKICoverage?
    public let window: RouteWindow?

    public init(rows: [ASNMetrics], rpkiCoverage: RPKICoverage? = nil, window: RouteWindow? = nil) {
        self.rows = rows
        self.rpkiCoverage = rpkiCoverage
        self.window = window
    }

    /// Announcements over all the scope's ASNs.
    public var announcements: Int { rows.reduce(0) { $0 + $1.announcements } }

    /// The metric over the whole scope: counts added up, shares and scores recomputed from the
    /// added counts. nil when any ASN lacks the input, and for metrics of originated routes
    /// when the scope originates none (an ASN absent from the routes proves nothing).
    public func value(_ metric: ASNMetrics.Metric) -> Double? {
        guard !rows.isEmpty else { return nil }
        let origin: Set<ASNMetrics.Metric> = [
            .rpkiValid, .rpkiInvalid, .rpkiInvalidOrigin, .rpkiInvalidLength, .rpkiNotFound, .rpkiValidShare, .rpkiScore, .irrExact,
            .irrCovering, .irrNone, .irrCoverage, .irrExactCoverage, .bogonPrefixesOriginated, .tooSpecificOriginated,
        ]
        let total = Double(announcements)
        if origin.contains(metric) && total == 0 { return nil }
        func sum(_ part: ASNMetrics.Metric) -> Double? {
            var result = 0.0
            for row in rows {
                guard let value = row.value(part) else { return nil }
                result += value
            }
            return result
        }
        switch metric {
        case .rpkiCoverage: return rpkiCoverage?.share
        case .rpkiValidShare: return sum(.rpkiValid).map { $0 / total }
        case .rpkiScore: return sum(.rpkiValid).flatMap { valid in sum(.rpkiInvalid).map { (valid - 10 * $0) / total } }
        case .irrCoverage: return sum(.irrExact).flatMap { exact in sum(.irrCovering).map { (exact + $0) / total } }
        case .irrExactCoverage: return sum(.irrExact).map { $0 / total }
        case .nocContact, .abuseContact:
            let known = rows.compactMap { $0.value(metric) }
            return known.isEmpty ? nil : known.max()
        case .spooferTestAgeDays:
            return rows.compactMap { $0.value(metric) }.min()
        default:
            return metric.isCount ? sum(metric) : nil
        }
    }

    /// A bounded sample of what lies behind `metric`, from every ASN of the scope.
    public func evidence(_ metric: ASNMetrics.Metric, limit: Int = 10) -> [String] {
        if metric == .rpkiCoverage { return (rpkiCoverage?.uncovered ?? []).prefix(limit).map { "\($0): no ROA of the certification's ASNs" } }
        let names = metric.explanationMetrics
        return Array(rows.flatMap { row in row.explanations.filter { names.contains($0.metric) }.map { "AS\(row.asn) \($0.subject)" } }.prefix(limit))
    }
}

/// One check's verdict with the numbers behind it.
public struct CheckResult: Sendable, Equatable {
    public let action: String
    public let check: Check
    public let verdict: CheckVerdict
    /// The measured value (a share, a score, a count); nil when there was none.
    public let value: Double?
    /// A sentence for the participant and the auditors: the value against the threshold.
    public let explanation: String
    /// The routes, objects or sessions behind it, a bounded sample.
    public let evidence: [String]
}

extension Check {
    /// The check as the engine measures it: a name of catalog version 1 that a later version
    /// replaced is measured as its replacement, so the certifications granted under version 1
    /// are judged, not left without data. `rov_invalid_propagated` is `rov_invalid_carried` over
    /// the window version 2 gives it (7 days, at least 2 routes snapshots), with version 1's
    /// bound (none meant 0). `rpki_invalid_originated` is `rpki_invalid` (the RPKI-invalid
    /// routes the certification's ASNs originate, wrong origin or too long), as version 2 names
    /// it. Every other check is measured as it reads. The one place a retired name is resolved:
    /// evaluation, the run's window and the catalog test all read it.
    public var measured: Check {
        switch kind {
        case .rovInvalidPropagated:
            Check(
                kind: .rovInvalidCarried, min: min, max: max ?? 0, roles: roles, basis: basis, tiers: tiers,
                window: window ?? CheckWindow(days: 7, snapshots: 2), anyOf: anyOf, review: review)
        case .rpkiInvalidOriginated:
            Check(kind: .rpkiInvalid, min: min, max: max ?? 0, roles: roles, basis: basis, tiers: tiers, window: window, anyOf: anyOf, review: review)
        default: self
        }
    }
}

/// Check evaluation (issue 12 §3): (catalog checks, measured scope) → one verdict per check.
/// Pure; the caller records the results.
public enum CheckEvaluation {
    /// The verdicts for the measured checks of `actions` that apply at `tier`. Checks that
    /// auditors review are not the engine's to decide and are left out.
    public static func evaluate(_ actions: [Action], at tier: Tier, scope: MeasuredScope) -> [CheckResult] {
        actions.filter { $0.tier <= tier }.flatMap { action in
            action.checks.filter { $0.applies(at: tier) && $0.kind != .auditorReview }.map { evaluate($0, of: action.code, scope: scope) }
        }
    }

    public static func evaluate(_ check: Check, of action: String, scope: MeasuredScope) -> CheckResult {
        let measured = check.measured
        if measured != check {
            let inner = evaluate(measured, of: action, scope: scope)
            return CheckResult(
                action: action, check: check, verdict: inner.verdict, value: inner.value,
                explanation: "\(check.kind.rawValue) is measured as \(measured.kind.rawValue), which replaced it. " + inner.explanation,
                evidence: inner.evidence)
        }
        func result(_ verdict: CheckVerdict, _ value: Double?, _ explanation: String, _ evidence: [String] = []) -> CheckResult {
            CheckResult(action: action, check: check, verdict: verdict, value: value, explanation: explanation, evidence: evidence)
        }
        switch check.kind {
        case .auditorReview:
            return result(.insufficientData, nil, "Auditors review this: \(check.review ?? "evidence").")
        case .rpkiInvalidOriginated, .routeServerInvalids, .noc24x7:
            // Reached only for the names `measured` leaves as they are.
            return result(.insufficientData, nil, "This catalog version asks for \(check.kind.rawValue), which no measurement computes.")
        case .anyOf:
            let parts = (check.anyOf ?? []).map { evaluate($0, of: action, scope: scope) }
            let explanation = parts.map(\.explanation).joined(separator: " ")
            if let passing = parts.first(where: { $0.verdict == .pass }) {
                return result(.pass, passing.value, "One of the alternatives passes. " + explanation)
            }
            if parts.isEmpty || parts.contains(where: { $0.verdict == .insufficientData }) {
                return result(.insufficientData, nil, "No alternative passes and some could not be measured. " + explanation)
            }
            return result(.fail, nil, "No alternative passes. " + explanation, parts.flatMap(\.evidence))
        case .contactsPresent:
            let roles = check.roles ?? []
            var missing: [String] = []
            for role in roles {
                guard let metric = ASNMetrics.Metric(rawValue: role + "_contact") else {
                    return result(.insufficientData, nil, "No measurement shows a \(role) contact; auditors check it.")
                }
                guard let present = scope.value(metric) else {
                    return result(.insufficientData, nil, "No contact data (PeeringDB) was available.")
                }
                if present == 0 { missing.append(role) }
            }
            if missing.isEmpty { return result(.pass, Double(roles.count), "Contacts registered: \(roles.joined(separator: ", ")).") }
            return result(.fail, Double(roles.count - missing.count), "No \(missing.joined(separator: " or ")) contact is registered.")
        default:
            guard let name = check.kind.metric, let metric = ASNMetrics.Metric(rawValue: name) else {
                return result(.insufficientData, nil, "No measurement computes \(check.kind.rawValue).")
            }
            if let window = check.window { return windowed(check, metric, window, of: action, scope: scope) }
            guard let value = scope.value(metric) else {
                return result(.insufficientData, nil, missingReason(metric, scope))
            }
            return compare(check, metric, value, of: action, scope: scope)
        }
    }

    /// Compares a value with the check's bound.
    static func compare(_ check: Check, _ metric: ASNMetrics.Metric, _ value: Double, of action: String, scope: MeasuredScope) -> CheckResult {
        let label = metric.rawValue.replacingOccurrences(of: "_", with: " ")
        if let min = check.min {
            let passes = value >= min
            return CheckResult(
                action: action, check: check, verdict: passes ? .pass : .fail, value: value,
                explanation: "\(label) is \(format(value, metric)), \(passes ? "at or above" : "below") the required \(format(min, metric)).",
                evidence: passes ? [] : scope.evidence(metric))
        }
        if let max = check.max {
            let passes = value <= max
            return CheckResult(
                action: action, check: check, verdict: passes ? .pass : .fail, value: value,
                explanation: "\(label) is \(format(value, metric)), \(passes ? "within" : "above") the allowed \(format(max, metric)).",
                evidence: passes ? [] : scope.evidence(metric))
        }
        return CheckResult(
            action: action, check: check, verdict: .insufficientData, value: value,
            explanation: "This check sets no threshold, so \(label) (\(format(value, metric))) decides nothing.", evidence: [])
    }

    /// A count over a window: only routes present at both its ends count, so one snapshot's
    /// transient route fails nothing; too short a window is insufficient data.
    static func windowed(_ check: Check, _ metric: ASNMetrics.Metric, _ window: CheckWindow, of action: String, scope: MeasuredScope) -> CheckResult {
        let label = metric.rawValue.replacingOccurrences(of: "_", with: " ")
        guard let seen = scope.window, let start = seen.atStart[metric.rawValue], let end = seen.atEnd[metric.rawValue],
            scope.value(metric) != nil
        else {
            return CheckResult(
                action: action, check: check, verdict: .insufficientData, value: nil,
                explanation: "\(label) needs routes snapshots with AS paths over \(window.days) days; there were none.", evidence: [])
        }
        let span = seen.end.timeIntervalSince(seen.start)
        guard seen.snapshots >= window.snapshots, span >= TimeInterval(window.days) * 86_400 else {
            return CheckResult(
                action: action, check: check, verdict: .insufficientData, value: nil,
                explanation:
                    "\(label) needs at least \(window.snapshots) routes snapshots over \(window.days) days; there were \(seen.snapshots) over \(Int(span / 86_400)) days.",
                evidence: [])
        }
        let persistent = start.intersection(end).sorted()
        let value = Double(persistent.count)
        let max = check.max ?? 0
        let passes = value <= max
        return CheckResult(
            action: action, check: check, verdict: passes ? .pass : .fail, value: value,
            explanation:
                "\(persistent.count) route\(persistent.count == 1 ? "" : "s") counted in \(label) at both ends of the \(Int(span / 86_400))-day window (\(start.count) at its start, \(end.count) at its end); at most \(format(max, metric)) allowed.",
            evidence: Array(persistent.prefix(10)))
    }

    static func missingReason(_ metric: ASNMetrics.Metric, _ scope: MeasuredScope) -> String {
        let label = metric.rawValue.replacingOccurrences(of: "_", with: " ")
        if scope.rows.isEmpty { return "None of the certification's ASNs was measured." }
        switch metric {
        case .rpkiCoverage: return "The certification has no prefixes whose RPKI coverage could be measured."
        case .rovInvalidCarried, .bogonPrefixesPropagated, .bogonASNsOriginated, .bogonASNsPropagated:
            return "\(label) needs routes with AS paths (an MRT dump); the routes snapshot has none."
        case .irrCoverage, .irrExactCoverage, .irrRPKIConflicts, .irrExact, .irrCovering, .irrNone:
            return scope.announcements == 0 ? "The certification's ASNs originate no route in the snapshot." : "No IRR data was available."
        case .spoofablePrefixes, .spooferPrefixesTested, .spooferTestAgeDays: return "No Spoofer test from the certification's networks was seen."
        default: return "The certification's ASNs originate no route in the snapshot, so \(label) cannot be measured."
        }
    }

    static func format(_ value: Double, _ metric: ASNMetrics.Metric) -> String {
        switch metric {
        case .rpkiValidShare, .rpkiCoverage, .irrCoverage, .irrExactCoverage: String(format: "%.1f %%", value * 100)
        case .rpkiScore: String(format: "%.3f", value)
        case .spooferTestAgeDays: "\(Int(value)) days"
        default: String(Int(value))
        }
    }
}

import Domain
import Foundation
import Postgres
import Routing

/// What one run of the periodic checks did.
public struct CheckRunSummary: Sendable, Equatable {
    /// Certifications measured (each with its results recorded).
    public var checked = 0
    /// Of them, with at least one failed check.
    public var failing = 0
    /// Why the snapshots could not be used (stale, too far apart, missing); nil when they were.
    public var refusal: String?
    /// The routes and VRP snapshots measured, when there were.
    public var routesSnapshot: Int?
    public var vrpsSnapshot: Int?

    public init() {}
}

/// The periodic conformance checks (issue 12 §3): every certification in force whose cadence
/// says a check is due is measured on exactly its recorded scope, over the latest snapshots
/// taken at or before the run's time (`FreshnessPolicy` refuses stale or ill-paired ones: then
/// every check is insufficient data, saying why). The snapshots are read and classified once
/// per run for all the certifications. Each certification's results, auditor tasks and
/// enforcement event commit in one transaction.
public struct CheckRunStore: Sendable {
    let database: PostgresPool
    public let freshness: FreshnessPolicy

    public init(database: PostgresPool, freshness: FreshnessPolicy = .standard) {
        self.database = database
        self.freshness = freshness
    }

    /// A certification due for checking, with what its checks need.
    struct Due: Sendable {
        let id: UUID
        let participant: UUID
        let tier: Tier
        let actions: [Action]
        let asns: [Int64]
        let prefixes: [IPPrefix]
    }

    typealias Reference = ParticipantMeasurement.SnapshotReference

    /// Runs the checks due at `time`.
    public func run(at time: Date) async throws -> CheckRunSummary {
        var summary = CheckRunSummary()
        let due = try await dueCertifications(at: time)
        guard !due.isEmpty else { return summary }

        // The inputs: read and classified once for every certification of the run.
        let freshness = freshness
        let (references, measurement, refusal) = try await database.withConnection { connection in
            try await Self.measure(due, at: time, freshness: freshness, on: connection)
        }
        summary.refusal = refusal
        summary.routesSnapshot = references.routes?.id
        summary.vrpsSnapshot = references.vrps?.id
        let metrics = measurement?.metrics ?? [:]
        let registered = try await registeredContacts(Array(Set(due.map(\.participant))))

        for certification in due {
            let scope: MeasuredScope
            if let measurement, references.routes != nil {
                let rows = certification.asns.map { asn -> ASNMetrics in
                    var row = metrics[asn] ?? ASNMetrics(asn: ASN(asn))
                    let roles = registered[certification.participant] ?? []
                    let peering = measurement.peeringContacts[asn]
                    let known = references.peeringdb != nil
                    row.nocContact = roles.contains("noc") || (peering?.noc ?? false) ? true : (known ? false : nil)
                    row.abuseContact = roles.contains("abuse") || (peering?.abuse ?? false) ? true : (known ? false : nil)
                    return row
                }
                // The window's ends: the start's rows from its own snapshot, the end's are `rows`;
                // the snapshots between them are only counted.
                let snapshots = measurement.window
                let start = certification.asns.map { measurement.windowStart[$0] ?? ASNMetrics(asn: ASN($0)) }
                let window = RouteWindow.of(
                    snapshots.indices.map { index in
                        (snapshots[index].takenAt, index == snapshots.count - 1 ? rows : index == 0 ? start : [])
                    }, snapshotIDs: snapshots.map(\.id))
                scope = MeasuredScope(rows: rows, rpkiCoverage: measurement.coverage[certification.id], window: window)
            } else {
                scope = MeasuredScope(rows: [])
            }
            var results = CheckEvaluation.evaluate(certification.actions, at: certification.tier, scope: scope)
            if let refusal {
                results = results.map { $0.insufficient(because: refusal) }
            } else if let routes = references.routes, let vrps = references.vrps {
                let note = SurveillanceRules.inputsNote(routesTakenAt: routes.takenAt, vrpsTakenAt: vrps.takenAt)
                results = results.map { $0.noting(note) }
            }
            let recorded = try await record(
                results, of: certification, snapshots: references.ids, window: measurement?.window.map(\.id) ?? [], at: time)
            if recorded {
                summary.checked += 1
                if results.contains(where: { $0.verdict == .fail }) { summary.failing += 1 }
            }
        }
        return summary
    }

    /// The certifications in force at `time` (granted by then, validity not ended) whose
    /// cadence says a check is due, with their recorded scope.
    func dueCertifications(at time: Date) async throws -> [Due] {
        try await database.withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT c.id, c.participant_id, c.tier, c.status, c.actions, v.document,
                       (SELECT max(r.measured_at) FROM check_results r WHERE r.certification_id = c.id) AS last_checked
                FROM certifications c JOIN catalog_versions v ON v.program_code = c.program_code AND v.version = c.catalog_version
                WHERE c.status = ANY(\(CertificationStatus.inForce.map(\.rawValue))::text[]) AND c.granted_at <= \(time) AND c.valid_until > \(time)
                ORDER BY c.granted_at, c.id
                """)
            var due: [(id: UUID, participant: UUID, tier: Tier, actions: [Action])] = []
            for row in rows {
                let tier = try row.decode("tier", as: Tier.self)
                let catalog = try row.decode("document", as: JSONB<CatalogDocument>.self).value
                let last = try row.decode("last_checked", as: Date?.self)
                let status = try row.decode("status", as: CertificationStatus.self)
                guard SurveillanceRules.isDue(lastChecked: last, cadence: catalog.cadence[tier], status: status, at: time) else { continue }
                let id = try row.decode("id", as: UUID.self)
                let participant = try row.decode("participant_id", as: UUID.self)
                let committed = try row.decode("actions", as: [String].self)
                due.append((id, participant, tier, SurveillanceRules.actions(of: catalog, committed: committed, tier: tier)))
            }
            guard !due.isEmpty else { return [] }
            var asns: [UUID: [Int64]] = [:]
            var prefixes: [UUID: [IPPrefix]] = [:]
            for row in try await connection.query(
                "SELECT certification_id, kind, value FROM certification_scope WHERE certification_id = ANY(\(due.map(\.id))) ORDER BY value")
            {
                let id = try row.decode("certification_id", as: UUID.self)
                let value = try row.decode("value", as: String.self)
                switch try row.decode("kind", as: String.self) {
                case "asn": if let asn = Int64(value.dropFirst(2)) { asns[id, default: []].append(asn) }
                case "prefix": if let prefix = try? IPPrefix(value, strict: false) { prefixes[id, default: []].append(prefix) }
                default: break
                }
            }
            return due.map {
                Due(
                    id: $0.id, participant: $0.participant, tier: $0.tier, actions: $0.actions, asns: asns[$0.id] ?? [],
                    prefixes: prefixes[$0.id] ?? [])
            }
        }
    }

    /// The snapshots a run uses: the latest of each kind taken at or before its time.
    struct References: Sendable {
        var routes: Reference?
        var vrps: Reference?
        var irr: Reference?
        var peeringdb: Reference?
        var spoofer: Reference?

        var ids: [Int] { [routes, vrps, irr, peeringdb, spoofer].compactMap { $0?.id } }
    }

    /// One run's measurement of every due certification's ASNs and prefixes: the metrics by ASN,
    /// and each certification's `rpki_coverage` of its own prefixes by its own ASNs.
    struct RunMeasurement: Sendable {
        let metrics: [Int64: ASNMetrics]
        let peeringContacts: [Int64: PeeringContacts]
        let coverage: [UUID: RPKICoverage]
        /// The routes snapshots of the run's window (`RoutesWindowRule`), oldest first, the run's
        /// own last; and the metrics of the window's start, by ASN (empty for a one-snapshot window).
        let window: [RoutesWindowRule.Snapshot]
        let windowStart: [Int64: ASNMetrics]
    }

    struct PeeringContacts: Sendable {
        let noc: Bool
        let abuse: Bool
    }

    static func measure(_ due: [Due], at time: Date, freshness: FreshnessPolicy, on connection: PostgresConnection) async throws
        -> (References, RunMeasurement?, String?)
    {
        func latest(_ kind: SnapshotKind) async throws -> Reference? {
            try await connection.query(
                """
                SELECT id, source_name, file_sha256, taken_at FROM measurement_snapshots
                WHERE kind = \(kind.rawValue) AND taken_at <= \(time) ORDER BY taken_at DESC, id DESC LIMIT 1
                """
            ).single.map { row in
                Reference(
                    id: try row.decode("id"), sourceName: try row.decode("source_name"), fileSHA256: try row.decode("file_sha256"),
                    takenAt: try row.decode("taken_at"))
            }
        }
        let references = References(
            routes: try await latest(.routes), vrps: try await latest(.vrps), irr: try await latest(.irr), peeringdb: try await latest(.peeringdb),
            spoofer: try await latest(.spoofer))
        guard let routes = references.routes else {
            return (references, nil, "No routing table taken at or before the check's time has been imported, so nothing could be measured.")
        }
        guard let vrps = references.vrps else {
            return (references, nil, "No RPKI (VRP) data taken at or before the check's time has been imported, so nothing could be measured.")
        }
        if let refusal = freshness.refusal(routesTakenAt: routes.takenAt, vrpsTakenAt: vrps.takenAt, at: time) {
            return (references, nil, refusal.message)
        }
        let asns = Array(Set(due.flatMap(\.asns))).sorted()
        let inputs = try await MeasurementStore.load(
            asns: asns, prefixes: due.flatMap(\.prefixes), routes: routes, vrps: vrps, irr: references.irr, peeringdb: references.peeringdb,
            spoofer: references.spoofer, on: connection)
        var coverage: [UUID: RPKICoverage] = [:]
        for certification in due where !certification.prefixes.isEmpty {
            coverage[certification.id] = inputs.measurement.rpkiCoverage(of: certification.prefixes, asns: Set(certification.asns.map { ASN($0) }))
        }
        let metrics = Dictionary(inputs.measurement.metrics().map { (Int64($0.asn), $0) }) { first, _ in first }
        let (window, windowStart) = try await Self.window(due, asns: asns, routes: routes, vrps: vrps, on: connection)
        return (
            references,
            RunMeasurement(
                metrics: metrics, peeringContacts: inputs.peeringContacts.mapValues { PeeringContacts(noc: $0.noc, abuse: $0.abuse) },
                coverage: coverage, window: window, windowStart: windowStart),
            nil
        )
    }

    /// The run's window of routes snapshots for its windowed checks (the longest any due
    /// certification has), read once: the routes snapshots with AS paths within reach of the
    /// run's own (`RoutesWindowRule.select`), and the metrics of the due ASNs at its start,
    /// judged against the run's VRPs like its end, so that "invalid at both ends" compares like
    /// with like.
    static func window(_ due: [Due], asns: [Int64], routes: Reference, vrps: Reference, on connection: PostgresConnection) async throws
        -> ([RoutesWindowRule.Snapshot], [Int64: ASNMetrics])
    {
        let end = RoutesWindowRule.Snapshot(id: routes.id, takenAt: routes.takenAt)
        guard let days = due.compactMap({ RoutesWindowRule.days(of: $0.actions, at: $0.tier) }).max() else { return ([end], [:]) }
        var references: [Int: Reference] = [:]
        for row in try await connection.query(
            """
            SELECT s.id, s.source_name, s.file_sha256, s.taken_at FROM measurement_snapshots s
            WHERE s.kind = \(SnapshotKind.routes.rawValue) AND s.id <> \(routes.id) AND s.taken_at <= \(routes.takenAt)
              AND s.taken_at >= \(routes.takenAt.addingTimeInterval(-2 * TimeInterval(days) * 86_400))
              AND EXISTS (SELECT 1 FROM snapshot_routes r WHERE r.snapshot_id = s.id AND r.path_asns IS NOT NULL)
            """)
        {
            let reference = Reference(
                id: try row.decode("id"), sourceName: try row.decode("source_name"), fileSHA256: try row.decode("file_sha256"),
                takenAt: try row.decode("taken_at"))
            references[reference.id] = reference
        }
        let window = RoutesWindowRule.select(
            references.values.map { RoutesWindowRule.Snapshot(id: $0.id, takenAt: $0.takenAt) }, end: end, days: days)
        guard window.count >= 2, let start = references[window[0].id] else { return (window, [:]) }
        let inputs = try await MeasurementStore.load(
            asns: asns, routes: start, vrps: vrps, irr: nil, peeringdb: nil, spoofer: nil, on: connection)
        return (window, Dictionary(inputs.measurement.metrics().map { (Int64($0.asn), $0) }) { first, _ in first })
    }

    /// Contact roles registered by each participant.
    func registeredContacts(_ participants: [UUID]) async throws -> [UUID: Set<String>] {
        var roles: [UUID: Set<String>] = [:]
        for row in try await database.query("SELECT DISTINCT participant_id, role FROM contacts WHERE participant_id = ANY(\(participants))") {
            roles[try row.decode("participant_id"), default: []].insert(try row.decode("role"))
        }
        return roles
    }

    /// Records a certification's results with their audit event, opens the auditor tasks they
    /// call for, and applies the enforcement event they make, in one transaction. Returns false
    /// when another run checked it first.
    /// A windowed check's result records the window's routes snapshots besides the run's.
    func record(_ results: [CheckResult], of certification: Due, snapshots: [Int], window: [Int], at time: Date) async throws -> Bool {
        let windowed = snapshots + window.filter { !snapshots.contains($0) }
        let context = ChangeContext.system(at: time)
        return try await database.transaction { connection in
            guard
                let row = try await connection.query(
                    """
                    SELECT c.status, c.program_code, (SELECT max(r.measured_at) FROM check_results r WHERE r.certification_id = c.id) AS last_checked
                    FROM certifications c WHERE c.id = \(certification.id) FOR UPDATE OF c
                    """
                ).single
            else { return false }
            let status = try row.decode("status", as: CertificationStatus.self)
            let last = try row.decode("last_checked", as: Date?.self)
            guard status.isInForce, last.map({ $0 < time }) ?? true else { return false }

            // The checks that failed at the previous run, to know when every one passes again.
            var previouslyFailing: Set<String> = []
            if let last {
                for previous in try await connection.query(
                    """
                    SELECT action_code, check_definition FROM check_results
                    WHERE certification_id = \(certification.id) AND measured_at = \(last) AND verdict = 'fail'
                    """)
                {
                    previouslyFailing.insert(
                        SurveillanceRules.key(
                            action: try previous.decode("action_code"), check: try previous.decode("check_definition", as: JSONB<Check>.self).value))
                }
            }

            var verdicts: [String: CheckVerdict] = [:]
            var failing: [UUID] = []
            var all: [UUID] = []
            var insufficientTask = false
            for result in results {
                let id = try await connection.query(
                    """
                    INSERT INTO check_results (certification_id, action_code, check_definition, metric_value, verdict, explanation, evidence,
                                               snapshot_ids, measured_at)
                    VALUES (\(certification.id), \(result.action), \(JSONB(result.check)), \(result.value), \(result.verdict.rawValue),
                            \(result.explanation), \(result.evidence), \(RoutesWindowRule.isWindowed(result.check) ? windowed : snapshots), \(time))
                    RETURNING id
                    """)[0].decode(0, as: UUID.self)
                all.append(id)
                let key = SurveillanceRules.key(action: result.action, check: result.check)
                // One check's definition may repeat in an action (tiers): the worst verdict counts.
                let order: [CheckVerdict] = [.pass, .insufficientData, .fail]
                verdicts[key] = [verdicts[key] ?? .pass, result.verdict].max { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! }
                if result.verdict == .fail { failing.append(id) }
                if result.verdict == .insufficientData && !insufficientTask {
                    let latest = try await connection.query(
                        """
                        SELECT verdict FROM check_results
                        WHERE certification_id = \(certification.id) AND action_code = \(result.action) AND check_definition = \(JSONB(result.check))
                        ORDER BY measured_at DESC LIMIT 3
                        """
                    ).map { try $0.decode("verdict", as: CheckVerdict.self) }
                    insufficientTask = SurveillanceRules.opensInsufficientDataTask(latestFirst: latest)
                }
            }
            try await AuditLog.append(
                "certification.checked", entity: "certification", id: certification.id.uuidString.lowercased(),
                participant: certification.participant,
                after: [
                    "results": String(results.count), "failed": String(failing.count),
                    "insufficient_data": String(results.filter { $0.verdict == .insufficientData }.count),
                    "snapshots": snapshots.map(String.init).joined(separator: ","),
                ],
                context: context, on: connection)
            if insufficientTask {
                try await EnforcementAuditorTasks.open(
                    .insufficientData, certification: certification.id, participant: certification.participant, context: context, on: connection)
            }
            if try await Self.flagScopeChanges(certification.id, at: time, on: connection) {
                try await EnforcementAuditorTasks.open(
                    .scopeChanged, certification: certification.id, participant: certification.participant, context: context, on: connection)
            }

            let event: EnforcementEvent
            // What the warning stands on: its latest transition's cause.
            var warnedByChecks = true
            if status == .warned,
                let cause = try await connection.query(
                    "SELECT cause FROM enforcement_transitions WHERE certification_id = \(certification.id) ORDER BY at DESC, id LIMIT 1"
                ).single?.decode(0, as: String.self)
            {
                warnedByChecks = !SurveillanceRules.warningCausesChecksDoNotLift.contains(cause)
            }
            switch SurveillanceRules.event(verdicts: verdicts, previouslyFailing: previouslyFailing, status: status, warnedByChecks: warnedByChecks) {
            case .failed: event = .checkFailed(results: failing)
            case .passed: event = .checksPassed(results: all)
            case .none: return true
            }
            do {
                _ = try await EnforcementStore.apply(event, to: certification.id, by: .scheduler, context: context, on: connection)
            } catch StoreError.conflict(let slug, _) where slug == "no-enforcement" {
                // A catalog version without enforcement for the tier: the results stand, nothing follows.
            }
            return true
        }
    }

    /// Flags, once each, the resources of the recorded scope that lost their verification or
    /// their holder since the grant; true when any is new. The scope itself is kept.
    static func flagScopeChanges(_ certification: UUID, at time: Date, on connection: PostgresConnection) async throws -> Bool {
        let flagged = try await connection.execute(
            """
            INSERT INTO certification_scope_flags (certification_id, kind, value, flagged_at)
            SELECT s.certification_id, s.kind, s.value, \(time)
            FROM certification_scope s JOIN certifications c ON c.id = s.certification_id LEFT JOIN resources r ON r.id = s.resource_id
            WHERE s.certification_id = \(certification)
              AND (r.id IS NULL OR r.participant_id <> c.participant_id OR r.verification <> 'verified')
            ON CONFLICT DO NOTHING
            """)
        return flagged > 0
    }
}

import Foundation

/// The two tiers a participant can be certified at.
public enum Tier: String, Sendable, Codable, CaseIterable, Comparable {
    /// MANRS as it is today.
    case baseline
    /// MANRS+: the audited tier with extended actions.
    case plus

    public static func < (lhs: Tier, rhs: Tier) -> Bool { lhs == .baseline && rhs == .plus }

    /// The tier's name as marks and pages show it.
    public var markName: String {
        switch self {
        case .baseline: "MANRS"
        case .plus: "MANRS+"
        }
    }
}

/// One catalog version of a program: its actions, the admission rule, the surveillance cadence
/// and enforcement timings. Stored as a JSON document; immutable once published.
public struct CatalogDocument: Sendable, Codable, Equatable {
    public var actions: [Action]
    public var admission: [Tier: AdmissionRule]
    public var cadence: [Tier: Cadence]
    /// How each tier is enforced: MANRS+ warns, suspends and revokes; baseline may only notify.
    public var enforcement: [Tier: Enforcement]

    public init(actions: [Action], admission: [Tier: AdmissionRule], cadence: [Tier: Cadence], enforcement: [Tier: Enforcement]) {
        self.actions = actions
        self.admission = admission
        self.cadence = cadence
        self.enforcement = enforcement
    }

    enum CodingKeys: String, CodingKey {
        case actions, admission, cadence, enforcement
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        actions = try container.decode([Action].self, forKey: .actions)
        admission = try Self.decodeTiers(container, .admission)
        cadence = try Self.decodeTiers(container, .cadence)
        // Catalog version 1 had one block for every tier, with no mode: it reads as that block at
        // both tiers, baseline notifying only (as MANRS works) and MANRS+ enforcing.
        if let single = try? container.decode(Enforcement.SingleBlock.self, forKey: .enforcement) {
            enforcement = [
                .baseline: Enforcement(mode: .notifyOnly, warningGraceDays: single.warningGraceDays, maxSuspensionDays: single.maxSuspensionDays),
                .plus: Enforcement(mode: .enforce, warningGraceDays: single.warningGraceDays, maxSuspensionDays: single.maxSuspensionDays),
            ]
        } else {
            enforcement = try Self.decodeTiers(container, .enforcement)
        }
    }

    /// The enforcement policy at `tier`, or nil when the catalog sets none.
    public func enforcementPolicy(at tier: Tier) -> EnforcementPolicy? {
        enforcement[tier].map { EnforcementPolicy(mode: $0.mode, warningGraceDays: $0.warningGraceDays, maxSuspensionDays: $0.maxSuspensionDays) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(actions, forKey: .actions)
        try container.encode(Dictionary(uniqueKeysWithValues: admission.map { ($0.key.rawValue, $0.value) }), forKey: .admission)
        try container.encode(Dictionary(uniqueKeysWithValues: cadence.map { ($0.key.rawValue, $0.value) }), forKey: .cadence)
        try container.encode(Dictionary(uniqueKeysWithValues: enforcement.map { ($0.key.rawValue, $0.value) }), forKey: .enforcement)
    }

    /// Objects keyed by tier name (`{"baseline": …, "plus": …}`); an unknown tier is an error.
    private static func decodeTiers<Value: Decodable>(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [Tier: Value] {
        let raw = try container.decode([String: Value].self, forKey: key)
        var result: [Tier: Value] = [:]
        for (name, value) in raw {
            guard let tier = Tier(rawValue: name) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "'\(name)' is not a tier (baseline or plus).")
            }
            result[tier] = value
        }
        return result
    }

    /// The actions that count at `tier`: baseline actions at both tiers, plus actions at plus only.
    public func actions(at tier: Tier) -> [Action] {
        actions.filter { $0.tier <= tier }
    }
}

/// A norm a participant commits to, e.g. `netops.1` Filtering or `netops.plus.rov`.
public struct Action: Sendable, Codable, Equatable {
    public var code: String
    public var title: String
    public var description: String
    /// The tier the action belongs to; a baseline action also counts at plus.
    public var tier: Tier
    /// Whether the action is mandatory at each tier where it counts.
    public var mandatory: [String: Bool]
    public var evidence: [EvidenceKind]
    public var checks: [Check]

    public init(code: String, title: String, description: String, tier: Tier, mandatory: [Tier: Bool], evidence: [EvidenceKind], checks: [Check]) {
        self.code = code
        self.title = title
        self.description = description
        self.tier = tier
        self.mandatory = Dictionary(uniqueKeysWithValues: mandatory.map { ($0.key.rawValue, $0.value) })
        self.evidence = evidence
        self.checks = checks
    }

    public func isMandatory(at tier: Tier) -> Bool { mandatory[tier.rawValue] ?? false }
}

/// What a participant shows for an action.
public enum EvidenceKind: String, Sendable, Codable, CaseIterable {
    case statement, document, url, measurement
}

/// A check of an action, with its threshold: measured by the engine from routing data, or
/// (`auditor_review`) evidence that auditors review.
public struct Check: Sendable, Codable, Equatable {
    public var kind: CheckKind
    /// Lower bound for shares (0…1) such as `rpki_valid_share`, and for `rpki_score`.
    public var min: Double?
    /// Upper bound for counts such as `rpki_invalid` or ages in days.
    public var max: Double?
    /// Contact roles that must be present, for `contacts_present`.
    public var roles: [String]?
    /// Where the threshold comes from: `observatory` (as the MANRS Observatory scores it), a
    /// cited source (its name or address), or `assumed` (no public source; a setting to revisit).
    public var basis: String?
    /// The tiers the check applies at; nil for every tier where its action counts.
    public var tiers: [Tier]?
    /// For counts of routes: the verdict reads a window of snapshots, and a route counts only
    /// when it is there at both ends of the window.
    public var window: CheckWindow?
    /// `any_of`: passes when one of these passes (e.g. "IRR and/or RPKI").
    public var anyOf: [Check]?
    /// `auditor_review`: what the auditors look at, in a sentence.
    public var review: String?

    enum CodingKeys: String, CodingKey {
        case kind, min, max, roles, basis, tiers, window, review
        case anyOf = "any_of"
    }

    public init(
        kind: CheckKind, min: Double? = nil, max: Double? = nil, roles: [String]? = nil, basis: String? = nil, tiers: [Tier]? = nil,
        window: CheckWindow? = nil, anyOf: [Check]? = nil, review: String? = nil
    ) {
        self.kind = kind
        self.min = min
        self.max = max
        self.roles = roles
        self.basis = basis
        self.tiers = tiers
        self.window = window
        self.anyOf = anyOf
        self.review = review
    }

    /// Whether the check applies at `tier`.
    public func applies(at tier: Tier) -> Bool { tiers?.contains(tier) ?? true }
}

/// How many days of routes snapshots a windowed check reads, and how many snapshots at least.
public struct CheckWindow: Sendable, Codable, Equatable {
    public var days: Int
    public var snapshots: Int

    public init(days: Int, snapshots: Int) {
        self.days = days
        self.snapshots = snapshots
    }
}

/// What a check looks at: the names of the measurement engine's metrics
/// (`Routing.ASNMetrics.Metric`), plus contacts, alternatives and auditor review.
public enum CheckKind: String, Sendable, Codable, CaseIterable {
    case rpkiValidShare = "rpki_valid_share"
    case rpkiScore = "rpki_score"
    case rpkiInvalid = "rpki_invalid"
    case rpkiInvalidOrigin = "rpki_invalid_origin"
    case rpkiCoverage = "rpki_coverage"
    case irrCoverage = "irr_coverage"
    case irrExactCoverage = "irr_exact_coverage"
    case irrRPKIConflicts = "irr_rpki_conflicts"
    case bogonPrefixesOriginated = "bogon_prefixes_originated"
    case bogonPrefixesPropagated = "bogon_prefixes_propagated"
    case bogonASNsOriginated = "bogon_asns_originated"
    case bogonASNsPropagated = "bogon_asns_propagated"
    case tooSpecificOriginated = "too_specific_originated"
    case rovInvalidCarried = "rov_invalid_carried"
    case spooferTestAgeDays = "spoofer_test_age_days"
    case spoofableOrigins = "spoofable_prefixes"
    case contactsPresent = "contacts_present"
    case anyOf = "any_of"
    case auditorReview = "auditor_review"
    // Names of catalog version 1 that no engine computes: kept so published versions still
    // read, refused in drafts. `rov_invalid_propagated` is measured as its replacement
    // (`Check.measured`); the others evaluate as insufficient data.
    case rpkiInvalidOriginated = "rpki_invalid_originated"
    case rovInvalidPropagated = "rov_invalid_propagated"
    case routeServerInvalids = "route_server_invalids"
    case noc24x7 = "noc_24x7"

    /// The engine's metric this kind reads; nil for contacts, alternatives, reviews and the
    /// names nothing computes.
    public var metric: String? {
        switch self {
        case .contactsPresent, .anyOf, .auditorReview, .rpkiInvalidOriginated, .rovInvalidPropagated, .routeServerInvalids, .noc24x7: nil
        default: rawValue
        }
    }

    /// Names from catalog version 1 that no engine computes.
    public var isRetired: Bool { [.rpkiInvalidOriginated, .rovInvalidPropagated, .routeServerInvalids, .noc24x7].contains(self) }

    /// The threshold the kind needs: a lower bound, a count bound, contact roles, or none.
    public var threshold: Threshold {
        switch self {
        case .rpkiValidShare, .rpkiScore, .rpkiCoverage, .irrCoverage, .irrExactCoverage: .minimumShare
        case .contactsPresent: .roles
        case .noc24x7, .anyOf, .auditorReview: .none
        default: .maximumCount
        }
    }

    public enum Threshold: Sendable { case minimumShare, maximumCount, roles, none }
}

/// Which actions admit a participant at a tier: every mandatory action, and at least `min` of
/// each group (e.g. IXPs: 3 of 5; operators: one besides coordination).
public struct AdmissionRule: Sendable, Codable, Equatable {
    public var groups: [Group]

    public struct Group: Sendable, Codable, Equatable {
        public var min: Int
        public var of: [String]
        public var label: String?

        public init(min: Int, of: [String], label: String? = nil) {
            self.min = min
            self.of = of
            self.label = label
        }
    }

    public init(groups: [Group]) { self.groups = groups }
}

/// How often a certification is looked at again (ISO/IEC 17021-1's cycle).
public struct Cadence: Sendable, Codable, Equatable {
    public var automatedCheckDays: Int
    public var reattestationMonths: Int
    public var recertificationMonths: Int

    enum CodingKeys: String, CodingKey {
        case automatedCheckDays = "automated_check_days"
        case reattestationMonths = "reattestation_months"
        case recertificationMonths = "recertification_months"
    }

    public init(automatedCheckDays: Int, reattestationMonths: Int, recertificationMonths: Int) {
        self.automatedCheckDays = automatedCheckDays
        self.reattestationMonths = reattestationMonths
        self.recertificationMonths = recertificationMonths
    }
}

/// How a tier is enforced: its mode, how long a warning lasts before suspension, and how long a
/// suspension may last.
public struct Enforcement: Sendable, Codable, Equatable {
    public var mode: EnforcementMode
    public var warningGraceDays: Int
    public var maxSuspensionDays: Int

    enum CodingKeys: String, CodingKey {
        case mode
        case warningGraceDays = "warning_grace_days"
        case maxSuspensionDays = "max_suspension_days"
    }

    public init(mode: EnforcementMode, warningGraceDays: Int, maxSuspensionDays: Int) {
        self.mode = mode
        self.warningGraceDays = warningGraceDays
        self.maxSuspensionDays = maxSuspensionDays
    }

    /// Catalog version 1's one block for every tier.
    struct SingleBlock: Decodable {
        let warningGraceDays: Int
        let maxSuspensionDays: Int

        enum CodingKeys: String, CodingKey {
            case warningGraceDays = "warning_grace_days"
            case maxSuspensionDays = "max_suspension_days"
        }
    }
}

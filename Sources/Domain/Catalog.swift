import Foundation

/// The two tiers a participant can be certified at.
public enum Tier: String, Sendable, Codable, CaseIterable, Comparable {
    /// MANRS as it is today.
    case baseline
    /// MANRS+: the audited tier with extended actions.
    case plus

    public static func < (lhs: Tier, rhs: Tier) -> Bool { lhs == .baseline && rhs == .plus }
}

/// One catalog version of a program: its actions, the admission rule, the surveillance cadence
/// and enforcement timings. Stored as a JSON document; immutable once published.
public struct CatalogDocument: Sendable, Codable, Equatable {
    public var actions: [Action]
    public var admission: [Tier: AdmissionRule]
    public var cadence: [Tier: Cadence]
    public var enforcement: Enforcement

    public init(actions: [Action], admission: [Tier: AdmissionRule], cadence: [Tier: Cadence], enforcement: Enforcement) {
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
        enforcement = try container.decode(Enforcement.self, forKey: .enforcement)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(actions, forKey: .actions)
        try container.encode(Dictionary(uniqueKeysWithValues: admission.map { ($0.key.rawValue, $0.value) }), forKey: .admission)
        try container.encode(Dictionary(uniqueKeysWithValues: cadence.map { ($0.key.rawValue, $0.value) }), forKey: .cadence)
        try container.encode(enforcement, forKey: .enforcement)
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

/// An automated check that measures an action, with its threshold.
public struct Check: Sendable, Codable, Equatable {
    public var kind: CheckKind
    /// Lower bound for shares (0…1) such as `rpki_valid_share`.
    public var min: Double?
    /// Upper bound for counts such as `rpki_invalid_originated` or ages in days.
    public var max: Double?
    /// Contact roles that must be present, for `contacts_present`.
    public var roles: [String]?

    public init(kind: CheckKind, min: Double? = nil, max: Double? = nil, roles: [String]? = nil) {
        self.kind = kind
        self.min = min
        self.max = max
        self.roles = roles
    }
}

/// The checks the measurement engine knows how to run.
public enum CheckKind: String, Sendable, Codable, CaseIterable {
    case rpkiValidShare = "rpki_valid_share"
    case rpkiInvalidOriginated = "rpki_invalid_originated"
    case rpkiCoverage = "rpki_coverage"
    case irrCoverage = "irr_coverage"
    case irrRPKIConflicts = "irr_rpki_conflicts"
    case bogonPrefixesOriginated = "bogon_prefixes_originated"
    case bogonASNsPropagated = "bogon_asns_propagated"
    case rovInvalidPropagated = "rov_invalid_propagated"
    case routeServerInvalids = "route_server_invalids"
    case contactsPresent = "contacts_present"
    case noc24x7 = "noc_24x7"
    case spooferTestAgeDays = "spoofer_test_age_days"
    case spoofableOrigins = "spoofable_prefixes"

    /// The threshold the kind needs: a share bound, a count bound, or contact roles.
    public var threshold: Threshold {
        switch self {
        case .rpkiValidShare, .rpkiCoverage, .irrCoverage: .minimumShare
        case .contactsPresent: .roles
        case .noc24x7: .none
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

/// How long a warning lasts before suspension, and how long a suspension may last.
public struct Enforcement: Sendable, Codable, Equatable {
    public var warningGraceDays: Int
    public var maxSuspensionDays: Int

    enum CodingKeys: String, CodingKey {
        case warningGraceDays = "warning_grace_days"
        case maxSuspensionDays = "max_suspension_days"
    }

    public init(warningGraceDays: Int, maxSuspensionDays: Int) {
        self.warningGraceDays = warningGraceDays
        self.maxSuspensionDays = maxSuspensionDays
    }
}

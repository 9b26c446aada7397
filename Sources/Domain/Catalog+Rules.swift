/// A problem with one field of a document, by path (`actions[2].checks[0].min`).
public struct FieldRefusal: Error, Sendable, Equatable {
    public let field: String
    public let refusal: Refusal

    public init(_ field: String, _ code: String, _ message: String) {
        self.field = field
        self.refusal = Refusal(code, message)
    }
}

extension CatalogDocument {
    /// Everything wrong with the document, so an admin fixes a draft in one pass. Empty when
    /// it can be published.
    public func problems() -> [FieldRefusal] {
        var problems: [FieldRefusal] = []
        if actions.isEmpty { problems.append(.init("actions", "required", "A catalog needs at least one action.")) }
        var seen: [String: Int] = [:]
        for (index, action) in actions.enumerated() {
            let path = "actions[\(index)]"
            if !Self.isActionCode(action.code) {
                problems.append(.init(path + ".code", "invalid_code", "'\(action.code)' is not an action code like netops.1 or netops.plus.rov."))
            } else if let first = seen[action.code] {
                problems.append(.init(path + ".code", "duplicate", "\(action.code) is already used by actions[\(first)]."))
            } else {
                seen[action.code] = index
            }
            if action.title.trimmingSpaces.isEmpty || action.title.count > Limits.actionTitle.max {
                problems.append(.init(path + ".title", "invalid_length", "A title has 1 to \(Limits.actionTitle.max) characters."))
            }
            if action.description.count > Limits.actionDescription.max {
                problems.append(.init(path + ".description", "too_long", "A description has at most \(Limits.actionDescription.max) characters."))
            }
            for key in action.mandatory.keys where Tier(rawValue: key) == nil {
                problems.append(.init(path + ".mandatory." + key, "unknown_tier", "'\(key)' is not a tier (baseline or plus)."))
            }
            if action.tier == .plus && action.isMandatory(at: .baseline) {
                problems.append(.init(path + ".mandatory.baseline", "not_in_tier", "A plus action cannot be mandatory at baseline."))
            }
            if action.evidence.isEmpty {
                problems.append(.init(path + ".evidence", "required", "Say what evidence the action expects."))
            }
            for (checkIndex, check) in action.checks.enumerated() {
                problems += check.problems(at: path + ".checks[\(checkIndex)]")
            }
        }
        for tier in Tier.allCases {
            guard let rule = admission[tier] else {
                problems.append(.init("admission.\(tier.rawValue)", "required", "The admission rule for \(tier.rawValue) is missing."))
                continue
            }
            let codes = Set(actions(at: tier).map(\.code))
            for (groupIndex, group) in rule.groups.enumerated() {
                let path = "admission.\(tier.rawValue).groups[\(groupIndex)]"
                for code in group.of where !codes.contains(code) {
                    problems.append(.init(path + ".of", "unknown_action", "\(code) is not an action of this catalog at \(tier.rawValue)."))
                }
                if group.min < 1 || group.min > Set(group.of).count {
                    problems.append(.init(path + ".min", "out_of_range", "min must be from 1 to the number of actions in the group."))
                }
            }
            if let cadence = cadence[tier] {
                let path = "cadence.\(tier.rawValue)"
                if !(1...366).contains(cadence.automatedCheckDays) {
                    problems.append(.init(path + ".automated_check_days", "out_of_range", "Checks run every 1 to 366 days."))
                }
                if !(1...36).contains(cadence.reattestationMonths) {
                    problems.append(.init(path + ".reattestation_months", "out_of_range", "Re-attestation is every 1 to 36 months."))
                }
                if !(1...60).contains(cadence.recertificationMonths) {
                    problems.append(.init(path + ".recertification_months", "out_of_range", "Recertification is every 1 to 60 months."))
                }
            } else {
                problems.append(.init("cadence.\(tier.rawValue)", "required", "The cadence for \(tier.rawValue) is missing."))
            }
        }
        for tier in Tier.allCases {
            let path = "enforcement.\(tier.rawValue)"
            guard let enforcement = enforcement[tier] else {
                problems.append(.init(path, "required", "The enforcement for \(tier.rawValue) is missing."))
                continue
            }
            if !(1...365).contains(enforcement.warningGraceDays) {
                problems.append(.init(path + ".warning_grace_days", "out_of_range", "The warning grace period is 1 to 365 days."))
            }
            if !(1...366).contains(enforcement.maxSuspensionDays) {
                problems.append(.init(path + ".max_suspension_days", "out_of_range", "A suspension lasts 1 to 366 days."))
            }
        }
        return problems
    }

    /// What an application committing to `committed` lacks to be admitted at `tier`: each
    /// mandatory action not committed, and each group short of its minimum. Empty when complete.
    public func missing(at tier: Tier, committed: Set<String>) -> [MissingRequirement] {
        var missing: [MissingRequirement] = []
        for action in actions(at: tier) where action.isMandatory(at: tier) && !committed.contains(action.code) {
            missing.append(.mandatoryAction(code: action.code, title: action.title))
        }
        for group in admission[tier]?.groups ?? [] {
            let have = Set(group.of).intersection(committed).count
            if have < group.min {
                missing.append(.group(label: group.label, needed: group.min, of: group.of, have: have))
            }
        }
        return missing
    }

    /// Action codes: lower-case words and digits separated by dots, starting with the program.
    static func isActionCode(_ code: String) -> Bool {
        let parts = code.split(separator: ".", omittingEmptySubsequences: false)
        return (2...4).contains(parts.count) && code.count <= 64
            && parts.allSatisfy { part in !part.isEmpty && part.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" } }
    }
}

/// One unmet part of an admission rule, as shown to the applicant.
public enum MissingRequirement: Sendable, Equatable, CustomStringConvertible {
    case mandatoryAction(code: String, title: String)
    case group(label: String?, needed: Int, of: [String], have: Int)

    public var description: String {
        switch self {
        case .mandatoryAction(let code, let title): "\(code) (\(title)) is mandatory."
        case .group(let label, let needed, let of, let have):
            "\(label.map { $0 + ": " } ?? "")commit to at least \(needed) of \(of.joined(separator: ", ")) (\(have) committed)."
        }
    }
}

extension Check {
    func problems(at path: String, nested: Bool = false) -> [FieldRefusal] {
        var problems = extraProblems(at: path, nested: nested)
        problems += thresholdProblems(at: path)
        return problems
    }

    /// The fields issue 12 added: a measured metric, the threshold's basis, tiers, window,
    /// alternatives and reviews.
    func extraProblems(at path: String, nested: Bool) -> [FieldRefusal] {
        var problems: [FieldRefusal] = []
        if kind.isRetired {
            problems.append(
                .init(
                    path + ".kind", "not_measured",
                    "No measurement computes \(kind.rawValue); name a metric the engine computes, or make it an auditor_review check."))
        }
        if let basis, basis.trimmingSpaces.isEmpty || basis.count > Limits.actionTitle.max {
            problems.append(
                .init(
                    path + ".basis", "invalid", "The basis is observatory, assumed, or the source cited (up to \(Limits.actionTitle.max) characters)."
                ))
        }
        if let tiers, tiers.isEmpty {
            problems.append(.init(path + ".tiers", "required", "List the tiers the check applies at, or leave tiers out."))
        }
        if let window {
            if kind.threshold != .maximumCount {
                problems.append(.init(path + ".window", "not_windowed", "Only counts of routes are read over a window."))
            } else if !(1...90).contains(window.days) || !(2...100).contains(window.snapshots) {
                problems.append(.init(path + ".window", "out_of_range", "A window is 1 to 90 days and 2 to 100 snapshots."))
            }
        }
        switch kind {
        case .anyOf:
            let alternatives = anyOf ?? []
            if nested || alternatives.count < 2 {
                problems.append(.init(path + ".any_of", "invalid", "any_of lists at least two measured checks, and is not nested."))
            }
            for (index, alternative) in alternatives.enumerated() {
                if alternative.kind == .anyOf || alternative.kind == .auditorReview {
                    problems.append(.init(path + ".any_of[\(index)].kind", "invalid", "An alternative is a measured check."))
                } else {
                    problems += alternative.problems(at: path + ".any_of[\(index)]", nested: true)
                }
            }
        case .auditorReview:
            if (review ?? "").trimmingSpaces.isEmpty || (review ?? "").count > Limits.actionDescription.max {
                problems.append(.init(path + ".review", "required", "Say in a sentence what the auditors review."))
            }
        default:
            if anyOf != nil { problems.append(.init(path + ".any_of", "invalid", "Only an any_of check lists alternatives.")) }
        }
        return problems
    }

    func thresholdProblems(at path: String) -> [FieldRefusal] {
        switch kind.threshold {
        case .minimumShare:
            guard let min, (0...1).contains(min) else {
                return [.init(path + ".min", "out_of_range", "\(kind.rawValue) needs min, a share from 0 to 1.")]
            }
        case .maximumCount:
            guard let max, max >= 0, max == max.rounded() else {
                return [.init(path + ".max", "out_of_range", "\(kind.rawValue) needs max, a whole number of 0 or more.")]
            }
        case .roles:
            let known = Set(ContactRole.allCases.map(\.rawValue))
            guard let roles, !roles.isEmpty, roles.allSatisfy(known.contains) else {
                return [
                    .init(
                        path + ".roles", "invalid",
                        "contacts_present needs roles from \(ContactRole.allCases.map(\.rawValue).joined(separator: ", ")).")
                ]
            }
        case .none:
            break
        }
        // A bound or roles that the kind does not use are kept and published all the same, so they
        // too must be values the catalog's documented schema allows.
        var problems: [FieldRefusal] = []
        if kind.threshold != .minimumShare, let min, !(0...1).contains(min) {
            problems.append(.init(path + ".min", "out_of_range", "min is a share from 0 to 1."))
        }
        if kind.threshold != .maximumCount, let max, max < 0 {
            problems.append(.init(path + ".max", "out_of_range", "max is 0 or more."))
        }
        let known = Set(ContactRole.allCases.map(\.rawValue))
        if kind.threshold != .roles, let roles, !roles.allSatisfy(known.contains) {
            problems.append(
                .init(path + ".roles", "invalid", "roles are from \(ContactRole.allCases.map(\.rawValue).joined(separator: ", ")).")
            )
        }
        return problems
    }
}

extension String {
    var trimmingSpaces: Substring { drop(while: \.isWhitespace) }
}

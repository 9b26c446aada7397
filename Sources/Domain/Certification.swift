import Foundation

/// Where a certification (the mark) is in its life.
public enum CertificationStatus: String, Sendable, Codable, CaseIterable {
    case active, warned, suspended, revoked, expired, withdrawn

    /// Still in force: at most one of these per participant and program.
    public var isInForce: Bool { self == .active || self == .warned || self == .suspended }
    /// The participant may call itself certified: in force and not suspended.
    public var certifies: Bool { self == .active || self == .warned }

    /// The status as buyers read it on a mark: a warned mark is still valid.
    public var markWords: String {
        switch self {
        case .active: "valid"
        case .warned: "valid, with a warning"
        case .suspended: "suspended"
        case .revoked: "revoked"
        case .expired: "expired"
        case .withdrawn: "withdrawn"
        }
    }

    /// The statuses in force, as bound into queries.
    public static var inForce: [CertificationStatus] { allCases.filter(\.isInForce) }
}

/// A certification about to be granted: from when, until when.
public struct CertificationGrant: Sendable, Equatable {
    public let grantedAt: Date
    public let validUntil: Date
}

/// How an approval becomes a certification.
public enum CertificationRules {
    /// Why an earlier certification of the same participant and program stops being in force
    /// when a new one is granted (it becomes `expired`).
    public static let supersededReason = "superseded by a new certification"
    public static let superseded = CertificationStatus.expired

    /// Granted at `time`, valid for the catalog's recertification period at `tier`. There is
    /// no default period: a published catalog has a cadence for every tier (the catalog rules
    /// require it), so a catalog without one cannot grant and the approval is refused.
    public static func grant(_ catalog: CatalogDocument, tier: Tier, at time: Date) -> Result<CertificationGrant, Refusal> {
        guard let months = catalog.cadence[tier]?.recertificationMonths else {
            return .failure(
                Refusal(
                    "no-recertification-period",
                    "This catalog version sets no recertification period for \(tier.rawValue), so no certification can be granted under it."))
        }
        guard let until = RenewalRules.adding(months: months, to: time) else {
            return .failure(Refusal("no-recertification-period", "The recertification period of this catalog version is out of range."))
        }
        return .success(CertificationGrant(grantedAt: time, validUntil: until))
    }

    /// A recertification accepted at `time` for a certification valid until `validUntil`: the
    /// new end is the old end plus the catalog's recertification period at `tier` (calendar
    /// months in UTC), not the decision's time plus it, so an early decision loses the holder
    /// nothing and a late one gains nothing. Refused once validity has ended (at `validUntil`
    /// exactly, too): the certification has expired, and only a new application certifies again.
    public static func renew(_ catalog: CatalogDocument, tier: Tier, validUntil: Date, at time: Date) -> Result<Date, Refusal> {
        guard time < validUntil else {
            return .failure(
                Refusal(
                    "validity-ended",
                    "This certification's validity ended on \(SurveillanceRules.moment(validUntil)), so it can no longer be recertified: "
                        + "the participant applies again."))
        }
        return grant(catalog, tier: tier, at: validUntil).map(\.validUntil)
    }
}

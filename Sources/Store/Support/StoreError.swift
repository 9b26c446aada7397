import Domain
import Foundation

/// Why a registry operation did not happen. Each case maps to one HTTP status and problem type.
public enum StoreError: Error, Sendable, Equatable {
    /// Nothing with this id exists, or the caller may not know it does (404).
    case notFound(String)
    /// The caller's version is not the current one (412), with the current version.
    case staleVersion(current: Int)
    /// The change contradicts the current state (409): `slug` names the rule.
    case conflict(slug: String, detail: String)
    /// Fields are invalid (422).
    case invalid([FieldRefusal])
    /// A rule forbids this caller from doing this (403), e.g. a conflict of interest.
    case refused(slug: String, detail: String)
    /// A stored value the code cannot read (an enum value it does not know): a 500 whose
    /// detail goes only to the log.
    case unreadable(String)

    /// Whether this is the server's fault rather than the caller's.
    public var isInternal: Bool {
        if case .unreadable = self { return true }
        return false
    }
}

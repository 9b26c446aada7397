import Foundation

extension ApplicationState {
    /// Not yet decided or withdrawn: a participant has at most one of these per program.
    public var isOpen: Bool { !isFinal }

    /// The open states, as bound into queries.
    public static var open: [ApplicationState] { allCases.filter(\.isOpen) }
}

/// Rules about starting an application.
public enum ApplicationRules {
    /// One open application per participant and program: refused while `existing` is open.
    public static func openApplicationRefusal(program: String, existing: UUID?) -> Refusal? {
        guard let existing else { return nil }
        return Refusal(
            "application-open", "This participant already has an open application to \(program): \(existing.uuidString.lowercased()).")
    }
}

/// Rules about who belongs to a participant.
public enum MembershipRules {
    /// A participant keeps at least one owner: refused when the owner leaving (or stepping down)
    /// is the last one.
    public static func lastOwnerRefusal(leavingIsOwner: Bool, otherOwners: Int) -> Refusal? {
        guard leavingIsOwner && otherOwners == 0 else { return nil }
        return Refusal("last-owner", "A participant keeps at least one owner; make someone else owner first.")
    }
}

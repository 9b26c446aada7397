import Domain
import Foundation

/// Who made a change and when, recorded with it in the audit events.
public struct ChangeContext: Sendable {
    public let actor: Actor?
    public let requestID: String?
    /// The moment of the change, recorded on the rows it writes (so a fixture can fix it).
    public let at: Date

    /// Set for requests from someone not signed in (a failed sign-in), so the audit log tells
    /// them from the command line's changes.
    public let anonymous: Bool

    public init(actor: Actor?, requestID: String?, at: Date) {
        self.actor = actor
        self.requestID = requestID
        self.at = at
        self.anonymous = false
    }

    private init(anonymousRequest requestID: String?, at: Date) {
        self.actor = nil
        self.requestID = requestID
        self.at = at
        self.anonymous = true
    }

    /// A request from someone not signed in.
    public static func anonymous(requestID: String?, at: Date) -> ChangeContext {
        ChangeContext(anonymousRequest: requestID, at: at)
    }

    /// The role the audit log records: the user's, `anonymous` or `system`.
    var actorRole: String { actor?.role.rawValue ?? (anonymous ? "anonymous" : "system") }

    /// Changes made by the command line (catalog load, demo data) at `time`: no user, role `system`.
    public static func system(at time: Date) -> ChangeContext { ChangeContext(actor: nil, requestID: nil, at: time) }
}

import Domain
import Foundation
import Postgres

/// What an enforcement effect handler needs to know, on the transition's own transaction: each
/// effect commits with the transition that caused it, or not at all.
public struct EnforcementEffectScope: Sendable {
    public let certification: UUID
    public let participant: UUID
    public let program: String
    public let tier: Tier
    /// The certification's state before and after the event.
    public let before: EnforcementState
    public let after: EnforcementState
    public let actor: EnforcementActor
    public let context: ChangeContext
}

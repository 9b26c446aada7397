import Domain
import Foundation
import Store

/// The auditors' commands: claim, release, assign, decide; and their declared affiliations.
/// Authorised through `Access.decide` (the queue is not a participant's: the role decides),
/// validated by `InputRules`, carried out by `ReviewStore` (which applies `ReviewPolicy`).
public struct ReviewOperations: Sendable {
    public let reviews: ReviewStore
    /// For the comments written from the review page.
    public let applications: ApplicationOperations
    public let users: UserStore

    public init(reviews: ReviewStore, applications: ApplicationOperations, users: UserStore) {
        self.reviews = reviews
        self.applications = applications
        self.users = users
    }

    public func claim(_ item: UUID, by actor: Actor, change: ChangeContext) async throws -> ReviewItem {
        try Authorise.check(.reviewApplications, actor, participant: nil)
        return try await reviews.claim(item, reviewer: try await reviews.reviewer(actor), context: change)
    }

    public func release(_ item: UUID, by actor: Actor, change: ChangeContext) async throws -> ReviewItem {
        try Authorise.check(.reviewApplications, actor, participant: nil)
        return try await reviews.release(item, by: actor, context: change)
    }

    /// Gives the item to an auditor (the secretariat's command): only an active auditor takes it.
    public func assign(_ item: UUID, to auditor: UUID, by actor: Actor, change: ChangeContext) async throws -> ReviewItem {
        try Authorise.check(.assignReviews, actor, participant: nil)
        guard let assignee = try await users.actor(for: auditor), ReviewMachine.assignmentRefusal(assigneeRole: assignee.role) == nil else {
            throw StoreError.invalid([FieldRefusal("auditor_id", ReviewMachine.notAuditor.code, ReviewMachine.notAuditor.message)])
        }
        return try await reviews.claim(item, reviewer: try await reviews.reviewer(assignee), context: change)
    }

    /// Records a decision. `actionComments` as typed: trimmed, empty ones dropped, then the
    /// rules (`InputRules.decision`) before the store applies the review policy.
    public func decide(
        _ item: UUID, decision: Decision?, reasons: String?, actionComments: [String: String], by actor: Actor, change: ChangeContext
    ) async throws -> ReviewItem {
        try Authorise.check(.reviewApplications, actor, participant: nil)
        let reasons = InputRules.trimmed(reasons)
        let comments = InputRules.actionComments(actionComments)
        try refuse(InputRules.decision(decision, reasons: reasons, actionComments: comments))
        let (decided, _) = try await reviews.decide(
            item, decision: decision!, actionComments: comments, reasons: reasons, reviewer: try await reviews.reviewer(actor), context: change)
        return decided
    }

    /// A comment from the review page, on the item's application.
    public func comment(onItem item: UUID, body: String, isInternal: Bool, by actor: Actor, change: ChangeContext) async throws -> Comment {
        try Authorise.check(.reviewApplications, actor, participant: nil)
        guard let application = try await reviews.item(item, at: change.at).applicationID else {
            throw StoreError.conflict(slug: "not-application", detail: "Comments are written on applications; give your reasons with the decision.")
        }
        return try await applications.comment(application, body: body, isInternal: isInternal, by: actor, change: change)
    }

    // MARK: Affiliations

    public func declareAffiliation(
        participant: UUID, relation: String, from: String?, until: String?, by actor: Actor, change: ChangeContext
    ) async throws -> AffiliationRecord {
        try Authorise.check(.declareAffiliations, actor, participant: nil)
        let relation = InputRules.trimmed(relation)
        try refuse(InputRules.affiliation(relation: relation, from: from, until: until))
        let end = InputRules.trimmed(until)
        return try await reviews.declareAffiliation(
            auditor: actor.userID, participant: participant, relation: relation, from: InputRules.trimmed(from), until: end.isEmpty ? nil : end,
            context: change)
    }

    public func endAffiliation(_ id: UUID, by actor: Actor, change: ChangeContext) async throws {
        try Authorise.check(.declareAffiliations, actor, participant: nil)
        try await reviews.endAffiliation(id, auditor: actor.userID, context: change)
    }
}

// MARK: Disputes, appeals, enforcement decisions (issue 12 §3, §4)

extension ReviewOperations {
    /// A member disputes a failed check result of their participant as a false positive, with a
    /// reason: a `dispute` item in the auditors' queue.
    public func dispute(result: UUID, participant: UUID, reason: String?, by actor: Actor, change: ChangeContext) async throws -> DisputeRecord {
        try Authorise.check(.disputeResults, actor, participant: participant)
        let reason = InputRules.trimmed(reason)
        try refuse(ReviewRequestRules.statement(reason))
        return try await reviews.openDispute(result: result, participant: participant, reason: reason, context: change)
    }

    /// The participant's disputes, latest first.
    public func disputes(participant: UUID, by actor: Actor) async throws -> [DisputeRecord] {
        try Authorise.check(.readParticipant, actor, participant: participant)
        return try await reviews.disputes(participant: participant)
    }

    /// A member appeals against the warning, suspension or revocation that gave the
    /// certification its status, with a reason: the timers pause and an `appeal` item opens.
    public func appeal(certification: UUID, participant: UUID, reason: String?, by actor: Actor, change: ChangeContext) async throws -> ReviewItem {
        try Authorise.check(.appealEnforcement, actor, participant: participant)
        let reason = InputRules.trimmed(reason)
        try refuse(ReviewRequestRules.statement(reason))
        return try await reviews.openAppeal(certification: certification, participant: participant, reason: reason, context: change)
    }

    /// A participant's member confirms (or updates, in `statement`) its statements and evidence
    /// for the certification's open re-attestation or recertification; the auditors then decide
    /// its review item as any other.
    public func confirmRenewal(
        _ kind: ReviewKind, certification: UUID, participant: UUID, statement: String?, by actor: Actor, change: ChangeContext
    ) async throws {
        try Authorise.check(.editApplication, actor, participant: participant)
        guard kind == .reattestation || kind == .recertification else {
            throw StoreError.invalid([FieldRefusal("kind", "invalid", "Choose reattestation or recertification.")])
        }
        let statement = InputRules.trimmed(statement)
        try refuse(ReviewRequestRules.statement(statement, field: "statement"))
        try await reviews.confirmRenewal(kind, certification: certification, statement: statement, context: change)
    }

    /// An auditor revokes a suspended certification for cause, with a reason; the auditor must be
    /// independent of the participant, as for any review.
    public func revokeForCause(certification: UUID, reason: String?, by actor: Actor, change: ChangeContext) async throws -> Certification {
        try Authorise.check(.reviewApplications, actor, participant: nil)
        let reason = InputRules.trimmed(reason)
        try refuse(ReviewRequestRules.statement(reason))
        return try await reviews.revokeForCause(certification, reason: reason, reviewer: try await reviews.reviewer(actor), context: change)
    }

    /// The participant's owner withdraws its certification, with a reason: final, and the mark
    /// no longer verifies.
    public func withdraw(certification: UUID, participant: UUID, reason: String?, by actor: Actor, change: ChangeContext) async throws
        -> Certification
    {
        try Authorise.check(.withdrawCertification, actor, participant: participant)
        let reason = InputRules.trimmed(reason)
        try refuse(ReviewRequestRules.statement(reason))
        return try await reviews.withdraw(certification, participant: participant, reason: reason, context: change)
    }

    /// An admin sets a certification's enforcement status, with a recorded reason.
    public func override(
        certification: UUID, to status: CertificationStatus?, reason: String?, by actor: Actor, change: ChangeContext
    ) async throws -> Certification {
        try Authorise.check(.overrideEnforcement, actor, participant: nil)
        let reason = InputRules.trimmed(reason)
        var refusals = ReviewRequestRules.statement(reason)
        if status == nil { refusals.append(FieldRefusal("status", "required", "Choose the status to set.")) }
        try refuse(refusals)
        return try await reviews.override(certification, to: status!, reason: reason, admin: actor.userID, context: change)
    }
}

import Domain
import Foundation
import Routing
import Testing

/// The review item's transitions: claim, release, assign, decide, and each refusal.
@Suite("Review machine")
struct ReviewMachineTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let lease: TimeInterval = 2 * 3600

    static func state(
        _ status: ReviewStatus = .open, claim: ReviewClaim? = nil, tier: Tier = .baseline, decisions: [RecordedDecision] = []
    ) -> ReviewState {
        ReviewState(status: status, claim: claim, subject: WorkflowTests.subject(tier, decisions, flagged: status == .flagged))
    }

    static func refusal<Value>(_ result: Result<Value, ReviewRefusal>) -> ReviewRefusal? {
        if case .failure(let refusal) = result { return refusal }
        return nil
    }

    @Test("a claim is live until it expires, decided in one place")
    func claimLiveness() {
        let claim = ReviewClaim(holder: UUID(), expiresAt: Self.now)
        #expect(claim.isLive(at: Self.now.addingTimeInterval(-1)))
        #expect(!claim.isLive(at: Self.now))
        #expect(Self.state(claim: claim).liveClaim(at: Self.now) == nil)
        #expect(Self.state(claim: claim).isClaimable(at: Self.now))
        #expect(!Self.state(.closed).isClaimable(at: Self.now))
    }

    @Test("claim: a free item is taken for the lease and starts the review; a live claim of someone else is a conflict naming the holder")
    func claim() throws {
        let auditor = WorkflowTests.auditor()
        let (claimed, effects) = try ReviewMachine.claim(Self.state(), by: auditor, at: Self.now, lease: Self.lease).get()
        #expect(claimed.claim == ReviewClaim(holder: auditor.userID, expiresAt: Self.now.addingTimeInterval(Self.lease)))
        #expect(effects == [.startApplicationReview])
        let held = Self.state(claim: ReviewClaim(holder: UUID(), holderName: "Alex Auditor", expiresAt: Self.now.addingTimeInterval(60)))
        guard case .conflict(let taken) = Self.refusal(ReviewMachine.claim(held, by: auditor, at: Self.now, lease: Self.lease)) else {
            Issue.record("a held item was claimed")
            return
        }
        #expect(taken.code == "already-claimed" && taken.message.hasPrefix("Alex Auditor holds this item until"))
        // Once the claim expired, anyone may take it.
        #expect((try? ReviewMachine.claim(held, by: auditor, at: Self.now.addingTimeInterval(60), lease: Self.lease).get()) != nil)
        // Claiming again one's own item renews the lease.
        let own = Self.state(claim: ReviewClaim(holder: auditor.userID, expiresAt: Self.now.addingTimeInterval(60)))
        #expect(
            try ReviewMachine.claim(own, by: auditor, at: Self.now, lease: Self.lease).get().0.claim?.expiresAt
                == Self.now.addingTimeInterval(Self.lease))
    }

    @Test("claim refusals: not independent (403), closed (409), four eyes (403) with the same message as the decision's")
    func claimRefusals() {
        let auditor = WorkflowTests.auditor(memberships: [WorkflowTests.participant])
        #expect(Self.refusal(ReviewMachine.claim(Self.state(), by: auditor, at: Self.now, lease: Self.lease))?.refusal.code == "own-organisation")
        #expect(
            Self.refusal(ReviewMachine.claim(Self.state(.closed), by: WorkflowTests.auditor(), at: Self.now, lease: Self.lease))
                == .conflict(Refusal("review-closed", "This review is closed.")))
        let first = WorkflowTests.auditor()
        let afterFirst = Self.state(.awaitingSecond, tier: .plus, decisions: [RecordedDecision(reviewerID: first.userID, decision: .approve)])
        guard case .forbidden(let fourEyes) = Self.refusal(ReviewMachine.claim(afterFirst, by: first, at: Self.now, lease: Self.lease)) else {
            Issue.record("the first auditor claimed again")
            return
        }
        #expect(fourEyes.code == "four-eyes")
        // The decision refuses with the very same refusal.
        let heldByFirst = ReviewState(
            status: .awaitingSecond, claim: ReviewClaim(holder: first.userID, expiresAt: Self.now.addingTimeInterval(60)), subject: afterFirst.subject
        )
        #expect(Self.refusal(ReviewMachine.decide(heldByFirst, .approve, by: first, at: Self.now)) == .forbidden(fourEyes))
    }

    @Test("release: the holder (even after expiry) or an admin; nobody else; nothing to release is a conflict")
    func release() throws {
        let holder = UUID()
        let held = Self.state(claim: ReviewClaim(holder: holder, expiresAt: Self.now.addingTimeInterval(-60)))
        #expect(try ReviewMachine.release(held, by: Actor(userID: holder, role: .auditor, memberships: [:])).get().0.claim == nil)
        #expect(try ReviewMachine.release(held, by: Actor(userID: UUID(), role: .admin, memberships: [:])).get().0.claim == nil)
        #expect(Self.refusal(ReviewMachine.release(held, by: Actor(userID: UUID(), role: .auditor, memberships: [:])))?.refusal.code == "not-holder")
        guard case .conflict(let free) = Self.refusal(ReviewMachine.release(Self.state(), by: Actor(userID: holder, role: .admin, memberships: [:])))
        else {
            Issue.record("an unclaimed item was released")
            return
        }
        #expect(free.code == "not-claimed")
    }

    @Test("assign: only to an auditor")
    func assign() {
        #expect(ReviewMachine.assignmentRefusal(assigneeRole: .auditor) == nil)
        for role in [UserRole.admin, .applicant, nil] { #expect(ReviewMachine.assignmentRefusal(assigneeRole: role)?.code == "not_auditor") }
    }

    @Test("decide: the holder of a live claim decides; the new status follows the outcome and the claim is gone")
    func decide() throws {
        let first = WorkflowTests.auditor()
        let held = { (status: ReviewStatus, tier: Tier, decisions: [RecordedDecision]) in
            ReviewState(
                status: status, claim: ReviewClaim(holder: first.userID, expiresAt: Self.now.addingTimeInterval(60)),
                subject: WorkflowTests.subject(tier, decisions))
        }
        let baseline = try ReviewMachine.decide(held(.open, .baseline, []), .approve, by: first, at: Self.now).get()
        #expect(baseline.0.status == .closed && baseline.0.claim == nil && baseline.1 == .final(.approve))
        let plus = try ReviewMachine.decide(held(.open, .plus, []), .approve, by: first, at: Self.now).get()
        #expect(plus.0.status == .awaitingSecond && plus.1 == .awaitingSecondApproval)
        let other = RecordedDecision(reviewerID: UUID(), decision: .approve)
        let flagged = try ReviewMachine.decide(held(.awaitingSecond, .plus, [other]), .reject, by: first, at: Self.now).get()
        #expect(flagged.0.status == .flagged && flagged.1 == .flaggedForAdmin)
    }

    @Test("decide refusals: without a live claim, on a closed item, or by someone not independent")
    func decideRefusals() {
        let auditor = WorkflowTests.auditor()
        let expired = Self.state(claim: ReviewClaim(holder: auditor.userID, expiresAt: Self.now))
        #expect(Self.refusal(ReviewMachine.decide(expired, .approve, by: auditor, at: Self.now))?.refusal.code == "claim-required")
        #expect(Self.refusal(ReviewMachine.decide(Self.state(), .approve, by: auditor, at: Self.now))?.refusal.code == "claim-required")
        #expect(
            Self.refusal(ReviewMachine.decide(Self.state(.closed), .approve, by: auditor, at: Self.now))
                == .conflict(Refusal("review-closed", "This review is already decided.")))
        let member = WorkflowTests.auditor(memberships: [WorkflowTests.participant])
        #expect(Self.refusal(ReviewMachine.decide(Self.state(.closed), .approve, by: member, at: Self.now))?.refusal.code == "own-organisation")
    }

    @Test("statuses read as people write them")
    func labels() {
        #expect(ReviewStatus.awaitingSecond.label == "awaiting second")
        #expect(ReviewStatus.allCases.map(\.rawValue) == ["open", "awaiting_second", "flagged", "closed"])
    }
}

/// Certification and application rules moved out of the stores.
@Suite("Certification and application rules")
struct CertificationRulesTests {
    @Test("validity comes from the catalog's recertification period for the tier; no period, no certification")
    func validity() throws {
        var netops = try #require(try CatalogTests.seeds()["netops"])
        let granted = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21
        let months = try #require(netops.cadence[.baseline]?.recertificationMonths)
        let grant = try CertificationRules.grant(netops, tier: .baseline, at: granted).get()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        #expect(grant.grantedAt == granted && grant.validUntil == calendar.date(byAdding: .month, value: months, to: granted))
        netops.cadence[.plus] = nil
        guard case .failure(let refusal) = CertificationRules.grant(netops, tier: .plus, at: granted) else {
            Issue.record("a certification was granted without a recertification period")
            return
        }
        #expect(refusal.code == "no-recertification-period")
    }

    @Test("in force: active, warned, suspended; a new certification supersedes them as expired")
    func inForce() {
        #expect(CertificationStatus.inForce == [.active, .warned, .suspended])
        #expect(CertificationRules.superseded == .expired && !CertificationRules.superseded.isInForce)
    }

    @Test("one open application per program: the open states are those not final")
    func openApplications() {
        #expect(ApplicationState.open == [.draft, .submitted, .inReview, .changesRequested])
        #expect(ApplicationRules.openApplicationRefusal(program: "netops", existing: nil) == nil)
        #expect(ApplicationRules.openApplicationRefusal(program: "netops", existing: UUID())?.code == "application-open")
    }

    @Test("a participant keeps one owner")
    func lastOwner() {
        #expect(MembershipRules.lastOwnerRefusal(leavingIsOwner: true, otherOwners: 0)?.code == "last-owner")
        #expect(MembershipRules.lastOwnerRefusal(leavingIsOwner: true, otherOwners: 1) == nil)
        #expect(MembershipRules.lastOwnerRefusal(leavingIsOwner: false, otherOwners: 0) == nil)
    }

    @Test("one list of bogon ASNs, one ASN parser")
    func asns() {
        #expect(ASNumber.bogonReason(65_000) == Bogons.asnReason(65_000) && Bogons.isBogon(asn: 65_000))
        for asn: ASN in [0, 23456, 64496, 65535, 65551, 131_071, 4_200_000_000, 4_294_967_295] { #expect(Bogons.isBogon(asn: asn)) }
        for asn: ASN in [1, 3333, 131_072, 4_199_999_999] { #expect(!Bogons.isBogon(asn: asn)) }
        #expect(parseASN("AS3333") == 3333 && parseASN("as3333") == 3333 && parseASN("+3") == nil && parseASN("AS") == nil)
        #expect(parseASN("4294967296") == nil)
    }
}

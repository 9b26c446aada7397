import Domain
import Foundation
import Testing

@Suite("Application workflow")
struct WorkflowTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    /// Every event in every state, for every kind of actor: the whole table, written out.
    @Test("the state machine, exhaustively")
    func stateMachine() {
        let allowed: [ApplicationEvent: [ApplicationState: ApplicationState]] = [
            .submit: [.draft: .submitted, .changesRequested: .submitted],
            .startReview: [.submitted: .inReview],
            .requestChanges: [.inReview: .changesRequested],
            .approve: [.inReview: .approved],
            .reject: [.inReview: .rejected],
            .withdraw: [.draft: .withdrawn, .submitted: .withdrawn, .inReview: .withdrawn, .changesRequested: .withdrawn],
        ]
        let actorFor: [ApplicationEvent: ApplicationActor] = [
            .submit: .applicant, .withdraw: .applicant, .startReview: .reviewer, .requestChanges: .reviewer, .approve: .reviewer, .reject: .reviewer,
        ]
        var checked = 0
        for event in ApplicationEvent.allCases {
            for state in ApplicationState.allCases {
                for actor in [ApplicationActor.applicant, .reviewer, .other] {
                    let result = ApplicationMachine.apply(event, to: state, by: actor, at: Self.now)
                    checked += 1
                    switch result {
                    case .success(let next):
                        #expect(actor == actorFor[event], "\(event) by \(actor) in \(state)")
                        #expect(allowed[event]?[state] == next, "\(event) in \(state) gave \(next)")
                    case .failure(let refusal):
                        if actor != actorFor[event] {
                            #expect(["not-applicant", "not-reviewer"].contains(refusal.code))
                        } else {
                            #expect(allowed[event]?[state] == nil, "\(event) in \(state) refused: \(refusal)")
                            #expect(refusal.code == "invalid-transition")
                        }
                    }
                }
            }
        }
        #expect(checked == ApplicationEvent.allCases.count * ApplicationState.allCases.count * 3)
        // Nothing leaves a final state.
        for state in ApplicationState.allCases where state.isFinal {
            for event in ApplicationEvent.allCases {
                for actor in [ApplicationActor.applicant, .reviewer] {
                    guard case .failure = ApplicationMachine.apply(event, to: state, by: actor, at: Self.now) else {
                        Issue.record("\(event) left final state \(state)")
                        continue
                    }
                }
            }
        }
    }

    static let participant = UUID()
    static func auditor(_ affiliations: [Affiliation] = [], memberships: Set<UUID> = []) -> Reviewer {
        Reviewer(userID: UUID(), role: .auditor, affiliations: affiliations, memberships: memberships)
    }
    static func subject(_ tier: Tier, _ decisions: [RecordedDecision] = [], flagged: Bool = false, submittedBy: UUID? = nil) -> ReviewSubject {
        ReviewSubject(participantID: participant, tier: tier, submittedBy: submittedBy, decisions: decisions, flaggedForAdmin: flagged)
    }

    @Test("baseline: one auditor decides")
    func baseline() {
        for decision in Decision.allCases {
            #expect(
                ReviewPolicy.decide(decision, by: Self.auditor(), subject: Self.subject(.baseline), at: Self.now) == .success(.final(decision.event)))
        }
    }

    @Test("MANRS+: two distinct auditors approve; the same one twice is refused; a disagreement goes to an admin")
    func fourEyes() {
        let first = Self.auditor()
        let second = Self.auditor()
        #expect(ReviewPolicy.decide(.approve, by: first, subject: Self.subject(.plus), at: Self.now) == .success(.awaitingSecondApproval))
        let afterFirst = Self.subject(.plus, [RecordedDecision(reviewerID: first.userID, decision: .approve)])
        guard case .failure(let twice) = ReviewPolicy.decide(.approve, by: first, subject: afterFirst, at: Self.now) else {
            Issue.record("the same auditor approved twice")
            return
        }
        #expect(twice.code == "four-eyes")
        #expect(ReviewPolicy.decide(.approve, by: second, subject: afterFirst, at: Self.now) == .success(.final(.approve)))
        #expect(ReviewPolicy.decide(.reject, by: second, subject: afterFirst, at: Self.now) == .success(.flaggedForAdmin))
        #expect(ReviewPolicy.decide(.requestChanges, by: second, subject: afterFirst, at: Self.now) == .success(.flaggedForAdmin))
        // Refusing or sending back needs no second opinion.
        #expect(ReviewPolicy.decide(.reject, by: first, subject: Self.subject(.plus), at: Self.now) == .success(.final(.reject)))
        // A flagged item is for admins only, and their word is final.
        let flagged = Self.subject(
            .plus, [RecordedDecision(reviewerID: first.userID, decision: .approve), RecordedDecision(reviewerID: second.userID, decision: .reject)],
            flagged: true)
        guard case .failure(let third) = ReviewPolicy.decide(.approve, by: Self.auditor(), subject: flagged, at: Self.now) else {
            Issue.record("an auditor settled a flagged item")
            return
        }
        #expect(third.code == "flagged-for-admin")
        let admin = Reviewer(userID: UUID(), role: .admin, affiliations: [], memberships: [])
        #expect(ReviewPolicy.decide(.reject, by: admin, subject: flagged, at: Self.now) == .success(.final(.reject)))
        guard case .failure(let adminEarly) = ReviewPolicy.decide(.approve, by: admin, subject: Self.subject(.plus), at: Self.now) else {
            Issue.record("an admin reviewed an unflagged item")
            return
        }
        #expect(adminEarly.code == "not-auditor")
    }

    @Test("independence: affiliations in force, one's own organisation and one's own application are refused, naming the rule")
    func independence() {
        let day: TimeInterval = 86_400
        let current = Affiliation(participantID: Self.participant, from: Self.now - 30 * day, until: nil)
        let past = Affiliation(participantID: Self.participant, from: Self.now - 400 * day, until: Self.now - 10 * day)
        let elsewhere = Affiliation(participantID: UUID(), from: Self.now - 30 * day, until: nil)
        let cases: [(Reviewer, ReviewSubject, String?)] = [
            (Self.auditor([current]), Self.subject(.baseline), "conflict-of-interest"),
            (Self.auditor([past]), Self.subject(.baseline), nil),
            (Self.auditor([elsewhere]), Self.subject(.baseline), nil),
            (Self.auditor(memberships: [Self.participant]), Self.subject(.baseline), "own-organisation"),
        ]
        for (reviewer, subject, code) in cases {
            #expect(ReviewPolicy.independenceRefusal(reviewer, subject: subject, at: Self.now)?.code == code)
        }
        let author = Self.auditor()
        #expect(
            ReviewPolicy.independenceRefusal(author, subject: Self.subject(.plus, submittedBy: author.userID), at: Self.now)?.code
                == "own-application")
        let refusal = ReviewPolicy.independenceRefusal(Self.auditor([current]), subject: Self.subject(.plus), at: Self.now)
        #expect(refusal?.message.contains("affiliation") == true)
        guard case .failure = ReviewPolicy.decide(.approve, by: Self.auditor([current]), subject: Self.subject(.plus), at: Self.now) else {
            Issue.record("an affiliated auditor decided")
            return
        }
    }

    @Test("completeness: the admission rule, then statements and evidence action by action")
    func completeness() throws {
        let netops = try #require(try CatalogTests.seeds()["netops"])
        let onlyCoordination = netops.missing(
            at: .baseline, commitments: [CommitmentSummary(actionCode: "netops.3", hasStatement: true, evidenceKinds: [])])
        #expect(onlyCoordination.map(\.code) == ["admission_group"])
        let filtering = netops.missing(
            at: .baseline, commitments: [CommitmentSummary(actionCode: "netops.1", hasStatement: false, evidenceKinds: [])])
        #expect(filtering.map(\.code) == ["statement", "document"])
        #expect(filtering.allSatisfy { $0.action == "netops.1" })
        #expect(
            netops.missing(at: .baseline, commitments: [CommitmentSummary(actionCode: "netops.1", hasStatement: true, evidenceKinds: [.document])])
                .isEmpty)
        let plusAction = netops.missing(
            at: .baseline, commitments: [CommitmentSummary(actionCode: "netops.plus.rov", hasStatement: true, evidenceKinds: [])])
        #expect(plusAction.contains { $0.code == "unknown_action" })
    }

    @Test("service levels count working days")
    func workingDays() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let friday = calendar.date(from: DateComponents(year: 2026, month: 11, day: 27, hour: 9))!
        let due = WorkingDays.add(10, to: friday)
        #expect(calendar.dateComponents([.year, .month, .day, .hour], from: due) == DateComponents(year: 2026, month: 12, day: 11, hour: 9))
        #expect(calendar.component(.day, from: WorkingDays.add(1, to: friday)) == 30)  // Monday
    }
}

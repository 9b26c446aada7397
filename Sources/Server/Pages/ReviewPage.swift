import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

extension WorkflowPages {
    /// The auditor's page for one review item: every review's decisions with their comments, the
    /// measurement results of the participant's ASNs, each commitment with its action's
    /// description, evidence and comment box, and the decision form. Open to auditors before
    /// they claim, and after the item closed.
    func reviewPage(
        _ id: UUID, _ session: BrowserSession, now: Date, error: String?, status: HTTPResponse.Status, draft: [String: String] = [:],
        notice: String? = nil
    ) async throws -> Response {
        let item = try await reviews.item(id, at: now)
        guard let applicationID = item.applicationID else {
            return try await reviewTaskPage(item, session, now: now, error: error, status: status, draft: draft, notice: notice)
        }
        let detail = try await applications.detail(applicationID)
        let catalog = try await catalogs.version(detail.application.catalogVersion, of: item.program).document
        let names = try await PageWords.programNames(catalogs)
        let decisions = try await reviews.decisions(ofApplication: applicationID)
        let titles = Dictionary(catalog.actions.map { ($0.code, $0.title) }, uniquingKeysWith: { first, _ in first })
        let descriptions = Dictionary(catalog.actions.map { ($0.code, $0.description) }, uniquingKeysWith: { first, _ in first })
        let live = item.claim.flatMap { $0.isLive(at: now) ? $0 : nil }
        let holding = live?.holder == session.user.id
        let claimable = try await claimable([item], session, now: now).contains(item.id)
        let frame = PageFrame(session)
        let model = ReviewPageModel(
            csrf: frame.csrf, links: frame.links, id: item.id.uuidString.lowercased(), applicationID: applicationID.uuidString.lowercased(),
            participant: item.participantName, program: names[item.program] ?? item.program, tier: PageWords.tier(item.tier),
            review: item.round, state: PageWords.state(detail.application.state, certified: detail.certificationID != nil),
            status: PageWords.queueStatus(item.status), due: Pages.time(item.dueAt), overdue: item.overdue,
            holder: holding ? nil : live.flatMap { _ in item.claimedByName },
            holding: holding, claimable: claimable, history: Self.feedbackRounds(decisions, titles: titles), hasHistory: !decisions.isEmpty,
            measurements: try await measurementRows(item.participantID),
            commitments: detail.commitments.map { commitment in
                let evidence = commitment.evidence.map(EvidenceRow.init)
                let earlier = ActionFeedback.on(commitment.actionCode, in: decisions)
                return ReviewPageModel.Commitment(
                    code: commitment.actionCode, title: commitment.actionTitle, description: descriptions[commitment.actionCode] ?? "",
                    statement: commitment.statement, evidence: evidence, hasEvidence: !evidence.isEmpty, earlier: earlier,
                    hasEarlier: !earlier.isEmpty, comment: draft["comment_\(commitment.actionCode)"] ?? "")
            },
            approveChecked: draft["decision"] == "approve", changesChecked: draft["decision"] == "request_changes",
            rejectChecked: draft["decision"] == "reject", reasonsDraft: draft["reasons"] ?? "", commentDraft: draft["body"] ?? "",
            comments: try await commentRows(applicationID, includeInternal: StaffView(for: session.actor).seesInternalNotes), error: error,
            notice: PageWords.notice(notice))
        return try pages.render("review", model: model, status: status)
    }

    /// Which of `items` the signed-in reviewer may claim now: the review machine's claim rule
    /// (independence, own submission, four eyes, open and not held), asked as the claim
    /// command asks it, with the states of every item read in one query.
    func claimable(_ items: [ReviewItem], _ session: BrowserSession, now: Date) async throws -> Set<UUID> {
        let states = try await reviews.states(of: items)
        let reviewer = try await reviews.reviewer(session.actor)
        return Set(
            states.compactMap { id, state in
                guard state.isClaimable(at: now), case .success = ReviewMachine.claim(state, by: reviewer, at: now, lease: 0) else { return nil }
                return id
            })
    }

    /// The participant's verified ASNs with their measured results, or why there are none.
    func measurementRows(_ participant: UUID) async throws -> ReviewPageModel.Measurements {
        func share(_ value: Double?) -> String { value.map { String(format: "%.0f %%", $0 * 100) } ?? "no routes" }
        do {
            let measured = try await measurements.measure(participant: participant, routesSnapshot: nil)
            return ReviewPageModel.Measurements(
                asns: measured.asns.map { result in
                    ReviewPageModel.Measurements.ASN(
                        asn: "AS\(result.asn)", announcements: result.announcements, rpkiValid: share(result.rpkiValidShare),
                        rpkiInvalid: result.rpkiInvalid, irrCoverage: share(result.irrCoverage), conflicts: result.irrRPKIConflicts,
                        bogons: result.bogonPrefixesOriginated, noc: result.nocContact ? "yes" : "no", abuse: result.abuseContact ? "yes" : "no",
                        spoofer: result.spooferTestAgeDays.map { "\($0) days ago" } ?? "no test found")
                },
                hasASNs: !measured.asns.isEmpty, routes: "\(measured.inputs.routes.sourceName), \(Pages.time(measured.inputs.routes.takenAt))",
                unavailable: nil, claimed: nil)
        } catch let error as StoreError {
            let asns = try await participants.resources(of: participant, kind: .asn).map(\.value)
            return ReviewPageModel.Measurements(
                asns: [], hasASNs: false, routes: nil, unavailable: Problem.from(error).detail, claimed: asns.joined(separator: ", "))
        }
    }
}

/// The review page as its template reads it.
struct ReviewPageModel: Encodable, Sendable {
    struct Measurements: Encodable, Sendable {
        struct ASN: Encodable, Sendable {
            let asn: String
            let announcements: Int
            let rpkiValid: String
            let rpkiInvalid: Int
            let irrCoverage: String
            let conflicts: Int
            let bogons: Int
            let noc: String
            let abuse: String
            let spoofer: String
        }
        let asns: [ASN]
        let hasASNs: Bool
        let routes: String?
        let unavailable: String?
        let claimed: String?
    }
    struct Commitment: Encodable, Sendable {
        let code: String
        let title: String
        let description: String
        let statement: String
        let evidence: [EvidenceRow]
        let hasEvidence: Bool
        let earlier: [ActionFeedback]
        let hasEarlier: Bool
        let comment: String
    }

    let csrf: String?
    let links: [NavLink]
    let id: String
    let applicationID: String
    let participant: String
    let program: String
    let tier: String
    let review: Int
    let state: String
    let status: String
    let due: String
    let overdue: Bool
    let holder: String?
    let holding: Bool
    let claimable: Bool
    let history: [FeedbackRound]
    let hasHistory: Bool
    let measurements: Measurements
    let commitments: [Commitment]
    let approveChecked: Bool
    let changesChecked: Bool
    let rejectChecked: Bool
    let reasonsDraft: String
    let commentDraft: String
    let comments: [CommentRow]
    let error: String?
    let notice: String?
}

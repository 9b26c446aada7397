import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// The review page of an item other than an application (a dispute, an appeal, a reinstatement,
/// an enforcement task) as its template reads it.
struct ReviewTaskPageModel: Encodable, Sendable {
    struct Result: Encodable, Sendable {
        let check: String
        let action: String
        let measured: String
        let verdict: String
        let value: String?
        let explanation: String
    }
    struct Choice: Encodable, Sendable {
        let code: String
        let words: String
        let checked: Bool
    }
    struct DecisionRow: Encodable, Sendable {
        let reviewer: String
        let decision: String
        let at: String
        let reasons: String?
    }

    let csrf: String?
    let links: [NavLink]
    let id: String
    let kind: String
    let subject: String
    let participant: String
    let program: String
    let tier: String
    let certificationStatus: String
    let certificationID: String?
    let status: String
    let due: String
    let overdue: Bool
    let holder: String?
    let holding: Bool
    let claimable: Bool
    let statement: String?
    let result: Result?
    let decisions: [DecisionRow]
    let hasDecisions: Bool
    let choices: [Choice]
    let reasonsDraft: String
    /// A renewal waiting for the participant's confirmation: why it cannot be decided yet (no form).
    let awaiting: String?
    let error: String?
    let notice: String?
}

extension WorkflowPages {
    /// An auditor's page for a dispute, appeal, reinstatement or enforcement task: what it is
    /// about in words, what the participant wrote, the disputed result, the decisions, and the
    /// decision form with this kind's choices in words.
    func reviewTaskPage(
        _ item: ReviewItem, _ session: BrowserSession, now: Date, error: String?, status: HTTPResponse.Status, draft: [String: String] = [:],
        notice: String? = nil
    ) async throws -> Response {
        let names = try await PageWords.programNames(catalogs)
        var certification: Certification?
        if let id = item.certificationID { certification = try await reviews.certification(id) }
        var result: ReviewTaskPageModel.Result?
        if let id = item.checkResultID {
            let found = try await reviews.result(id, participant: item.participantID)
            result = ReviewTaskPageModel.Result(
                check: found.check, action: found.action, measured: Pages.time(found.measuredAt), verdict: PageWords.verdict(found.verdict),
                value: found.value.map { String(format: "%g", $0) }, explanation: found.explanation)
        }
        let decisions = try await reviews.decisions(ofItem: item.id).map { record in
            ReviewTaskPageModel.DecisionRow(
                reviewer: record.reviewerName, decision: item.kind.words(record.decision), at: Pages.time(record.createdAt),
                reasons: record.reasons.isEmpty ? nil : record.reasons)
        }
        let live = item.claim.flatMap { $0.isLive(at: now) ? $0 : nil }
        let holding = live?.holder == session.user.id
        let frame = PageFrame(session)
        let model = ReviewTaskPageModel(
            csrf: frame.csrf, links: frame.links, id: item.id.uuidString.lowercased(),
            kind: item.kind.label.prefix(1).uppercased() + item.kind.label.dropFirst(),
            subject: item.subject, participant: item.participantName, program: names[item.program] ?? item.program, tier: PageWords.tier(item.tier),
            certificationStatus: certification?.status.rawValue ?? "unknown", certificationID: certification?.id.uuidString.lowercased(),
            status: PageWords.queueStatus(item.status), due: Pages.time(item.dueAt),
            overdue: item.overdue, holder: holding ? nil : live.flatMap { _ in item.claimedByName }, holding: holding,
            claimable: try await claimable([item], session, now: now).contains(item.id), statement: item.statement, result: result,
            decisions: decisions, hasDecisions: !decisions.isEmpty,
            choices: item.kind.decisions.map { .init(code: $0.rawValue, words: item.kind.words($0), checked: draft["decision"] == $0.rawValue) },
            reasonsDraft: draft["reasons"] ?? "",
            awaiting: try await reviews.states(of: [item])[item.id].flatMap {
                $0.subject.awaitingParticipant ? ReviewMachine.notConfirmed(item.kind).message : nil
            }, error: error, notice: PageWords.notice(notice))
        return try pages.render("review-task", model: model, status: status)
    }
}

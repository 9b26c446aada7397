import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// A check result and the form to dispute it, as the template reads them.
struct DisputePageModel: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        let status: String
        let openedAt: String
        let reason: String
        let decisionReasons: String?
    }

    let csrf: String?
    let links: [NavLink]
    let participant: String
    let id: String
    let check: String
    let action: String
    let measured: String
    let verdict: String
    let value: String?
    let explanation: String
    let voided: Bool
    let voidedAt: String?
    let voidReason: String?
    let disputes: [Row]
    let hasDisputes: Bool
    let canDispute: Bool
    let reasonDraft: String
    let error: String?
    let notice: String?
}

extension WorkflowPages {
    /// The participant's page for one check result: the result with its explanation, its
    /// disputes so far, and (for a failed result that stands, without an open dispute, to a
    /// member) the dispute form.
    func disputePage(
        participant: UUID, result id: UUID, _ session: BrowserSession, error: String?, status: HTTPResponse.Status, draft: [String: String] = [:],
        notice: String? = nil
    ) async throws -> Response {
        let result = try await reviews.result(id, participant: participant)
        let disputes = try await reviews.disputes(participant: participant).filter { $0.checkResultID == id }
        let mayDispute = Access.decide(.disputeResults, actor: session.actor, participant: participant) == .allowed
        let refusal = ReviewRequestRules.disputeRefusal(verdict: result.verdict, voided: result.void != nil)
        let frame = PageFrame(session)
        let model = DisputePageModel(
            csrf: frame.csrf, links: frame.links, participant: participant.uuidString.lowercased(), id: id.uuidString.lowercased(),
            check: result.check, action: result.action, measured: Pages.time(result.measuredAt), verdict: PageWords.verdict(result.verdict),
            value: result.value.map { String(format: "%g", $0) }, explanation: result.explanation, voided: result.void != nil,
            voidedAt: result.void.map { Pages.time($0.voidedAt) }, voidReason: result.void?.reason,
            disputes: disputes.map {
                .init(status: $0.status, openedAt: Pages.time($0.openedAt), reason: $0.reason, decisionReasons: $0.decisionReasons)
            },
            hasDisputes: !disputes.isEmpty,
            canDispute: mayDispute && refusal == nil && !disputes.contains { $0.status == "open" }, reasonDraft: draft["reason"] ?? "",
            error: error, notice: PageWords.notice(notice))
        return try pages.render("dispute", model: model, status: status)
    }

    /// The dispute form: `GET` shows the result and the form, `POST` opens the dispute through
    /// the same operation as the API.
    func registerDisputeForms(on router: RouterGroup<AppRequestContext>) {
        router.get("/participants/:participant/results/:result/dispute") { request, context in
            try await page(context, .readParticipant, of: { try context.parameters.uuid("participant") }) { session in
                try await disputePage(
                    participant: try context.parameters.uuid("participant"), result: try context.parameters.uuid("result"), session, error: nil,
                    status: .ok, notice: request.query("notice"))
            }
        }
        router.post("/participants/:participant/results/:result/dispute") { request, context in
            try await form(request, context, .readParticipant, of: { try context.parameters.uuid("participant") }) { session, fields in
                let participant = try context.parameters.uuid("participant")
                let result = try context.parameters.uuid("result")
                do {
                    _ = try await operations.reviews.dispute(
                        result: result, participant: participant, reason: fields["reason"], by: session.actor, change: change(session, context))
                    return Self.redirect(
                        to: "/participants/\(participant.uuidString.lowercased())/results/\(result.uuidString.lowercased())/dispute",
                        notice: "dispute-opened", anchor: "disputes")
                } catch {
                    return try await Self.refused(error) { message, status in
                        try await disputePage(participant: participant, result: result, session, error: message, status: status, draft: fields)
                    }
                }
            }
        }
    }
}

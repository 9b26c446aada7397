import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// The auditors' decisions of one review, as the application and review pages show them.
struct FeedbackRound: Encodable, Sendable {
    struct Decision: Encodable, Sendable {
        let reviewer: String
        let decision: String
        let at: String
        let reasons: String?
        let hasComments: Bool
        let comments: [ActionComment]
    }
    struct ActionComment: Encodable, Sendable {
        let code: String
        let title: String
        let text: String
    }
    let review: Int
    let decisions: [Decision]
}

/// One reviewer's comment on one action, shown in the action's block.
struct ActionFeedback: Encodable, Sendable {
    let reviewer: String
    let review: Int
    let text: String

    /// Every comment on `action`, newest first.
    static func on(_ action: String, in decisions: [DecisionRecord]) -> [ActionFeedback] {
        decisions.reversed().compactMap { decision in
            decision.actionComments[action].map { ActionFeedback(reviewer: decision.reviewerName, review: decision.round, text: $0) }
        }
    }
}

/// A comment on an application, as the pages list them.
struct CommentRow: Encodable, Sendable {
    let author: String
    let role: String
    let at: String
    let body: String
    let `internal`: Bool
}

/// A piece of evidence, as the pages list it.
struct EvidenceRow: Encodable, Sendable {
    let id: String
    let fileName: String?
    let url: String?
    let text: String?
    let effectiveFrom: String
    let effectiveUntil: String
    let sha256: String?
    let size: String?
    let type: String
    let superseded: Bool
    let uploadedAt: String

    init(_ evidence: Evidence) {
        id = evidence.id.uuidString.lowercased()
        fileName = evidence.fileName
        url = evidence.url
        text = evidence.text
        effectiveFrom = evidence.effectiveFrom
        effectiveUntil = evidence.effectiveUntil ?? "open"
        sha256 = evidence.sha256
        size = evidence.sizeBytes.map(String.init)
        type = evidence.sniffedType ?? evidence.kind
        superseded = evidence.supersededBy != nil
        uploadedAt = Pages.time(evidence.uploadedAt)
    }
}

/// One application as its template reads it.
struct ApplicationPageModel: Encodable, Sendable {
    struct Certified: Encodable, Sendable {
        let until: String
        let granted: String
        let active: Bool
        let status: String
    }
    struct Missing: Encodable, Sendable {
        let message: String
    }
    struct Choice: Encodable, Sendable {
        let id: String
        let label: String
    }
    struct Action: Encodable, Sendable {
        let code: String
        let title: String
        let description: String
        let mandatory: Bool
        let optional: Bool
        let evidenceKinds: [String]
        let committed: Bool
        let statement: String
        let evidence: [EvidenceRow]
        let hasEvidence: Bool
        let expectsDocument: Bool
        let currentEvidence: [Choice]
        let hasCurrentEvidence: Bool
        let expectsURL: Bool
        let draftURL: String
        let draftFrom: String
        let draftUntil: String
        let feedback: [ActionFeedback]
        let hasFeedback: Bool
        let needsStatement: Bool
    }

    let csrf: String?
    let links: [NavLink]
    let id: String
    let applicationID: String
    let participant: String
    let program: String
    let tier: String
    let state: String
    let version: Int
    let certified: Certified?
    let editable: Bool
    let withdrawable: Bool
    let missing: [Missing]
    let hasMissing: Bool
    let actions: [Action]
    let feedback: [FeedbackRound]
    let hasFeedback: Bool
    let comments: [CommentRow]
    let commentDraft: String
    let error: String?
    let notice: String?
}

extension WorkflowPages {
    /// One application: the certified state with its date, the auditors' feedback (a summary, and
    /// each comment next to its action), each action with its commitment, evidence and forms.
    func applicationPage(
        _ id: UUID, _ session: BrowserSession, now: Date, error: String?, status: HTTPResponse.Status, draft: [String: String] = [:],
        notice: String? = nil
    ) async throws -> Response {
        let detail = try await applications.detail(id)
        let application = detail.application
        let catalog = try await catalogs.version(application.catalogVersion, of: application.program).document
        let names = try await PageWords.programNames(catalogs)
        let committed = Dictionary(uniqueKeysWithValues: detail.commitments.map { ($0.actionCode, $0) })
        let member = session.actor.memberships[application.participantID] != nil
        let editable = application.state.isEditable && member
        let decisions = try await reviews.decisions(ofApplication: id)
        var certification: Certification?
        if let certificationID = detail.certificationID { certification = try await reviews.certification(certificationID) }
        let active = certification.map { $0.status.certifies } ?? false
        let titles = Dictionary(catalog.actions.map { ($0.code, $0.title) }, uniquingKeysWith: { first, _ in first })
        let actions = catalog.actions(at: application.tier).map { action in
            let commitment = committed[action.code]
            let evidence = (commitment?.evidence ?? []).map(EvidenceRow.init)
            let current = (commitment?.evidence ?? []).filter { $0.supersededBy == nil }.map { item in
                ApplicationPageModel.Choice(
                    id: item.id.uuidString.lowercased(), label: item.fileName ?? item.url ?? String((item.text ?? "").prefix(40)))
            }
            let mine = draft["action"] == action.code
            let feedback = ActionFeedback.on(action.code, in: decisions)
            let mandatory = action.isMandatory(at: application.tier)
            return ApplicationPageModel.Action(
                code: action.code, title: action.title, description: action.description, mandatory: mandatory, optional: !mandatory,
                evidenceKinds: PageWords.evidence(action.evidence), committed: commitment != nil,
                statement: mine ? (draft["statement"] ?? commitment?.statement ?? "") : (commitment?.statement ?? ""),
                evidence: evidence, hasEvidence: !evidence.isEmpty, expectsDocument: action.evidence.contains(.document),
                currentEvidence: current, hasCurrentEvidence: !current.isEmpty, expectsURL: action.evidence.contains(.url),
                draftURL: mine ? draft["url"] ?? "" : "", draftFrom: mine ? draft["effective_from"] ?? "" : "",
                draftUntil: mine ? draft["effective_until"] ?? "" : "", feedback: feedback, hasFeedback: !feedback.isEmpty,
                needsStatement: action.evidence.contains(.statement))
        }
        let frame = PageFrame(session)
        let model = ApplicationPageModel(
            csrf: frame.csrf, links: frame.links, id: application.id.uuidString.lowercased(),
            applicationID: application.id.uuidString.lowercased(), participant: application.participantName,
            program: names[application.program] ?? application.program, tier: PageWords.tier(application.tier),
            state: PageWords.state(application.state, certified: active), version: application.version,
            certified: certification.map {
                .init(until: PageWords.day($0.validUntil), granted: PageWords.day($0.grantedAt), active: active, status: $0.status.rawValue)
            },
            editable: editable, withdrawable: member && !application.state.isFinal, missing: detail.missing.map { .init(message: $0.message) },
            hasMissing: !detail.missing.isEmpty, actions: actions, feedback: Self.feedbackRounds(decisions, titles: titles),
            hasFeedback: !decisions.isEmpty,
            comments: try await commentRows(application.id, includeInternal: StaffView(for: session.actor).seesInternalNotes),
            commentDraft: draft["body"] ?? "", error: error, notice: PageWords.notice(notice))
        return try pages.render("application", model: model, status: status)
    }

    /// The auditors' decisions, newest review first: who decided what, their reasons, and their
    /// comment on each action.
    static func feedbackRounds(_ decisions: [DecisionRecord], titles: [String: String]) -> [FeedbackRound] {
        let rounds = Dictionary(grouping: decisions, by: \.round)
        return rounds.keys.sorted(by: >).map { round in
            FeedbackRound(
                review: round,
                decisions: (rounds[round] ?? []).map { decision in
                    FeedbackRound.Decision(
                        reviewer: decision.reviewerName, decision: PageWords.decision(decision.decision), at: Pages.time(decision.createdAt),
                        reasons: decision.reasons.isEmpty ? nil : decision.reasons, hasComments: !decision.actionComments.isEmpty,
                        comments: decision.actionComments.sorted { $0.key < $1.key }.map {
                            FeedbackRound.ActionComment(code: $0.key, title: titles[$0.key] ?? $0.key, text: $0.value)
                        })
                })
        }
    }
}

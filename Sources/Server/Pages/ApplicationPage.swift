import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

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
        let certification = try await detail.certificationID.asyncMap { try await reviews.certification($0) }
        let titles = Dictionary(catalog.actions.map { ($0.code, $0.title) }, uniquingKeysWith: { first, _ in first })
        let draftAction = draft["action"]
        let actions: [[String: Any]] = catalog.actions(at: application.tier).map { action in
            let commitment = committed[action.code]
            let evidence = (commitment?.evidence ?? []).map(Self.evidenceRow)
            let current = (commitment?.evidence ?? []).filter { $0.supersededBy == nil }.map { item -> [String: String] in
                ["id": item.id.uuidString.lowercased(), "label": item.fileName ?? item.url ?? String((item.text ?? "").prefix(40))]
            }
            let mine = draftAction == action.code
            let feedback = decisions.reversed().compactMap { decision -> [String: Any]? in
                guard let text = decision.actionComments[action.code] else { return nil }
                return ["reviewer": decision.reviewerName, "review": decision.round, "text": text]
            }
            let mandatory = action.isMandatory(at: application.tier)
            return [
                "code": action.code, "title": action.title, "description": action.description, "mandatory": mandatory,
                "optional": !mandatory, "evidenceKinds": PageWords.evidence(action.evidence), "committed": commitment != nil,
                "statement": mine ? (draft["statement"] ?? commitment?.statement ?? "") : (commitment?.statement ?? ""),
                "evidence": evidence, "hasEvidence": !evidence.isEmpty, "expectsDocument": action.evidence.contains(.document),
                "currentEvidence": current, "hasCurrentEvidence": !current.isEmpty, "expectsURL": action.evidence.contains(.url),
                "draftURL": mine ? draft["url"] ?? "" : "", "draftFrom": mine ? draft["effective_from"] ?? "" : "",
                "draftUntil": mine ? draft["effective_until"] ?? "" : "", "feedback": feedback, "hasFeedback": !feedback.isEmpty,
                "needsStatement": action.evidence.contains(.statement),
            ]
        }
        var model = Pages.frame(session)
        model.merge([
            "id": application.id.uuidString.lowercased(), "applicationID": application.id.uuidString.lowercased(),
            "participant": application.participantName, "program": names[application.program] ?? application.program,
            "tier": PageWords.tier(application.tier),
            "state": PageWords.state(application.state, certified: certification.map { ["active", "warned"].contains($0.status) } ?? false),
            "version": application.version,
            "certified": certification.map { certification -> [String: Any] in
                [
                    "until": PageWords.day(certification.validUntil), "granted": PageWords.day(certification.grantedAt),
                    "active": ["active", "warned"].contains(certification.status), "status": certification.status,
                ]
            } as Any,
            "editable": editable, "withdrawable": member && !application.state.isFinal,
            "missing": detail.missing.map { ["message": $0.message] }, "hasMissing": !detail.missing.isEmpty, "actions": actions,
            "feedback": Self.feedbackRounds(decisions, titles: titles), "hasFeedback": !decisions.isEmpty,
            "comments": try await commentRows(application.id, includeInternal: session.user.role != .applicant),
            "commentDraft": draft["body"] ?? "", "error": error as Any, "notice": PageWords.notice(notice) as Any,
        ]) { $1 }
        return try pages.render("application", model, status: status)
    }

    /// The auditors' decisions, newest review first: who decided what, their reasons, and their
    /// comment on each action.
    static func feedbackRounds(_ decisions: [DecisionRecord], titles: [String: String]) -> [[String: Any]] {
        let rounds = Dictionary(grouping: decisions, by: \.round)
        return rounds.keys.sorted(by: >).map { round in
            [
                "review": round,
                "decisions": (rounds[round] ?? []).map { decision -> [String: Any] in
                    [
                        "reviewer": decision.reviewerName, "decision": PageWords.decision(decision.decision),
                        "at": Pages.time(decision.createdAt), "reasons": (decision.reasons.isEmpty ? nil : decision.reasons) as Any,
                        "hasComments": !decision.actionComments.isEmpty,
                        "comments": decision.actionComments.sorted { $0.key < $1.key }.map { code, text -> [String: Any] in
                            ["code": code, "title": titles[code] ?? code, "text": text]
                        },
                    ]
                },
            ]
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

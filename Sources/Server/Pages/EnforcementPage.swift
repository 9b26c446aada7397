import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// A certification's enforcement page as its template reads it: its status, and the forms this
/// user may use (a renewal's confirmation, appeal, revocation for cause, override).
struct EnforcementPageModel: Encodable, Sendable {
    struct Renewal: Encodable, Sendable {
        let kind: String
        let label: String
        let due: String
    }

    struct Choice: Encodable, Sendable {
        let code: String
        let checked: Bool
    }

    let csrf: String?
    let links: [NavLink]
    let id: String
    let participant: String
    let participantID: String
    let program: String
    let tier: String
    let status: String
    let validUntil: String
    /// What the latest check measured with, and how far apart (nil: not checked on both yet).
    let inputs: String?
    let canAppeal: Bool
    let canWithdraw: Bool
    let canRevoke: Bool
    let canOverride: Bool
    /// The re-attestation or recertification waiting for the member's confirmation.
    let renewals: [Renewal]
    let statementDraft: String
    let statuses: [Choice]
    let reasonDraft: String
    let error: String?
    let notice: String?
}

extension WorkflowPages {
    /// The enforcement page of a certification: a member may confirm an open re-attestation or
    /// recertification, and appeal a warning, suspension or revocation; an auditor may revoke a
    /// suspended certification for cause; an admin may override the status. Each form calls the
    /// same operation as the API and refuses alike.
    func enforcementPage(
        _ id: UUID, _ session: BrowserSession, now: Date, error: String?, status: HTTPResponse.Status, draft: [String: String] = [:],
        notice: String? = nil
    ) async throws -> Response {
        let certification = try await reviews.certification(id)
        let names = try await PageWords.programNames(catalogs)
        let actor = session.actor
        let appealable: Set<CertificationStatus> = [.warned, .suspended, .revoked]
        let frame = PageFrame(session)
        let inputs = try await results.latestInputs(of: [id])[id]
        let renewals =
            Access.decide(.editApplication, actor: actor, participant: certification.participantID) == .allowed
            ? try await reviews.openRenewals(certification: id, at: now) : []
        let model = EnforcementPageModel(
            csrf: frame.csrf, links: frame.links, id: id.uuidString.lowercased(), participant: certification.participantName,
            participantID: certification.participantID.uuidString.lowercased(), program: names[certification.program] ?? certification.program,
            tier: PageWords.tier(certification.tier), status: certification.status.rawValue, validUntil: Pages.time(certification.validUntil),
            inputs: inputs.map { "Latest check: " + $0.note },
            canAppeal: Access.decide(.appealEnforcement, actor: actor, participant: certification.participantID) == .allowed
                && appealable.contains(certification.status),
            canWithdraw: Access.decide(.withdrawCertification, actor: actor, participant: certification.participantID) == .allowed
                && certification.status.isInForce,
            canRevoke: Access.decide(.reviewApplications, actor: actor, participant: nil) == .allowed && certification.status == .suspended,
            canOverride: Access.decide(.overrideEnforcement, actor: actor, participant: nil) == .allowed,
            renewals: renewals.map { .init(kind: $0.kind.rawValue, label: $0.kind.label, due: Pages.time($0.dueAt)) },
            statementDraft: draft["statement"] ?? "",
            statuses: CertificationStatus.allCases.map { .init(code: $0.rawValue, checked: draft["status"] == $0.rawValue) },
            reasonDraft: draft["reason"] ?? "", error: error, notice: PageWords.notice(notice))
        return try pages.render("enforcement", model: model, status: status)
    }

    /// `GET /certifications/{id}/enforcement` and its three forms.
    func registerEnforcementForms(on router: RouterGroup<AppRequestContext>) {
        router.get("/certifications/:certification/enforcement") { request, context in
            try await page(context, .readParticipant, id: "certification", of: { try await reviews.certification($0).participantID }) { session, id in
                try await enforcementPage(id, session, now: context.now, error: nil, status: .ok, notice: request.query("notice"))
            }
        }
        router.post("/certifications/:certification/appeal") { request, context in
            try await enforcementForm(request, context, .appealEnforcement, participant: true, notice: "appeal-opened") { id, session, fields in
                let certification = try await reviews.certification(id)
                _ = try await operations.reviews.appeal(
                    certification: id, participant: certification.participantID, reason: fields["reason"], by: session.actor,
                    change: change(session, context))
            }
        }
        router.post("/certifications/:certification/renewal") { request, context in
            try await enforcementForm(request, context, .editApplication, participant: true, notice: "renewal-confirmed") { id, session, fields in
                let certification = try await reviews.certification(id)
                try await operations.reviews.confirmRenewal(
                    fields["kind"].flatMap(ReviewKind.init(rawValue:)) ?? .application, certification: id,
                    participant: certification.participantID, statement: fields["statement"], by: session.actor, change: change(session, context))
            }
        }
        router.post("/certifications/:certification/revocation") { request, context in
            try await enforcementForm(request, context, .reviewApplications, participant: false, notice: "certification-revoked") {
                id, session, fields in
                _ = try await operations.reviews.revokeForCause(
                    certification: id, reason: fields["reason"], by: session.actor, change: change(session, context))
            }
        }
        router.post("/certifications/:certification/withdrawal") { request, context in
            try await enforcementForm(request, context, .withdrawCertification, participant: true, notice: "certification-withdrawn") {
                id, session, fields in
                let certification = try await reviews.certification(id)
                _ = try await operations.reviews.withdraw(
                    certification: id, participant: certification.participantID, reason: fields["reason"], by: session.actor,
                    change: change(session, context))
            }
        }
        router.post("/certifications/:certification/override") { request, context in
            try await enforcementForm(request, context, .overrideEnforcement, participant: false, notice: "certification-overridden") {
                id, session, fields in
                _ = try await operations.reviews.override(
                    certification: id, to: fields["status"].flatMap(CertificationStatus.init(rawValue:)), reason: fields["reason"],
                    by: session.actor, change: change(session, context))
            }
        }
    }

    /// One enforcement form: the permission (on the certification's participant when
    /// `participant`), the change, then the page again with a notice, or with the refusal.
    private func enforcementForm(
        _ request: Request, _ context: AppRequestContext, _ permission: Permission, participant: Bool, notice: String,
        _ change: @escaping (UUID, BrowserSession, [String: String]) async throws -> Void
    ) async throws -> Response {
        let concerned: (() async throws -> UUID)? =
            participant ? { try await reviews.certification(try context.parameters.uuid("certification")).participantID } : nil
        return try await form(request, context, permission, of: concerned) { session, fields in
            let id = try context.parameters.uuid("certification")
            do {
                try await change(id, session, fields)
                return Self.redirect(to: "/certifications/\(id.uuidString.lowercased())/enforcement", notice: notice)
            } catch {
                return try await Self.refused(error) { message, status in
                    try await enforcementPage(id, session, now: context.now, error: message, status: status, draft: fields)
                }
            }
        }
    }
}

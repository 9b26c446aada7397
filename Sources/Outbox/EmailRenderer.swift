import Domain
import Foundation
import Mustache
import Store

/// Renders a notification's email from `templates/email/notification-text.mustache` and
/// `notification-html.mustache`.
public struct EmailRenderer: Sendable {
    let text: MustacheTemplate
    let html: MustacheTemplate
    /// The server's public address, for links in the emails (nil: no links).
    let baseURL: String?

    public init(templatesDirectory: String, baseURL: String?) throws {
        func load(_ name: String) throws -> MustacheTemplate {
            let path = templatesDirectory + "/email/" + name + ".mustache"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MailError.permanent("The email template \(path) is missing.")
            }
            return try MustacheTemplate(string: String(decoding: data, as: UTF8.self))
        }
        text = try load("notification-text")
        html = try load("notification-html")
        self.baseURL = baseURL
    }

    /// The subject, plain text and HTML of `event`'s email with `payload`'s data.
    public func render(_ event: NotificationEvent, _ payload: NotificationPayload) -> (subject: String, text: String, html: String) {
        var model: [String: Any] = [
            "subject": event.subject,
            "program": payload.data["program"] ?? "",
            "tier": payload.data["tier"] ?? "",
            "changesRequested": event == .applicationChangesRequested,
            "certified": event == .applicationCertified,
            "rejected": event == .applicationRejected,
            "test": event == .webhookTest,
            "verifyEmail": event == .accountVerifyEmail,
            "passwordReset": event == .accountPasswordReset,
            "alreadyRegistered": event == .accountAlreadyRegistered,
            "watchlist": event == .watchlistStatusChanged,
            "ownerFooter": event.emailsOwners || event == .webhookTest,
            "accountFooter": event == .accountVerifyEmail || event == .accountPasswordReset || event == .accountAlreadyRegistered,
            "watched": payload.data["watched"] ?? "",
            "participant": payload.data["participant"] ?? "",
            "markID": payload.data["mark_id"] ?? "",
            "from": payload.data["from"] ?? "",
            "to": payload.data["to"] ?? "",
            "at": payload.data["at"] ?? "",
            "expiresAt": payload.data["expires_at"] ?? "",
        ]
        // Enforcement (issue 12 §5): one section per event in the templates, the deadline in
        // words, the failed checks, and a link to the participant's results.
        if event.rawValue.hasPrefix("certification.") {
            model[String(event.rawValue.dropFirst("certification.".count))] = true
            if let deadline = payload.data["deadline"].flatMap({ try? Date($0, strategy: .iso8601) }) {
                model["deadline"] = SurveillanceRules.moment(deadline)
            }
            model["status"] = payload.data["status"] ?? ""
            if let failed = payload.data["failed_checks"], !failed.isEmpty { model["failedChecks"] = failed }
            if let baseURL, let participant = payload.data["participant_id"] {
                model["resultsLink"] = baseURL + "/participants/" + participant + "/results"
            }
        }
        if let reasons = payload.data["reasons"], !reasons.isEmpty { model["reasons"] = reasons }
        if let summary = payload.data["summary"], !summary.isEmpty { model["summary"] = summary }
        model["auditors"] = event.forAuditors
        if let baseURL, let application = payload.data["application_id"] {
            model["link"] = baseURL + "/applications/" + application
        }
        if let token = payload.data[Notifications.linkTokenField] {
            // Without a public address the path alone is written, and the code beside it.
            let path = event == .accountVerifyEmail ? "/verify-email?token=" : "/password/reset?token="
            model["accountLink"] = (baseURL ?? "") + path + token
            model["accountCode"] = token
        }
        if event == .watchlistStatusChanged { model["watchlistLink"] = (baseURL ?? "") + "/watchlists" }
        return (event.subject, text.render(model), html.render(model))
    }
}

import Foundation
import Hummingbird
import Store

/// The snapshot sources for the secretariat: each source, where it is fetched from and how
/// often, and in sentences its last attempt, last success and last error, so a source that
/// stopped working is seen while the previous snapshot is still in force.
struct AdminSourcesPageModel: Encodable, Sendable {
    struct Source: Encodable, Sendable {
        let name: String
        let kind: String
        let location: String
        let cadence: String
        let lastAttempt: String
        let lastSuccess: String
        /// The last failure, when it is more recent than the last success.
        let failing: String?
        /// An older failure, for the record.
        let earlierFailure: String?
    }

    let csrf: String?
    let links: [NavLink]
    let file: String?
    let problem: String?
    let sources: [Source]
}

extension AdminPages {
    func sourcesPage(_ session: BrowserSession) async throws -> Response {
        let readout = try await sources.readout()
        let frame = PageFrame(session)
        let model = AdminSourcesPageModel(
            csrf: frame.csrf, links: frame.links, file: readout.file, problem: readout.problem,
            sources: readout.items.map { item in
                let failing = item.lastFailure.flatMap { failure in
                    item.lastSuccess.map { failure.attemptedAt > $0.attemptedAt } ?? true ? failure : nil
                }
                return .init(
                    name: item.name, kind: Self.kindWords(item.kind), location: item.location, cadence: Self.every(item.cadenceSeconds),
                    lastAttempt: item.lastAttempt.map(Self.attemptWords) ?? "Never fetched yet; the next run of the job fetches it.",
                    lastSuccess: item.lastSuccess.map(Self.successWords) ?? "No fetch has succeeded yet.",
                    failing: failing.map { "Failing since \(Self.moment($0.attemptedAt)): \($0.error ?? "")" },
                    earlierFailure: failing == nil
                        ? item.lastFailure.map { "Last failure, \(Self.moment($0.attemptedAt)): \($0.error ?? "")" } : nil)
            })
        return try pages.render("admin-sources", model: model)
    }

    static func kindWords(_ kind: String) -> String {
        switch kind {
        case "vrps": "VRPs (RPKI)"
        case "routes": "routes (BGP)"
        case "irr": "IRR route objects"
        case "peeringdb": "PeeringDB networks"
        case "spoofer": "Spoofer tests"
        default: kind
        }
    }

    /// "every 6 hours".
    static func every(_ seconds: Int) -> String {
        switch seconds {
        case let s where s % 86_400 == 0: s == 86_400 ? "every day" : "every \(s / 86_400) days"
        case let s where s % 3600 == 0: s == 3600 ? "every hour" : "every \(s / 3600) hours"
        case let s where s % 60 == 0: s == 60 ? "every minute" : "every \(s / 60) minutes"
        default: "every \(seconds) seconds"
        }
    }

    /// "20 July 2025 09:31 UTC".
    static func moment(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMMM yyyy HH:mm 'UTC'"
        return formatter.string(from: date)
    }

    static func attemptWords(_ fetch: SourceRoutes.FetchView) -> String {
        let when = moment(fetch.attemptedAt)
        switch fetch.outcome {
        case "imported": return "\(when): imported as snapshot \(fetch.snapshotID.map(String.init) ?? "?")."
        case "unchanged": return "\(when): unchanged since the last fetch; nothing imported."
        default: return "\(when): failed. \(fetch.error ?? "") The previous snapshot stays in force."
        }
    }

    static func successWords(_ fetch: SourceRoutes.FetchView) -> String {
        var words = moment(fetch.attemptedAt)
        if let id = fetch.snapshotID { words += ", snapshot \(id)" }
        if let sha = fetch.sha256 { words += " (sha256 \(sha.prefix(12))…)" }
        return words + "."
    }
}

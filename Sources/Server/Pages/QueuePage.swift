import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

extension WorkflowPages {
    /// The auditors' queue: filters in words, one card per item with Open (always) and Claim
    /// (when the reviewer may take it), sortable by column.
    func queuePage(
        _ request: Request, _ session: BrowserSession, now: Date, error: String?, status: HTTPResponse.Status, notice: String? = nil
    ) async throws -> Response {
        let statuses = ["open", "awaiting_second", "flagged", "closed"]
        var filter = QueueFilter()
        filter.program = request.query("program")
        filter.tier = request.query("tier").flatMap(Tier.init(rawValue:))
        filter.status = request.query("status").flatMap { statuses.contains($0) ? $0 : nil }
        filter.claimedBy = request.query("mine") == "true" ? session.user.id : nil
        filter.unassigned = request.query("unassigned") == "true"
        filter.overdue = request.query("overdue") == "true"
        if let sort = request.query("sort"), let column = QueueSort(rawValue: String(sort.drop(while: { $0 == "-" }))) {
            filter.sort = column
            filter.descending = sort.hasPrefix("-")
        }
        let items = try await reviews.queue(filter, limit: 200)
        let programs = try await catalogs.programs()
        let names = Dictionary(programs.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
        func encoded(_ text: Substring) -> String { String(text).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
        let kept = request.uri.queryParameters.filter { $0.key != "sort" && $0.key != "notice" }.map { "\(encoded($0.key))=\(encoded($0.value))" }
        /// Each sort link sorts by its column, and flips the order when it is already the one.
        func sortLink(_ column: QueueSort, _ label: String) -> [String: String] {
            let flip = filter.sort == column && !filter.descending
            let arrow = filter.sort == column ? (filter.descending ? " ↓" : " ↑") : ""
            return [
                "href": "/queue?" + (kept + ["sort=\(flip ? "-" : "")\(column.rawValue)"]).sorted().joined(separator: "&"), "label": label,
                "arrow": arrow,
            ]
        }
        var rows: [[String: Any]] = []
        for item in items {
            let live = item.claimedBy != nil && (item.claimExpiresAt ?? .distantPast) > now
            rows.append([
                "id": item.id.uuidString.lowercased(), "participant": item.participantName, "program": names[item.program] ?? item.program,
                "tier": PageWords.tier(item.tier), "status": PageWords.queueStatus(item.status), "due": Pages.time(item.dueAt),
                "overdue": item.overdue, "holder": (live ? item.claimedByName : nil) as Any,
                "claimable": try await mayClaim(item, session, now: now), "mine": live && item.claimedBy == session.user.id,
            ])
        }
        var model = Pages.frame(session)
        model.merge([
            "items": rows,
            "programs": programs.map { program -> [String: Any] in
                ["code": program.code, "name": program.name, "selected": program.code == filter.program]
            },
            "tiers": Tier.allCases.map { tier -> [String: Any] in ["code": tier.rawValue, "name": PageWords.tier(tier), "selected": tier == filter.tier] },
            "statuses": statuses.map { (status: String) -> [String: Any] in
                ["code": status, "name": PageWords.queueStatus(status), "selected": status == filter.status]
            },
            "mine": filter.claimedBy != nil, "unassigned": filter.unassigned, "overdue": filter.overdue,
            "sorts": [
                sortLink(.due, "due date"), sortLink(.participant, "participant"), sortLink(.program, "program"), sortLink(.tier, "level"),
                sortLink(.status, "status"),
            ],
            "error": error as Any, "notice": PageWords.notice(notice) as Any,
        ]) { $1 }
        return try pages.render("queue", model, status: status)
    }
}

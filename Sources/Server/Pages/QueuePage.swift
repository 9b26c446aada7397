import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// The auditors' queue as its template reads it.
struct QueuePageModel: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        let id: String
        let kind: String
        let subject: String
        let participant: String
        let program: String
        let tier: String
        let status: String
        let due: String
        let overdue: Bool
        let holder: String?
        let claimable: Bool
        let mine: Bool
    }
    struct Option: Encodable, Sendable {
        let code: String
        let name: String
        let selected: Bool
    }
    struct SortLink: Encodable, Sendable {
        let href: String
        let label: String
        let arrow: String
    }

    let csrf: String?
    let links: [NavLink]
    let items: [Item]
    let programs: [Option]
    let tiers: [Option]
    let kinds: [Option]
    let statuses: [Option]
    let mine: Bool
    let unassigned: Bool
    let overdue: Bool
    let sorts: [SortLink]
    let error: String?
    let notice: String?
}

extension WorkflowPages {
    /// The auditors' queue: filters in words, one card per item with Open (always) and Claim
    /// (when the reviewer may take it), sortable by column.
    func queuePage(
        _ request: Request, _ session: BrowserSession, now: Date, error: String?, status: HTTPResponse.Status, notice: String? = nil
    ) async throws -> Response {
        let filter = QueueFilter.parse(query: { request.query($0) }, user: session.user.id, asOf: now).filter
        let items = try await reviews.queue(filter, limit: 200)
        let programs = try await catalogs.programs()
        let names = Dictionary(programs.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
        func encoded(_ text: Substring) -> String { String(text).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
        let kept = request.uri.queryParameters.filter { $0.key != "sort" && $0.key != "notice" }.map { "\(encoded($0.key))=\(encoded($0.value))" }
        /// Each sort link sorts by its column, and flips the order when it is already the one.
        func sortLink(_ column: QueueSort, _ label: String) -> QueuePageModel.SortLink {
            let flip = filter.sort == column && !filter.descending
            return QueuePageModel.SortLink(
                href: "/queue?" + (kept + ["sort=\(flip ? "-" : "")\(column.rawValue)"]).sorted().joined(separator: "&"), label: label,
                arrow: filter.sort == column ? (filter.descending ? " ↓" : " ↑") : "")
        }
        let claimable = try await claimable(items, session, now: now)
        var rows: [QueuePageModel.Item] = []
        for item in items {
            let live = item.claim?.isLive(at: now) == true
            rows.append(
                QueuePageModel.Item(
                    id: item.id.uuidString.lowercased(), kind: item.kind.label, subject: item.subject, participant: item.participantName,
                    program: names[item.program] ?? item.program,
                    tier: PageWords.tier(item.tier), status: PageWords.queueStatus(item.status), due: Pages.time(item.dueAt),
                    overdue: item.overdue, holder: live ? item.claimedByName : nil, claimable: claimable.contains(item.id),
                    mine: live && item.claimedBy == session.user.id))
        }
        let frame = PageFrame(session)
        let model = QueuePageModel(
            csrf: frame.csrf, links: frame.links, items: rows,
            programs: programs.map { .init(code: $0.code, name: $0.name, selected: $0.code == filter.program) },
            tiers: Tier.allCases.map { .init(code: $0.rawValue, name: PageWords.tier($0), selected: $0 == filter.tier) },
            kinds: ReviewKind.allCases.map { .init(code: $0.rawValue, name: $0.label, selected: $0 == filter.kind) },
            statuses: ReviewStatus.allCases.map { .init(code: $0.rawValue, name: PageWords.queueStatus($0), selected: $0 == filter.status) },
            mine: filter.claimedBy != nil, unassigned: filter.unassigned, overdue: filter.overdue,
            sorts: [
                sortLink(.due, "due date"), sortLink(.participant, "participant"), sortLink(.program, "program"), sortLink(.tier, "level"),
                sortLink(.status, "status"),
            ],
            error: error, notice: PageWords.notice(notice))
        return try pages.render("queue", model: model, status: status)
    }
}

import Domain
import Foundation

/// The columns the queue sorts by; each maps to one fixed SQL expression.
public enum QueueSort: String, Sendable, CaseIterable {
    case due, participant, program, tier, status

    var column: String {
        switch self {
        case .due: "r.due_at"
        case .participant: "p.display_name"
        case .program: "r.program_code"
        case .tier: "r.tier"
        case .status: "r.status"
        }
    }
}

/// Filters of the auditors' queue.
public struct QueueFilter: Sendable {
    public var program: String?
    public var tier: Tier?
    /// Nil for every kind.
    public var kind: ReviewKind?
    /// Nil for every item not closed.
    public var status: ReviewStatus?
    public var claimedBy: UUID?
    public var unassigned = false
    public var overdue = false
    public var sort: QueueSort = .due
    /// Largest first when true.
    public var descending = false
    /// The time the filter is read at: which claims are live, which items overdue.
    public var asOf: Date

    public init(
        program: String? = nil, tier: Tier? = nil, kind: ReviewKind? = nil, status: ReviewStatus? = nil, claimedBy: UUID? = nil,
        unassigned: Bool = false,
        overdue: Bool = false, descending: Bool = false, asOf: Date
    ) {
        self.program = program
        self.tier = tier
        self.kind = kind
        self.status = status
        self.claimedBy = claimedBy
        self.unassigned = unassigned
        self.overdue = overdue
        self.descending = descending
        self.asOf = asOf
    }

    /// The one reading of the queue's query parameters (the API's and the page's): `program`,
    /// `tier`, `kind`, `status`, `mine`, `unassigned`, `overdue`, `sort` (a leading `-` for descending).
    /// Values it cannot read come back as refusals, and are left out of the filter.
    public static func parse(query: (String) -> String?, user: UUID, asOf: Date) -> (filter: QueueFilter, refusals: [FieldRefusal]) {
        var filter = QueueFilter(asOf: asOf)
        var refusals: [FieldRefusal] = []
        filter.program = query("program")
        if let text = query("tier") {
            filter.tier = Tier(rawValue: text)
            if filter.tier == nil { refusals.append(FieldRefusal("tier", "invalid", "tier is baseline or plus.")) }
        }
        if let text = query("kind") {
            filter.kind = ReviewKind(rawValue: text)
            if filter.kind == nil {
                refusals.append(FieldRefusal("kind", "invalid", "kind is one of \(ReviewKind.allCases.map(\.rawValue).joined(separator: ", "))."))
            }
        }
        if let text = query("status") {
            filter.status = ReviewStatus(rawValue: text)
            if filter.status == nil {
                refusals.append(FieldRefusal("status", "invalid", "status is open, awaiting_second, flagged or closed."))
            }
        }
        if query("mine") == "true" { filter.claimedBy = user }
        filter.unassigned = query("unassigned") == "true"
        filter.overdue = query("overdue") == "true"
        if let sort = query("sort") {
            if let column = QueueSort(rawValue: String(sort.drop(while: { $0 == "-" }))), sort.filter({ $0 == "-" }).count <= 1 {
                filter.sort = column
                filter.descending = sort.hasPrefix("-")
            } else {
                refusals.append(
                    FieldRefusal(
                        "sort", "invalid",
                        "sort is one of \(QueueSort.allCases.map(\.rawValue).joined(separator: ", ")), with a leading - for descending."))
            }
        }
        return (filter, refusals)
    }
}

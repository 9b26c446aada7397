import Foundation
import Routing

/// The rules of bulk supplier checks (`POST /api/v1/verify/bulk`, the `/verify/bulk` page): what
/// one input line is, how many a request may hold, and the words a buyer reads for each answer.
public enum BulkVerification {
    /// The most inputs one request may hold.
    public static let maxItems = 10_000

    /// What one input names.
    public enum Query: Sendable, Hashable {
        /// An AS number (`AS64500` or `64500`).
        case asn(ASN)
        /// A mark id, in its canonical form (`MP-XXXX-XXXX-C`).
        case mark(String)
        /// A participant's name, compared without regard to case.
        case name(String)
        /// A blank line or cell: answered, so rows keep their places.
        case empty
    }

    /// What `input` names. `markID` reads a mark id in any of its accepted spellings (nil when it
    /// is not one); only text that starts with `MP` is tried as one, so a name is never taken
    /// for a mark by accident.
    public static func query(_ input: String, markID: (String) -> String?) -> Query {
        let text = input.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return .empty }
        if let asn = parseASN(text) { return .asn(asn) }
        if text.uppercased().hasPrefix("MP"), let id = markID(text) { return .mark(id) }
        return .name(text)
    }

    /// The refusal of a request with `count` inputs, or nil when it is within the limit.
    public static func sizeRefusal(count: Int) -> Refusal? {
        guard count > maxItems else { return nil }
        return Refusal(
            "too_many_items",
            "A bulk check takes at most \(maxItems.formatted(.number.grouping(.never))) ASNs, mark ids or names; this one has \(count). Split the list."
        )
    }

    /// The headers a first CSV row may carry; a row that is one of them is not an input.
    static let headers: Set<String> = ["item", "items", "input", "query", "asn", "mark", "mark_id", "name", "supplier", "id"]

    /// The inputs of CSV rows: each row's first cell, after an optional header row.
    public static func inputs(fromCSV rows: [[String]]) -> [String] {
        var cells = rows.map { $0.first ?? "" }
        if let first = cells.first, headers.contains(first.trimmingCharacters(in: .whitespaces).lowercased()) { cells.removeFirst() }
        return cells
    }

    /// Said of every readiness figure: it is measured, not certified.
    public static let readinessLabel = "Measured from public routing data; this is not a certification."
}

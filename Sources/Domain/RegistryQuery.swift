import Foundation
import Routing

/// What the public registry of marks (`/registry`, `GET /api/v1/registry`) is asked: a search by
/// holder name, ASN or mark id, filters by program, tier, country and status, and a page. Read
/// once from query parameters, the same way for the page and the API.
public struct RegistryQuery: Sendable, Hashable {
    /// The search as typed (trimmed), 2 to 100 characters; nil for none.
    public var search: String?
    public var program: String?
    public var tier: Tier?
    /// An ISO 3166-1 alpha-2 code, upper case.
    public var country: String?
    public var status: CertificationStatus?
    /// The mark id the previous page ended with.
    public var after: String?
    public var limit: Int

    public static let defaultLimit = 50
    public static let maxLimit = 200
    /// The query parameters the registry reads.
    public static let parameters = ["q", "program", "tier", "country", "status", "cursor", "limit"]

    public init(
        search: String? = nil, program: String? = nil, tier: Tier? = nil, country: String? = nil, status: CertificationStatus? = nil,
        after: String? = nil, limit: Int = RegistryQuery.defaultLimit
    ) {
        self.search = search
        self.program = program
        self.tier = tier
        self.country = country
        self.status = status
        self.after = after
        self.limit = limit
    }

    /// A query as read: the query, or why each unreadable parameter was refused.
    public enum Parsed: Sendable, Equatable {
        case query(RegistryQuery)
        case refused([FieldRefusal])
    }

    /// The search read as an ASN (`AS3333` or `3333`), when it is one.
    public var searchASN: UInt32? {
        guard let search, search.uppercased().hasPrefix("AS") || search.allSatisfy(\.isNumber) else { return nil }
        return parseASN(search)
    }

    /// Reads the registry's query parameters. An empty parameter is no filter (a GET form sends
    /// every field). `programs` are the codes of the programs there are; `parseMark` reads a mark
    /// id (the canonical id, or nil when it is not one).
    public static func parse(_ parameters: [String: String], programs: Set<String>, parseMark: (String) -> String?) -> Parsed {
        func given(_ name: String) -> String? {
            guard let value = parameters[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
            return value
        }
        var query = RegistryQuery()
        var refusals: [FieldRefusal] = []
        if let search = given("q") {
            if search.count < 2 || search.count > 100 || TextRules.forbiddenCharacter(in: search) != nil {
                refusals.append(FieldRefusal("q", "invalid_search", "Search with 2 to 100 characters: a name, an AS number or a mark id."))
            } else {
                query.search = search
            }
        }
        if let program = given("program") {
            if Self.isProgramCode(program), programs.contains(program) {
                query.program = program
            } else {
                refusals.append(FieldRefusal("program", "invalid_program", "There is no program \(program.prefix(40)). Choose one from the list."))
            }
        }
        if let tier = given("tier") {
            if let value = Tier(rawValue: tier.lowercased()) {
                query.tier = value
            } else {
                refusals.append(FieldRefusal("tier", "invalid_tier", "The tier is baseline or plus."))
            }
        }
        if let country = given("country") {
            if let code = Country.canonical(country) {
                query.country = code
            } else {
                refusals.append(
                    FieldRefusal("country", "invalid_country", "\(country.prefix(40)) is not a country code: use two letters, like NL or DE."))
            }
        }
        if let status = given("status") {
            if let value = CertificationStatus(rawValue: status.lowercased()) {
                query.status = value
            } else {
                let known = CertificationStatus.allCases.map(\.rawValue).joined(separator: ", ")
                refusals.append(FieldRefusal("status", "invalid_status", "The status is one of \(known)."))
            }
        }
        if let cursor = given("cursor") {
            if let mark = parseMark(cursor) {
                query.after = mark
            } else {
                refusals.append(FieldRefusal("cursor", "invalid_cursor", "The cursor is not one this server returned."))
            }
        }
        if let limit = given("limit") {
            if let value = Int(limit), (1...maxLimit).contains(value) {
                query.limit = value
            } else {
                refusals.append(FieldRefusal("limit", "invalid_limit", "The limit is a number from 1 to \(maxLimit)."))
            }
        }
        return refusals.isEmpty ? .query(query) : .refused(refusals)
    }

    /// A program code's shape, as the schema checks it: a lower-case letter, then 1 to 31 lower-case
    /// letters, digits or hyphens.
    static func isProgramCode(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, (2...32).contains(text.unicodeScalars.count), ("a"..."z").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// The query parameters that ask this query again (empty filters left out), for links.
    public var parameters: [(String, String)] {
        var result: [(String, String)] = []
        if let search { result.append(("q", search)) }
        if let program { result.append(("program", program)) }
        if let tier { result.append(("tier", tier.rawValue)) }
        if let country { result.append(("country", country)) }
        if let status { result.append(("status", status.rawValue)) }
        if limit != Self.defaultLimit { result.append(("limit", String(limit))) }
        if let after { result.append(("cursor", after)) }
        return result
    }
}

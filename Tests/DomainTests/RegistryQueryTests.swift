import Domain
import Testing

/// The public registry's query, read the same way for the API and the page.
@Suite("Registry query")
struct RegistryQueryTests {
    static func parse(_ parameters: [String: String]) -> RegistryQuery.Parsed {
        RegistryQuery.parse(
            parameters, programs: ["netops", "ixp", "cdn", "vendor"], parseMark: { $0.uppercased().hasPrefix("MP-") ? $0.uppercased() : nil })
    }

    static func query(_ parameters: [String: String]) throws -> RegistryQuery {
        guard case .query(let query) = parse(parameters) else { throw Refusal("refused", "The query was refused.") }
        return query
    }

    @Test("filters are read canonically; empty fields are no filter; the search reads as an ASN when it is one")
    func reads() throws {
        let query = try Self.query(["q": " AS3333 ", "program": "netops", "tier": "Plus", "country": "nl", "status": "Warned", "limit": "20"])
        #expect(query == RegistryQuery(search: "AS3333", program: "netops", tier: .plus, country: "NL", status: .warned, limit: 20))
        #expect(query.searchASN == 3333)
        #expect(try Self.query(["q": "3333"]).searchASN == 3333)
        #expect(try Self.query(["q": "RIPE NCC"]).searchASN == nil)
        #expect(try Self.query(["q": "", "program": "", "tier": " ", "country": "", "status": "", "cursor": ""]) == RegistryQuery())
        #expect(
            query.parameters.map { "\($0)=\($1)" } == ["q=AS3333", "program=netops", "tier=plus", "country=NL", "status=warned", "limit=20"])
    }

    @Test("each unreadable value is refused by its field, all at once")
    func refuses() {
        guard case .refused(let refusals) = Self.parse(["tier": "gold", "country": "XX", "status": "lapsed", "limit": "500", "cursor": "abc"]) else {
            Issue.record("bad filters were accepted")
            return
        }
        #expect(refusals.map(\.field) == ["tier", "country", "status", "cursor", "limit"])
        #expect(refusals.map(\.refusal.code) == ["invalid_tier", "invalid_country", "invalid_status", "invalid_cursor", "invalid_limit"])
        guard case .refused(let search) = Self.parse(["q": "x", "program": "Not A Code"]) else {
            Issue.record("a one-letter search was accepted")
            return
        }
        #expect(search.map(\.refusal.code) == ["invalid_search", "invalid_program"])
        // A code in the right form that names no program is refused the same way.
        guard case .refused(let unknown) = Self.parse(["program": "carrier"]) else {
            Issue.record("a program that does not exist was accepted")
            return
        }
        #expect(unknown.map(\.field) == ["program"] && unknown.map(\.refusal.message) == ["There is no program carrier. Choose one from the list."])
    }
}

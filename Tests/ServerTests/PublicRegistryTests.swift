import Credentials
import Domain
import Foundation
import Postgres
import Server
import Store
import TestSupport
import Testing

/// The public registry of marks (issue 13) against a real PostgreSQL: every mark in any status,
/// searched and filtered the same way by the API and the page, paged in a stable order, and
/// nothing private in either.
@Suite("Public registry of marks")
struct PublicRegistryTests {
    /// A holder with a mark in a given state, written as a grant and later transitions would leave
    /// it (the networks are those of the demo: routed in the 2024 table, see stop notes).
    struct Holder {
        let legalName: String
        let displayName: String
        let country: String
        let program: String
        let tier: Tier
        let status: CertificationStatus
        let asn: String
    }

    static let holders = [
        Holder(
            legalName: "Agentia de Administrare a Retelei Nationale de Informatica pentru Educatie si Cercetare", displayName: "RoEduNet",
            country: "RO", program: "netops", tier: .plus, status: .suspended, asn: "AS2614"),
        Holder(
            legalName: "noris network AG", displayName: "noris network", country: "DE", program: "netops", tier: .baseline, status: .warned,
            asn: "AS12337"),
        Holder(
            legalName: "Claranet Limited", displayName: "Claranet", country: "GB", program: "ixp", tier: .baseline, status: .revoked,
            asn: "AS8196"),
        Holder(
            legalName: "Deutsche Telekom AG", displayName: "DTAG", country: "DE", program: "netops", tier: .baseline, status: .expired,
            asn: "AS3320"),
    ]

    /// Adds the holders, each with an approved application, a mark and a certification in its
    /// state; returns their mark ids by display name (the fixture's RIPE NCC mark under "RIPE NCC").
    static func addHolders(_ fixture: APIFixture) async throws -> [String: String] {
        let pool = fixture.db.pool
        var marks: [String: String] = [:]
        marks["RIPE NCC"] = try await pool.query("SELECT mark_id FROM certifications WHERE id = \(fixture.certification)")[0].decode(
            0, as: String.self)
        let granted = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
        for holder in holders {
            let mark = MarkID.random().text
            try await pool.transaction { connection in
                let participant = try await connection.query(
                    """
                    INSERT INTO participants (legal_name, display_name, country) VALUES (\(holder.legalName), \(holder.displayName), \(holder.country))
                    RETURNING id
                    """)[0].decode(0, as: UUID.self)
                let application = try await connection.query(
                    """
                    INSERT INTO applications (participant_id, program_code, catalog_version, tier, state, decided_at)
                    SELECT \(participant), \(holder.program), max(version), \(holder.tier.rawValue), 'approved', \(granted)
                    FROM catalog_versions WHERE program_code = \(holder.program) AND status = 'published'
                    RETURNING id
                    """)[0].decode(0, as: UUID.self)
                try await connection.execute(
                    "INSERT INTO marks (id, participant_id, program_code, created_at) VALUES (\(mark), \(participant), \(holder.program), \(granted))"
                )
                let certification = try await connection.query(
                    """
                    INSERT INTO certifications (participant_id, program_code, tier, catalog_version, application_id, actions, granted_at,
                                                valid_until, status, mark_id)
                    SELECT participant_id, program_code, tier, catalog_version, id, '{}', \(granted), \(granted.addingTimeInterval(365 * 86_400)),
                           \(holder.status.rawValue), \(mark)
                    FROM applications WHERE id = \(application)
                    RETURNING id
                    """)[0].decode(0, as: UUID.self)
                try await connection.execute(
                    "INSERT INTO certification_scope (certification_id, kind, value) VALUES (\(certification), 'asn', \(holder.asn))")
            }
            marks[holder.displayName] = mark
        }
        return marks
    }

    static func items(_ response: APIResponse) -> [[String: Any]] { response.json["items"] as? [[String: Any]] ?? [] }
    static func names(_ response: APIResponse) -> [String] { items(response).compactMap { $0["display_name"] as? String } }

    @Test("the API lists every mark in any status, by holder name, each with its status in words; pages walk it in a stable order")
    func listsEveryMark() async throws {
        try await APIFixture.run { fixture, api in
            let marks = try await Self.addHolders(fixture)
            let all = try await api.call(.get, "/api/v1/registry")
            #expect(all.status == 200, "\(all.text)")
            #expect(Self.names(all) == ["RoEduNet", "Claranet", "DTAG", "noris network", "RIPE NCC"])
            let words = Dictionary(
                uniqueKeysWithValues: Self.items(all).map { ($0["display_name"] as? String ?? "", $0["status_text"] as? String ?? "") })
            #expect(
                words == [
                    "RoEduNet": "suspended", "Claranet": "revoked", "DTAG": "expired", "noris network": "valid, with a warning", "RIPE NCC": "valid",
                ])
            let claranet = try #require(Self.items(all).first { $0["display_name"] as? String == "Claranet" })
            #expect(claranet["mark"] as? String == marks["Claranet"] && claranet["country"] as? String == "GB")
            #expect(claranet["program"] as? String == "ixp" && (claranet["since"] as? String)?.hasPrefix("2026-01-01") == true)
            #expect(all.json["next_cursor"] is NSNull)

            // Two at a time: the same order, each mark once, and the last page says so.
            var seen: [String] = []
            var cursor: String? = nil
            repeat {
                let page = try await api.call(.get, "/api/v1/registry?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(page.status == 200 && Self.items(page).count <= 2)
                seen += Self.names(page)
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil && seen.count < 10
            #expect(seen == Self.names(all))

            // The store answers the page and the API alike.
            let stored = try await MarkStore(database: fixture.db.pool).registry(RegistryQuery(country: "DE"))
            #expect(stored.items.map(\.displayName) == ["DTAG", "noris network"] && stored.nextCursor == nil)
        }
    }

    @Test("search by name, ASN or mark id, and filters by program, tier, country and status, combined")
    func searchAndFilters() async throws {
        try await APIFixture.run { fixture, api in
            let marks = try await Self.addHolders(fixture)
            func names(_ query: String) async throws -> [String] {
                let response = try await api.call(.get, "/api/v1/registry?" + query)
                #expect(response.status == 200, "\(query): \(response.text)")
                return Self.names(response)
            }
            #expect(try await names("q=NORIS") == ["noris network"])
            #expect(try await names("q=AS2614") == ["RoEduNet"])
            #expect(try await names("q=3333") == ["RIPE NCC"])
            let claranet = try #require(marks["Claranet"])
            #expect(try await names("q=\(claranet.lowercased())") == ["Claranet"])
            #expect(try await names("q=50%25") == [])  // a wildcard is taken literally
            #expect(try await names("country=de") == ["DTAG", "noris network"])
            #expect(try await names("country=DE&status=warned") == ["noris network"])
            #expect(try await names("program=netops&tier=plus") == ["RoEduNet"])
            #expect(try await names("program=netops&tier=baseline&country=DE&q=telekom") == ["DTAG"])
            #expect(try await names("status=revoked") == ["Claranet"])
            #expect(try await names("program=ixp&status=active") == [])
            // Empty fields (a GET form sends them all) filter nothing.
            #expect(try await names("q=&program=&tier=&country=&status=").count == 5)
        }
    }

    @Test("unreadable or unknown filter values are a 400 naming each parameter, on the API and the page")
    func invalidFilters() async throws {
        try await APIFixture.run { fixture, api in
            _ = try await Self.addHolders(fixture)
            for (query, field) in [
                ("tier=gold", "tier"), ("country=XX", "country"), ("status=lapsed", "status"), ("program=nope", "program"),
                ("program=NOT%20A%20CODE", "program"), ("q=a", "q"), ("limit=0", "limit"), ("limit=201", "limit"), ("cursor=abc", "cursor"),
            ] {
                let response = try await api.call(.get, "/api/v1/registry?" + query)
                #expect(response.status == 422, "\(query)")
                #expect(response.json["type"] as? String == "/problems/validation", "\(query)")
                #expect((response.json["errors"] as? [[String: Any]])?.map { $0["field"] as? String } == [field], "\(query)")
            }
            let two = try await api.call(.get, "/api/v1/registry?tier=gold&status=lapsed")
            #expect(two.status == 422 && (two.json["errors"] as? [Any])?.count == 2)

            let page = try await api.call(.get, "/registry?country=Netherlands&status=active")
            #expect(page.status == 422)
            #expect(page.text.contains("Netherlands is not a country code: use two letters, like NL or DE."))
            #expect(page.text.contains("value=\"Netherlands\"") && !page.text.contains("/marks/MP-"))
            let program = try await api.call(.get, "/registry?program=nope")
            #expect(program.status == 422 && program.text.contains("There is no program nope."))
        }
    }

    @Test("the page: no sign-in, a GET form keeping the search, every mark linking to its page, the next page as a link")
    func page() async throws {
        try await APIFixture.run { fixture, api in
            let marks = try await Self.addHolders(fixture)
            let page = try await api.call(.get, "/registry")
            #expect(page.status == 200 && page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains("<form method=\"get\" action=\"/registry\""))
            for mark in marks.values { #expect(page.text.contains("href=\"/marks/\(mark)\"")) }
            #expect(page.text.contains(">Suspended</span>") && page.text.contains(">Valid, with a warning</span>"))
            #expect(page.text.contains(">Revoked</span>") && page.text.contains(">Expired</span>"))

            let filtered = try await api.call(.get, "/registry?country=de&tier=baseline&limit=1")
            #expect(filtered.status == 200)
            #expect(filtered.text.contains("value=\"DE\"") && filtered.text.contains("<option value=\"baseline\" selected>"))
            #expect(filtered.text.contains("href=\"/marks/\(try #require(marks["DTAG"]))\"") && !filtered.text.contains("noris"))
            let next = "/registry?tier=baseline&amp;country=DE&amp;limit=1&amp;cursor=\(try #require(marks["DTAG"]))"
            #expect(filtered.text.contains("href=\"\(next)\""))
            let second = try await api.call(.get, next.replacingOccurrences(of: "&amp;", with: "&"))
            #expect(second.text.contains("noris network") && !second.text.contains("Deutsche Telekom") && !second.text.contains("Next page"))
            #expect(try await api.call(.get, "/registry?status=withdrawn").text.contains("No mark matches this search."))

            // Reached from every page's navigation and from the sign-in page.
            #expect(try await api.call(.get, "/login").text.contains("href=\"/registry\""))
        }
    }
}

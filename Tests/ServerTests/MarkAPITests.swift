import Canonical
import Credentials
import Domain
import Foundation
import Postgres
import Server
import Store
import Testing

/// The mark for buyers against a real PostgreSQL (issue 13): a granted certification carries a
/// mark whose credential verifies against the served did.json and status lists; enforcement flips
/// the bits on its own transaction; reads come with an ETag and 304.
@Suite("Marks: credentials, verification, status lists")
struct MarkAPITests {
    static func json(_ response: APIResponse) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: response.body) }

    /// What a verifier fetches: the credential, the DID document and both status lists.
    static func published(_ api: APIClient, mark: String) async throws -> (credential: JSONValue, did: JSONValue, lists: [JSONValue]) {
        let credential = try await api.call(.get, "/api/v1/marks/\(mark)/credential")
        #expect(credential.status == 200 && credential.headers[.contentType] == "application/vc+ld+json")
        let did = try await api.call(.get, "/.well-known/did.json")
        #expect(did.status == 200)
        var lists: [JSONValue] = []
        for purpose in ["suspension", "revocation"] {
            let list = try await api.call(.get, "/api/v1/status-lists/\(purpose)")
            #expect(list.status == 200)
            lists.append(try json(list))
        }
        return (try json(credential), try json(did), lists)
    }

    @Test(
        "a granted certification has a mark: verify by ASN, prefix, name and id; its credential verifies against the served did.json and status lists"
    )
    func grantedMarkVerifies() async throws {
        try await APIFixture.run { fixture, api in
            let byASN = try await api.call(.get, "/api/v1/verify?asn=AS3333")
            #expect(byASN.status == 200, "\(byASN.text)")
            let answer = byASN.json
            #expect(answer["certified"] as? Bool == true)
            let marks = try #require(answer["marks"] as? [[String: Any]])
            let mark = try #require(marks.first?["mark"] as? String)
            #expect(marks.first?["status"] as? String == "active" && marks.first?["status_text"] as? String == "valid")
            #expect(marks.first?["asns"] as? [Int] == [3333] && marks.first?["prefixes"] as? [String] == ["193.0.0.0/21"])
            #expect(answer["measured"] is NSNull)
            #expect((answer["summary"] as? String)?.contains("AS3333 is certified") == true)

            let byPrefix = try await api.call(.get, "/api/v1/verify?prefix=193.0.4.0/24").json
            #expect((byPrefix["marks"] as? [[String: Any]])?.first?["mark"] as? String == mark)
            let byName = try await api.call(.get, "/api/v1/verify?q=ripe").json
            #expect((byName["marks"] as? [[String: Any]])?.first?["mark"] as? String == mark)
            let byMark = try await api.call(.get, "/api/v1/verify?mark=\(mark.lowercased().replacingOccurrences(of: "-", with: ""))").json
            #expect(byMark["certified"] as? Bool == true)

            // A network without a mark: not certified, said plainly, with room for measurements.
            let none = try await api.call(.get, "/api/v1/verify?asn=64500")
            #expect(none.status == 200 && none.json["certified"] as? Bool == false && (none.json["marks"] as? [Any])?.isEmpty == true)
            #expect((none.json["summary"] as? String)?.contains("not certified") == true)
            #expect(try await api.call(.get, "/api/v1/verify?asn=3333&q=ripe").status == 422)
            #expect(try await api.call(.get, "/api/v1/verify?mark=MP-0000-0000-1").status == 422)

            // The certification records its mark.
            let recorded = try await fixture.db.pool.query("SELECT mark_id FROM certifications WHERE id = \(fixture.certification)")[0]
                .decode(0, as: String?.self)
            #expect(recorded == mark)

            let (credential, did, lists) = try await Self.published(api, mark: mark)
            let verified = try MarkVerifier.verify(credential, didDocument: did, at: Date().addingTimeInterval(1), statusLists: lists).get()
            #expect(verified.scope.mark.text == mark && verified.scope.asns == [3333] && verified.scope.organisation == "Reseaux IP Europeens NCC")
            #expect(verified.statusChecked == [.suspension, .revocation])
            guard case .object(let list)? = lists.first, case .object(let subject)? = list["credentialSubject"],
                case .string(let encoded)? = subject["encodedList"]
            else {
                Issue.record("the suspension list has no encoded list")
                return
            }
            #expect(try Bitstring(encoded: encoded).count >= 131_072)

            let history = try await api.call(.get, "/api/v1/marks/\(mark)/history").json
            #expect((history["items"] as? [[String: Any]])?.map { $0["status"] as? String } == ["granted"])
            let detail = try await api.call(.get, "/api/v1/marks/\(mark)")
            #expect(detail.status == 200 && (detail.json["links"] as? [String: String])?["badge"]?.hasSuffix("/marks/\(mark)/badge.svg") == true)
            #expect(try await api.call(.get, "/api/v1/marks/MP-ZESE-C4JA-P").status == 404)

            // Never private evidence: the evidence file and the commitment statement appear nowhere.
            for path in ["/api/v1/marks/\(mark)", "/api/v1/verify?asn=3333", "/api/v1/marks/\(mark)/credential", "/marks/\(mark)/badge.svg"] {
                let text = try await api.call(.get, path).text
                #expect(!text.contains("filters.pdf") && !text.contains("Prefix and AS-path filters"), "\(path)")
            }
        }
    }

    @Test(
        "enforcement flips the bits on its own transaction: warned fails the suspension check, active again verifies; a refused transition changes nothing"
    )
    func suspensionFlipsTheBit() async throws {
        try await APIFixture.run { fixture, api in
            let pool = fixture.db.pool
            try await pool.execute("UPDATE certifications SET tier = 'plus' WHERE id = \(fixture.certification)")
            let settings = try Settings.load(environment: [:])
            let store = EnforcementStore(database: pool, issuer: Services.issuer(settings))
            let mark = try await pool.query("SELECT mark_id FROM certifications WHERE id = \(fixture.certification)")[0].decode(0, as: String.self)
            let granted = try await CertificationStore(database: pool).certification(fixture.certification)
            let at = granted.grantedAt.addingTimeInterval(86_400)
            func context(_ offset: TimeInterval) -> ChangeContext { ChangeContext(actor: nil, requestID: nil, at: at.addingTimeInterval(offset)) }
            func bits() async throws -> (Bool, Bool) {
                let row = try await pool.query(
                    "SELECT suspended, revoked FROM mark_credentials WHERE mark_id = \(mark) ORDER BY issued_at DESC LIMIT 1")[0]
                return (try row.decode("suspended"), try row.decode("revoked"))
            }

            // A refused transition (only an admin overrides) leaves the bits as they were.
            await #expect(throws: StoreError.self) {
                _ = try await store.apply(.override(to: .suspended, reason: "Test."), to: fixture.certification, by: .scheduler, context: context(0))
            }
            #expect(try await bits() == (false, false))

            _ = try await store.apply(.checkFailed(results: [UUID()]), to: fixture.certification, by: .scheduler, context: context(0))
            #expect(try await bits() == (true, false))
            var (credential, did, lists) = try await Self.published(api, mark: mark)
            let checkAt = Date().addingTimeInterval(1)
            #expect(MarkVerifier.verify(credential, didDocument: did, at: checkAt, statusLists: lists).failure?.code == .suspended)
            let warned = try await api.call(.get, "/api/v1/verify?mark=\(mark)").json
            #expect(warned["certified"] as? Bool == true)
            #expect((warned["marks"] as? [[String: Any]])?.first?["status_text"] as? String == "valid, with a warning")
            #expect((warned["marks"] as? [[String: Any]])?.first?["reason"] as? String == "check_failed")
            let badge = try await api.call(.get, "/marks/\(mark)/badge.svg")
            #expect(badge.status == 200 && badge.headers[.cacheControl] == "no-cache" && badge.text.contains("valid, with a warning"))

            _ = try await store.apply(.checksPassed(results: [UUID()]), to: fixture.certification, by: .scheduler, context: context(3600))
            #expect(try await bits() == (false, false))
            (credential, did, lists) = try await Self.published(api, mark: mark)
            #expect(MarkVerifier.verify(credential, didDocument: did, at: Date().addingTimeInterval(1), statusLists: lists).failure == nil)
            let history = try await api.call(.get, "/api/v1/marks/\(mark)/history").json
            #expect((history["items"] as? [[String: Any]])?.map { $0["status"] as? String } == ["active", "warned", "granted"])
        }
    }

    @Test("reads are cached with an ETag: 304 on If-None-Match, and a change (from another writer) shows within a second")
    func etagsAndInvalidation() async throws {
        try await APIFixture.run(cached: true) { fixture, api in
            let first = try await api.call(.get, "/api/v1/verify?asn=3333")
            let etag = try #require(first.headers[.eTag])
            let again = try await api.call(.get, "/api/v1/verify?asn=3333", headers: ["If-None-Match": etag])
            #expect(again.status == 304 && again.body.isEmpty)
            let mark = try #require((first.json["marks"] as? [[String: Any]])?.first?["mark"] as? String)
            let badge = try await api.call(.get, "/marks/\(mark)/badge.svg")
            let badgeTag = try #require(badge.headers[.eTag])
            #expect(try await api.call(.get, "/marks/\(mark)/badge.svg", headers: ["If-None-Match": badgeTag]).status == 304)

            // Another writer (straight SQL, as another instance would) suspends the certification.
            try await fixture.db.pool.execute("UPDATE certifications SET status = 'suspended' WHERE id = \(fixture.certification)")
            let deadline = Date().addingTimeInterval(1)
            var changed: APIResponse?
            while Date() < deadline.addingTimeInterval(4) {
                let now = try await api.call(.get, "/api/v1/verify?asn=3333", headers: ["If-None-Match": etag])
                if now.status == 200 {
                    changed = now
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            let answer = try #require(changed, "the change never arrived").json
            #expect(answer["certified"] as? Bool == false)
            let suspendedBadge = try await api.call(.get, "/marks/\(mark)/badge.svg", headers: ["If-None-Match": badgeTag])
            #expect(suspendedBadge.status == 200 && suspendedBadge.text.contains("suspended"))
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}

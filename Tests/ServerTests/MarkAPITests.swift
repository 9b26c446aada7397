import Canonical
import Credentials
import Domain
import Foundation
import Postgres
import Server
import Store
import TestSupport
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
            // One question means one value: a repeated name is not answered by its first value.
            let twice = try await api.call(.get, "/api/v1/verify?asn=3333&asn=64500")
            #expect(twice.status == 422 && twice.problemType == "/problems/validation")
            #expect(try await api.call(.get, "/api/v1/verify?asn=+3333").status == 422)
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

            // Never private evidence: the evidence file, its hash, the commitment statement and the
            // owner's email appear nowhere, on the mark's reads or in the public registry.
            let hash = try await fixture.db.pool.query("SELECT encode(sha256, 'hex') FROM evidence WHERE id = \(fixture.evidence)")[0]
                .decode(0, as: String.self)
            for path in [
                "/api/v1/marks/\(mark)", "/api/v1/verify?asn=3333", "/api/v1/marks/\(mark)/credential", "/marks/\(mark)/badge.svg", "/marks/\(mark)",
                "/api/v1/registry", "/api/v1/registry?q=AS3333", "/registry", "/registry?q=ripe&country=NL",
            ] {
                let text = try await api.call(.get, path).text
                #expect(!text.contains("filters.pdf") && !text.contains("Prefix and AS-path filters"), "\(path)")
                #expect(!text.lowercased().contains(hash) && !text.contains("applicant@example.org"), "\(path)")
            }
            #expect(try await api.call(.get, "/registry?q=ripe&country=NL").text.contains("href=\"/marks/\(mark)\""))
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

extension MarkAPITests {
    /// Runs docs/verify_credential.py (through its venv script) on files.
    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [TestDatabase.repositoryRoot + "/scripts/verify-credential-python.sh"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: TestDatabase.repositoryRoot)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    static func write(_ value: JSONValue, _ name: String, in folder: URL) throws -> String {
        let file = folder.appendingPathComponent(name)
        try JSONEncoder().encode(value).write(to: file)
        return file.path
    }

    @Test(
        "the Python verifier accepts the served credential with the served did.json and lists; after rotate-key the old credential still verifies",
        .timeLimit(.minutes(5)))
    func pythonAndRotation() async throws {
        try await APIFixture.run { fixture, api in
            let mark = try #require(
                (try await api.call(.get, "/api/v1/verify?asn=3333").json["marks"] as? [[String: Any]])?.first?["mark"] as? String)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("marks-python-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            func check(_ published: (credential: JSONValue, did: JSONValue, lists: [JSONValue])) throws -> (status: Int32, output: String) {
                let at = DateTimeStamp.format(Date().addingTimeInterval(2))
                return try Self.python([
                    try Self.write(published.credential, "mark.json", in: folder), try Self.write(published.did, "did.json", in: folder), "--at", at,
                    "--status-list", try Self.write(published.lists[0], "suspension.json", in: folder),
                    "--status-list", try Self.write(published.lists[1], "revocation.json", in: folder),
                ])
            }
            let before = try check(try await Self.published(api, mark: mark))
            #expect(before.status == 0 && before.output.contains("VALID") && !before.output.contains("Status not checked"), "\(before.output)")

            let newKey = try await Services.issuer(try Settings.load(environment: [:])).rotate(
                database: fixture.db.pool, context: ChangeContext(actor: nil, requestID: nil, at: Date()))
            let rotated = try await Self.published(api, mark: mark)
            guard case .object(let did) = rotated.did, case .array(let methods)? = did["verificationMethod"] else {
                Issue.record("the DID document lists no keys")
                return
            }
            #expect(methods.count == 2)
            guard case .object(let list) = rotated.lists[0], case .object(let proof)? = list["proof"] else {
                Issue.record("the status list has no proof")
                return
            }
            let issuerDID = try Settings.load(environment: [:]).publicAddresses.issuer
            #expect(proof["verificationMethod"] == .string(newKey.methodID(under: issuerDID)))
            let after = try check(rotated)
            #expect(after.status == 0, "a credential signed before the rotation still verifies: \(after.output)")
        }
    }

    @Test("a revocation overturned on appeal issues a new credential: the old one stays revoked, the new one follows the restored status")
    func overturnedRevocation() async throws {
        try await APIFixture.run { fixture, api in
            let pool = fixture.db.pool
            try await pool.execute("UPDATE certifications SET tier = 'plus' WHERE id = \(fixture.certification)")
            let store = EnforcementStore(database: pool, issuer: Services.issuer(try Settings.load(environment: [:])))
            let id = fixture.certification
            let start = try await CertificationStore(database: pool).certification(id).grantedAt.addingTimeInterval(86_400)
            let applicant = try await UserStore(database: pool, passwords: Passwords(cost: 4)).actor(for: fixture.applicant.user.id)
            func at(_ days: Double, actor: Actor? = nil) -> ChangeContext {
                ChangeContext(actor: actor, requestID: nil, at: start.addingTimeInterval(days * 86_400))
            }
            _ = try await store.apply(.checkFailed(results: [UUID()]), to: id, by: .scheduler, context: at(0))
            _ = try await store.apply(.timePassed, to: id, by: .scheduler, context: at(31))
            _ = try await store.apply(.revokeForCause(decision: UUID()), to: id, by: .auditor(fixture.auditor.user.id), context: at(32))
            let revocation = try #require(try await store.transitions(of: id).first)
            #expect(revocation.to == .revoked)
            _ = try await store.apply(.appealOpened(against: revocation), to: id, by: .participant, context: at(33, actor: applicant))
            _ = try await store.apply(
                .appealDecided(decision: UUID(), granted: true), to: id, by: .auditor(fixture.admin.user.id), context: at(40))

            let rows = try await pool.query(
                "SELECT status_index, suspended, revoked, document FROM mark_credentials WHERE certification_id = \(id) ORDER BY issued_at")
            #expect(rows.count == 2)
            #expect(try rows.map { try $0.decode("revoked", as: Bool.self) } == [true, false])
            #expect(try rows[1].decode("suspended", as: Bool.self), "restored to suspended: the new credential is on the suspension list")
            #expect(try rows[0].decode("status_index", as: Int.self) != (try rows[1].decode("status_index", as: Int.self)))
            let old = try rows[0].decode("document", as: JSONB<JSONValue>.self).value

            _ = try await store.apply(.reinstate(decision: UUID(), checksPass: true), to: id, by: .auditor(fixture.admin.user.id), context: at(41))
            let mark = try await pool.query("SELECT mark_id FROM certifications WHERE id = \(id)")[0].decode(0, as: String.self)
            let (credential, did, lists) = try await Self.published(api, mark: mark)
            #expect(credential != old)
            // Checked in the simulated time after the reinstatement; the lists were published (now) before it.
            let checked = at(42).at
            #expect(MarkVerifier.verify(credential, didDocument: did, at: checked, statusLists: lists).failure == nil)
            #expect(MarkVerifier.verify(old, didDocument: did, at: checked, statusLists: lists).failure?.code == .revoked)
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}

import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Server
import Store
import TestSupport
import Testing

/// The REST API's conventions, end to end against a real PostgreSQL.
@Suite("Registry API")
struct RegistryAPITests {
    @Test("a newcomer's tour: programs with their actions, a participant with resources and contacts, then reading it back")
    func tour() async throws {
        try await APIFixture.run { fixture, api in
            let programs = try await api.call(.get, "/api/v1/programs")
            #expect((programs.json["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["cdn", "ixp", "netops", "vendor"])
            let ixp = try await api.call(.get, "/api/v1/programs/ixp")
            let actions = ((ixp.json["catalog"] as? [String: Any])?["document"] as? [String: Any])?["actions"] as? [[String: Any]]
            #expect(actions?.first?["code"] as? String == "ixp.1")

            let created = try await api.call(
                .post, "/api/v1/participants", token: fixture.otherApplicant.token,
                json: """
                    {"legal_name": "SpaceNet AG", "display_name": "SpaceNet", "country": "de", "website": "https://www.space.net",
                     "programs": ["netops", "cdn"],
                     "resources": [{"kind": "asn", "value": "AS5539"}, {"kind": "prefix", "value": "2001:0608:0000::/32"}],
                     "contacts": [{"role": "noc", "email": "noc@space.net", "phone": "+49 89 32356 0", "available_24x7": true}]}
                    """)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            #expect(created.headers[.location] == "/api/v1/participants/\(id)")
            #expect(created.json["country"] as? String == "DE")
            let resources = try await api.call(.get, "/api/v1/participants/\(id)/resources", token: fixture.otherApplicant.token)
            #expect((resources.json["items"] as? [[String: Any]])?.compactMap { $0["value"] as? String } == ["AS5539", "2001:608::/32"])
            let contacts = try await api.call(.get, "/api/v1/participants/\(id)/contacts", token: fixture.auditor.token)
            #expect((contacts.json["items"] as? [[String: Any]])?.first?["available_24x7"] as? Bool == true)
            let members = try await api.call(.get, "/api/v1/participants/\(id)/members", token: fixture.otherApplicant.token)
            #expect((members.json["items"] as? [[String: Any]])?.first?["role"] as? String == "owner")
            let mine = try await api.call(.get, "/api/v1/participants", token: fixture.otherApplicant.token)
            #expect(Set((mine.json["items"] as? [[String: Any]])?.compactMap { $0["display_name"] as? String } ?? []) == ["HOL", "SpaceNet"])
            let byASN = try await api.call(.get, "/api/v1/participants?asn=AS5539", token: fixture.auditor.token)
            #expect((byASN.json["items"] as? [[String: Any]])?.count == 1)
            let history = try await api.call(.get, "/api/v1/participants/\(id)/timeline", token: fixture.admin.token)
            let actionsRecorded = (history.json["items"] as? [[String: Any]])?.compactMap { $0["action"] as? String }
            #expect(actionsRecorded == ["participant.created", "resource.claimed", "resource.claimed", "contact.added"])
            // A claim starts unverified, and the participant sees so.
            let states = (resources.json["items"] as? [[String: Any]])?.compactMap { ($0["verification"] as? [String: Any])?["state"] as? String }
            #expect(states == ["unverified", "unverified"])
        }
    }

    @Test("a claim of a verified resource is a 409 that names the holder to staff only, and writes nothing")
    func heldResource() async throws {
        try await APIFixture.run { fixture, api in
            let before = try await fixture.rowCounts()
            let other = fixture.other.id.uuidString.lowercased()
            for value in ["AS3333", "193.0.4.0/22", "193.0.0.0/16"] {
                let kind = value.hasPrefix("AS") ? "asn" : "prefix"
                for (token, named) in [(fixture.otherApplicant.token, false), (fixture.admin.token, true)] {
                    let response = try await api.call(
                        .post, "/api/v1/participants/\(other)/resources", token: token, json: #"{"kind":"\#(kind)","value":"\#(value)"}"#)
                    #expect(response.status == 409)
                    #expect(response.problemType == "/problems/resource-held")
                    #expect((response.json["detail"] as? String)?.contains("RIPE NCC") == named, "\(response.text)")
                }
            }
            let create = try await api.call(
                .post, "/api/v1/participants", token: fixture.otherApplicant.token,
                json:
                    #"{"legal_name":"Copycat","country":"NL","programs":["netops"],"resources":[{"kind":"asn","value":"AS65000"},{"kind":"asn","value":"3333"}]}"#
            )
            #expect(create.status == 422)  // AS65000 is private: refused before anything is tried
            #expect(create.fieldCodes == ["resources[0].value": "bogon_asn"])
            let copycat = try await api.call(
                .post, "/api/v1/participants", token: fixture.otherApplicant.token,
                json: #"{"legal_name":"Copycat","country":"NL","programs":["netops"],"resources":[{"kind":"asn","value":"AS3333"}]}"#)
            #expect(copycat.status == 409)
            #expect((copycat.json["detail"] as? String)?.contains("RIPE NCC") == false)
            #expect(try await fixture.rowCounts() == before)
        }
    }

    @Test("squatting: no claim of a /2 or of special-purpose space, and an unverified claim blocks no real holder")
    func squatting() async throws {
        try await APIFixture.run { fixture, api in
            let other = "/api/v1/participants/\(fixture.other.id.uuidString.lowercased())/resources"
            let own = "/api/v1/participants/\(fixture.own.id.uuidString.lowercased())/resources"
            for (value, code) in [
                ("64.0.0.0/2", "contains_special_purpose"), ("0.0.0.0/1", "contains_special_purpose"), ("80.0.0.0/4", "too_broad"),
                ("2a00::/12", "too_broad"),
            ] {
                let refused = try await api.call(.post, other, token: fixture.otherApplicant.token, json: #"{"kind":"prefix","value":"\#(value)"}"#)
                #expect(refused.status == 422 && refused.fieldCodes == ["value": code], "\(value): \(refused.text)")
            }
            // HOL squats a /8 and an ASN; the real holders can still claim, and the squat names no one.
            for (kind, value) in [("prefix", "80.0.0.0/8"), ("asn", "AS15169")] {
                let squat = try await api.call(.post, other, token: fixture.otherApplicant.token, json: #"{"kind":"\#(kind)","value":"\#(value)"}"#)
                #expect(squat.status == 201, "\(squat.text)")
                #expect((squat.json["verification"] as? [String: Any])?["state"] as? String == "unverified")
            }
            for (kind, value) in [("prefix", "80.0.0.0/16"), ("asn", "AS15169")] {
                let real = try await api.call(.post, own, token: fixture.applicant.token, json: #"{"kind":"\#(kind)","value":"\#(value)"}"#)
                #expect(real.status == 201, "\(real.text)")
            }
        }
    }

    @Test("the shortest claimable prefix comes from the settings, for claims and for new participants alike")
    func claimLengthSettings() async throws {
        let settings = try Settings.load(environment: ["CLAIM_MIN_IPV4_LENGTH": "16", "CLAIM_MIN_IPV6_LENGTH": "32"])
        try await APIFixture.run(settings: settings) { fixture, api in
            let path = "/api/v1/participants/\(fixture.other.id.uuidString.lowercased())/resources"
            for (value, status) in [("80.0.0.0/12", 422), ("80.0.0.0/16", 201), ("2a00::/29", 422), ("2a00::/32", 201)] {
                let response = try await api.call(.post, path, token: fixture.otherApplicant.token, json: #"{"kind":"prefix","value":"\#(value)"}"#)
                #expect(response.status == status, "\(value): \(response.text)")
                if status == 422 { #expect(response.fieldCodes == ["value": "too_broad"]) }
            }
            let create = try await api.call(
                .post, "/api/v1/participants", token: fixture.otherApplicant.token,
                json: #"{"legal_name":"Wide","country":"NL","programs":["netops"],"resources":[{"kind":"prefix","value":"81.0.0.0/12"}]}"#)
            #expect(create.fieldCodes == ["resources[0].value": "too_broad"])
        }
    }

    @Test("verification: staff list unverified claims and verify them with a reason; competing claims are superseded; participants see the basis")
    func verification() async throws {
        try await APIFixture.run { fixture, api in
            let otherPath = "/api/v1/participants/\(fixture.other.id.uuidString.lowercased())/resources"
            let ownPath = "/api/v1/participants/\(fixture.own.id.uuidString.lowercased())/resources"
            let claimed = try await api.call(.post, otherPath, token: fixture.otherApplicant.token, json: #"{"kind":"prefix","value":"5.48.0.0/14"}"#)
            let competing = try await api.call(.post, ownPath, token: fixture.applicant.token, json: #"{"kind":"prefix","value":"5.49.0.0/16"}"#)
            #expect(claimed.status == 201 && competing.status == 201)
            let id = try #require(claimed.json["id"] as? String)

            // The queue of unverified claims, for staff.
            let queue = try await api.call(.get, "/api/v1/resources?verification=unverified", token: fixture.auditor.token)
            #expect((queue.json["items"] as? [[String: Any]])?.compactMap { $0["value"] as? String } == ["5.48.0.0/14", "5.49.0.0/16"])
            #expect(try await api.call(.get, "/api/v1/resources?verification=unverified", token: fixture.applicant.token).status == 403)
            #expect(
                try await api.call(.get, "/api/v1/resources?verification=maybe", token: fixture.auditor.token).fieldCodes == [
                    "verification": "invalid"
                ])

            // Only admins verify, with a reason.
            let verify = "\(otherPath)/\(id)/verify"
            for token in [fixture.otherApplicant.token, fixture.auditor.token] {
                #expect(try await api.call(.post, verify, token: token, json: #"{"reason":"mine"}"#).status == 403)
            }
            #expect(try await api.call(.post, verify, token: fixture.admin.token, json: #"{"reason":" "}"#).fieldCodes == ["reason": "required"])
            #expect(
                try await api.call(.post, verify, token: fixture.admin.token, json: #"{"reason":"x","url":"ftp://x"}"#).fieldCodes == [
                    "url": "invalid_url"
                ])
            let verified = try await api.call(
                .post, verify, token: fixture.admin.token, json: #"{"reason":"RIPE database: inetnum 5.48.0.0/14","url":"https://apps.db.ripe.net/"}"#
            )
            #expect(verified.status == 200, "\(verified.text)")
            let record = try #require(verified.json["verification"] as? [String: Any])
            #expect(record["state"] as? String == "verified" && record["basis"] as? String == "staff")
            #expect(record["by"] as? String == fixture.admin.user.id.uuidString.lowercased() && record["at"] is String)
            #expect(try await api.call(.post, verify, token: fixture.admin.token, json: #"{"reason":"again"}"#).status == 409)

            // The participant sees its resource's basis; the competing claimant sees its claim superseded, without the holder's name.
            let mine = try await api.call(.get, otherPath, token: fixture.otherApplicant.token)
            let seen = (mine.json["items"] as? [[String: Any]])?.first { $0["id"] as? String == id }?["verification"] as? [String: Any]
            #expect(seen?["reason"] as? String == "RIPE database: inetnum 5.48.0.0/14")
            let theirs = try await api.call(.get, "\(ownPath)?within=5.49.0.0/16", token: fixture.applicant.token)
            let superseded = (theirs.json["items"] as? [[String: Any]])?.first?["verification"] as? [String: Any]
            #expect(superseded?["state"] as? String == "superseded")
            #expect((superseded?["reason"] as? String)?.contains("HOL") == false)

            // Withdrawing needs a reason too; twice is a 409.
            let unverify = "\(otherPath)/\(id)/unverify"
            #expect(try await api.call(.post, unverify, token: fixture.admin.token, json: #"{}"#).fieldCodes == ["reason": "required"])
            let withdrawn = try await api.call(.post, unverify, token: fixture.admin.token, json: #"{"reason":"Transferred to another LIR."}"#)
            #expect((withdrawn.json["verification"] as? [String: Any])?["state"] as? String == "unverified")
            #expect(
                try await api.call(.post, unverify, token: fixture.admin.token, json: #"{"reason":"again"}"#).problemType
                    == "/problems/resource-not-verified")
            #expect(try await api.call(.post, "\(otherPath)/\(UUID())/verify", token: fixture.admin.token, json: #"{"reason":"x"}"#).status == 404)

            // The RPKI re-run: nothing to do without VRPs.
            let rerun = try await api.call(.post, "/api/v1/resources/rpki-verification", token: fixture.admin.token, json: "{}")
            #expect(rerun.status == 200 && (rerun.json["items"] as? [Any])?.isEmpty == true)
            let history = try await api.call(
                .get, "/api/v1/participants/\(fixture.own.id.uuidString.lowercased())/timeline", token: fixture.applicant.token)
            #expect((history.json["items"] as? [[String: Any]])?.last?["action"] as? String == "resource.superseded")
        }
    }

    @Test("two updates with the same ETag: exactly one wins, the other gets 412; no If-Match is a 428")
    func optimisticConcurrency() async throws {
        try await APIFixture.run { fixture, api in
            let path = "/api/v1/participants/\(fixture.own.id.uuidString.lowercased())"
            let read = try await api.call(.get, path, token: fixture.applicant.token)
            let etag = try #require(read.headers[.eTag])
            #expect(etag == "\"1\"")
            let notModified = try await api.call(.get, path, token: fixture.applicant.token, headers: ["If-None-Match": etag])
            #expect(notModified.status == 304)

            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await api.call(
                            .patch, path, token: fixture.applicant.token, json: #"{"display_name":"Writer \#(index)"}"#, headers: ["If-Match": etag]
                        ).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 412 }.count == 7, "\(statuses)")
            let after = try await api.call(.get, path, token: fixture.applicant.token)
            #expect(after.headers[.eTag] == "\"2\"")
            let updates = try await fixture.db.pool.query("SELECT count(*) FROM audit_events WHERE action = 'participant.updated'")[0].decode(
                0, as: Int.self)
            #expect(updates == 1)

            let stale = try await api.call(
                .patch, path, token: fixture.applicant.token, json: #"{"display_name":"Late"}"#, headers: ["If-Match": etag])
            #expect(stale.status == 412 && stale.problemType == "/problems/stale-version" && stale.headers[.eTag] == "\"2\"")
            let missing = try await api.call(.patch, path, token: fixture.applicant.token, json: #"{"display_name":"Blind"}"#)
            #expect(missing.status == 428 && missing.problemType == "/problems/version-required")
            // Clearing a field with null, and a status change only admins may make.
            let cleared = try await api.call(.patch, path, token: fixture.applicant.token, json: #"{"website":null}"#, headers: ["If-Match": "\"2\""])
            #expect(cleared.status == 200 && cleared.json["website"] == nil)
            let status = try await api.call(
                .patch, path, token: fixture.applicant.token, json: #"{"status":"inactive"}"#, headers: ["If-Match": "\"3\""])
            #expect(status.status == 403)
            #expect(
                try await api.call(.patch, path, token: fixture.admin.token, json: #"{"status":"inactive"}"#, headers: ["If-Match": "\"3\""]).status
                    == 200)
        }
    }

    @Test("Idempotency-Key: same key and body replay the first response; another body is a 422; racing retries create one")
    func idempotency() async throws {
        try await APIFixture.run { fixture, api in
            let body = #"{"legal_name":"Retry Networks","country":"NL","programs":["netops"]}"#
            let first = try await api.call(
                .post, "/api/v1/participants", token: fixture.applicant.token, json: body, headers: ["Idempotency-Key": "k-1"])
            let second = try await api.call(
                .post, "/api/v1/participants", token: fixture.applicant.token, json: body, headers: ["Idempotency-Key": "k-1"])
            #expect(first.status == 201 && second.status == 201)
            #expect(first.body == second.body)
            #expect(second.headers[.location] == first.headers[.location])
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let other = try await api.call(
                .post, "/api/v1/participants", token: fixture.applicant.token,
                json: #"{"legal_name":"Something Else","country":"NL","programs":["netops"]}"#, headers: ["Idempotency-Key": "k-1"])
            #expect(other.status == 422 && other.problemType == "/problems/idempotency-key-reused")
            // Keys belong to their user: another user's k-1 is a fresh request.
            let someoneElse = try await api.call(
                .post, "/api/v1/participants", token: fixture.otherApplicant.token, json: body, headers: ["Idempotency-Key": "k-1"])
            #expect(someoneElse.status == 201 && someoneElse.body != first.body)

            let raced = try await withThrowingTaskGroup(of: Data.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await api.call(
                            .post, "/api/v1/participants", token: fixture.applicant.token,
                            json: #"{"legal_name":"Race Networks","country":"NL","programs":["netops"]}"#, headers: ["Idempotency-Key": "race"]
                        ).body
                    }
                }
                return try await group.reduce(into: Set<Data>()) { $0.insert($1) }
            }
            #expect(raced.count == 1)
            let count = try await fixture.db.pool.query("SELECT count(*) FROM participants WHERE legal_name = 'Race Networks'")[0].decode(
                0, as: Int.self)
            #expect(count == 1)

            // A token's secret is never stored for replays: the replay says the token was made, without it.
            let token = try await api.call(
                .post, "/api/v1/users/me/tokens", token: fixture.applicant.token, json: #"{"name":"ci"}"#, headers: ["Idempotency-Key": "tok"])
            let replay = try await api.call(
                .post, "/api/v1/users/me/tokens", token: fixture.applicant.token, json: #"{"name":"ci"}"#, headers: ["Idempotency-Key": "tok"])
            #expect(token.json["secret"] is String && replay.json["secret"] == nil)
            #expect((token.json["token"] as? [String: Any])?["id"] as? String == (replay.json["token"] as? [String: Any])?["id"] as? String)
            let stored = try await fixture.db.pool.query("SELECT body FROM idempotency_keys WHERE key = 'tok'")[0].decode(0, as: Data.self)
            #expect(!String(decoding: stored, as: UTF8.self).contains(token.json["secret"] as? String ?? "mp_"))
        }
    }

    @Test("bad input gets a 4xx problem that names the fields, and nothing is written")
    func badInput() async throws {
        try await APIFixture.run { fixture, api in
            let before = try await fixture.rowCounts()
            let cases: [(String, Data?, Int, String, [String: String])] = [
                ("malformed JSON", Data(#"{"legal_name": "#.utf8), 400, "/problems/malformed-json", [:]),
                ("invalid UTF-8", Data([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400, "/problems/malformed-json", [:]),
                ("not an object", Data("[1,2]".utf8), 422, "/problems/validation", [:]),
                (
                    "wrong type", Data(#"{"legal_name": 5, "country": "NL", "programs": ["netops"]}"#.utf8), 422, "/problems/validation",
                    ["legal_name": "wrong_type"]
                ),
                ("missing field", Data(#"{"country": "NL", "programs": ["netops"]}"#.utf8), 422, "/problems/validation", ["legal_name": "required"]),
                (
                    "unknown field", Data(#"{"legal_name": "X", "country": "NL", "programs": ["netops"], "admin": true}"#.utf8), 422,
                    "/problems/validation", ["admin": "unknown_field"]
                ),
                (
                    "unknown nested field",
                    Data(
                        #"{"legal_name": "X", "country": "NL", "programs": ["netops"], "contacts": [{"role": "noc", "email": "a@b.net", "pager": "1"}]}"#
                            .utf8),
                    422, "/problems/validation", ["contacts[0].pager": "unknown_field"]
                ),
                (
                    "string over its limit",
                    Data(#"{"legal_name": "\#(String(repeating: "x", count: 201))", "country": "NL", "programs": ["netops"]}"#.utf8),
                    422, "/problems/validation", ["legal_name": "too_long"]
                ),
                (
                    "control characters", Data(#"{"legal_name": "Evil\u0000Corp", "country": "NL", "programs": ["netops"]}"#.utf8), 422,
                    "/problems/validation", ["legal_name": "invalid_characters"]
                ),
                (
                    "several bad fields at once",
                    Data(
                        #"{"legal_name": " ", "country": "XX", "website": "javascript:alert(1)", "programs": [], "resources": [{"kind": "prefix", "value": "10.0.0.0/8"}, {"kind": "prefix", "value": "193.0.0.1/21"}], "contacts": [{"role": "noc", "email": "nope"}]}"#
                            .utf8),
                    422, "/problems/validation",
                    [
                        "legal_name": "required", "country": "invalid_country", "website": "invalid_url", "programs": "required",
                        "resources[0].value": "bogon_prefix", "resources[1].value": "host_bits_set", "contacts[0].email": "invalid_email",
                    ]
                ),
                (
                    "unknown enum",
                    Data(#"{"legal_name": "X", "country": "NL", "programs": ["netops"], "contacts": [{"role": "ceo", "email": "a@b.net"}]}"#.utf8),
                    422, "/problems/validation", [:]
                ),
                (
                    "unknown program", Data(#"{"legal_name": "X", "country": "NL", "programs": ["gold"]}"#.utf8), 422, "/problems/validation",
                    ["programs[0]": "unknown_program"]
                ),
                (
                    "huge array",
                    Data(
                        (#"{"legal_name": "X", "country": "NL", "programs": ["netops"], "resources": ["#
                            + Array(repeating: #"{"kind":"asn","value":"AS1"}"#, count: 1001).joined(separator: ",") + "]}").utf8),
                    422, "/problems/validation", ["resources": "too_many"]
                ),
                (
                    "body over the limit", Data(#"{"legal_name": "\#(String(repeating: "x", count: 1_100_000))"}"#.utf8), 413,
                    "/problems/body-too-large", [:]
                ),
            ]
            for (name, body, status, type, fields) in cases {
                let response = try await api.call(.post, "/api/v1/participants", token: fixture.applicant.token, body: body)
                #expect(response.status == status, "\(name): \(response.status) \(response.text.prefix(300))")
                #expect(response.problemType == type, "\(name): \(response.text.prefix(300))")
                #expect(response.headers[.contentType] == "application/problem+json", "\(name)")
                for (field, code) in fields { #expect(response.fieldCodes[field] == code, "\(name): \(response.fieldCodes)") }
            }
            let xml = try await api.call(
                .post, "/api/v1/participants", token: fixture.applicant.token, body: Data("<x/>".utf8), headers: ["Content-Type": "application/xml"])
            #expect(xml.status == 415)
            let unknownID = try await api.call(.get, "/api/v1/participants/\(UUID().uuidString)", token: fixture.admin.token)
            #expect(unknownID.status == 404)
            let notAnID = try await api.call(.get, "/api/v1/participants/42", token: fixture.admin.token)
            #expect(notAnID.status == 404)
            let badLimit = try await api.call(.get, "/api/v1/participants?limit=100000", token: fixture.admin.token)
            #expect(badLimit.fieldCodes == ["limit": "out_of_range"])
            let badCursor = try await api.call(.get, "/api/v1/participants?cursor=%01%02", token: fixture.admin.token)
            #expect(badCursor.fieldCodes == ["cursor": "invalid_cursor"])
            let nulCursor = try await api.call(.get, "/api/v1/participants?cursor=%00%01", token: fixture.admin.token, checkContract: false)
            #expect(nulCursor.fieldCodes == ["cursor": "invalid_characters"])
            let badFilter = try await api.call(.get, "/api/v1/participants?asn=AS23456&country=Narnia", token: fixture.admin.token)
            #expect(badFilter.fieldCodes == ["asn": "bogon_asn", "country": "invalid_country"])
            #expect(try await fixture.rowCounts() == before)
        }
    }

    @Test("catalog versions over HTTP: draft, edit with If-Match, publish; a published version answers 409")
    func catalogWorkflow() async throws {
        try await APIFixture.run { fixture, api in
            let draft = try await api.call(.post, "/api/v1/programs/netops/versions", token: fixture.admin.token, json: "{}")
            #expect(draft.status == 201 && draft.json["version"] as? Int == 2 && draft.json["status"] as? String == "draft")
            #expect(draft.headers[.location] == "/api/v1/programs/netops/versions/2")
            var document = try #require(draft.json["document"] as? [String: Any])
            var enforcement = try #require(document["enforcement"] as? [String: Any])
            var plusEnforcement = try #require(enforcement["plus"] as? [String: Any])
            plusEnforcement["warning_grace_days"] = 14
            enforcement["plus"] = plusEnforcement
            document["enforcement"] = enforcement
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["document": document]), as: UTF8.self)
            let read = try await api.call(.get, "/api/v1/programs/netops/versions/2", token: fixture.admin.token)
            let edited = try await api.call(
                .put, "/api/v1/programs/netops/versions/2", token: fixture.admin.token, json: body,
                headers: ["If-Match": read.headers[.eTag] ?? ""])
            #expect(edited.status == 200, "\(edited.text.prefix(300))")
            #expect(try await api.call(.get, "/api/v1/programs/netops").json["current_version"] as? Int == 1)
            let published = try await api.call(
                .post, "/api/v1/programs/netops/versions/2/publish", token: fixture.admin.token,
                headers: ["If-Match": edited.headers[.eTag] ?? ""])
            #expect(published.status == 200 && published.json["is_current"] as? Bool == true)
            #expect(try await api.call(.get, "/api/v1/programs/netops").json["current_version"] as? Int == 2)
            // What was granted under version 1 keeps version 1; new applications get version 2.
            let certification = try await api.call(
                .get, "/api/v1/certifications/\(fixture.certification.uuidString.lowercased())", token: fixture.admin.token)
            #expect(certification.json["catalog_version"] as? Int == 1)
            let approved = try await api.call(.get, "/api/v1/applications/\(fixture.approved.uuidString.lowercased())", token: fixture.admin.token)
            #expect((approved.json["application"] as? [String: Any])?["catalog_version"] as? Int == 1)
            let fresh = try await api.call(
                .post, "/api/v1/applications", token: fixture.applicant.token,
                json: #"{"participant_id":"\#(fixture.own.id.uuidString.lowercased())","program":"netops","tier":"plus"}"#)
            #expect(fresh.status == 201 && fresh.json["catalog_version"] as? Int == 2)
            let frozen = try await api.call(
                .put, "/api/v1/programs/netops/versions/1", token: fixture.admin.token, json: body, headers: ["If-Match": "\"1\""])
            #expect(frozen.status == 409 && frozen.problemType == "/problems/catalog-published")
            // An invalid draft is refused field by field.
            _ = try await api.call(.post, "/api/v1/programs/netops/versions", token: fixture.admin.token, json: "{}")
            plusEnforcement["max_suspension_days"] = 9999
            enforcement["plus"] = plusEnforcement
            document["enforcement"] = enforcement
            let invalid = String(decoding: try JSONSerialization.data(withJSONObject: ["document": document]), as: UTF8.self)
            let refused = try await api.call(
                .put, "/api/v1/programs/netops/versions/3", token: fixture.admin.token, json: invalid, headers: ["If-Match": "\"1\""])
            #expect(refused.fieldCodes == ["document.enforcement.plus.max_suspension_days": "out_of_range"])
            // A bound or roles that the check's kind does not use are published too, so they must be
            // values the document allows (schemathesis published roles ["AAA"] on a check without roles).
            plusEnforcement["max_suspension_days"] = 30
            enforcement["plus"] = plusEnforcement
            document["enforcement"] = enforcement
            var actions = try #require(document["actions"] as? [[String: Any]])
            actions[0]["checks"] = [["kind": "auditor_review", "review": "The NOC answers at any hour.", "min": 2, "max": -1, "roles": ["AAA"]]]
            document["actions"] = actions
            let stray = String(decoding: try JSONSerialization.data(withJSONObject: ["document": document]), as: UTF8.self)
            let strayRefused = try await api.call(
                .put, "/api/v1/programs/netops/versions/3", token: fixture.admin.token, json: stray, headers: ["If-Match": "\"1\""])
            #expect(
                strayRefused.fieldCodes == [
                    "document.actions[0].checks[0].min": "out_of_range", "document.actions[0].checks[0].max": "out_of_range",
                    "document.actions[0].checks[0].roles": "invalid",
                ])
        }
    }

    @Test("members: owners add and remove people; the last owner stays")
    func members() async throws {
        try await APIFixture.run { fixture, api in
            let path = "/api/v1/participants/\(fixture.own.id.uuidString.lowercased())/members"
            let added = try await api.call(.post, path, token: fixture.applicant.token, json: #"{"email":"other@example.org"}"#)
            #expect(added.status == 202 && added.json["role"] as? String == "member")
            let listed = try await api.call(.get, path, token: fixture.applicant.token)
            #expect(
                (listed.json["items"] as? [[String: Any]])?.compactMap { $0["email"] as? String }.sorted() == [
                    "applicant@example.org", "other@example.org",
                ])
            // The new member can now read the participant, but not manage its members.
            #expect(
                try await api.call(.get, "/api/v1/participants/\(fixture.own.id.uuidString.lowercased())", token: fixture.otherApplicant.token).status
                    == 200)
            #expect(
                try await api.call(.post, path, token: fixture.otherApplicant.token, json: #"{"email":"other@example.org","role":"owner"}"#).status
                    == 403)
            let lastOwner = try await api.call(
                .delete, "\(path)/\(fixture.applicant.user.id.uuidString.lowercased())", token: fixture.applicant.token)
            #expect(lastOwner.status == 409 && lastOwner.problemType == "/problems/last-owner")
            // The answer does not tell whether an account has the email, nor whether it is staff.
            let answers = try await ["buyer@example.org", "admin@example.org", "nobody@example.org", "other@example.org"].asyncMap { email in
                try await api.call(.post, path, token: fixture.applicant.token, json: #"{"email":"\#(email)"}"#)
            }
            #expect(Set(answers.map(\.status)) == [202])
            #expect(Set(answers.map { $0.json.keys.sorted() }) == [["detail", "email", "role"]])
            #expect(Set(answers.map { $0.json["detail"] as? String }).count == 1)
            #expect(
                try await api.call(.delete, "\(path)/\(fixture.otherApplicant.user.id.uuidString.lowercased())", token: fixture.applicant.token)
                    .status == 204)
            #expect(
                try await api.call(.get, "/api/v1/participants/\(fixture.own.id.uuidString.lowercased())", token: fixture.otherApplicant.token).status
                    == 403)
        }
    }

    @Test("admins create users with a one-time password that works once set, and pagination walks all of them")
    func users() async throws {
        try await APIFixture.run { fixture, api in
            let created = try await api.call(
                .post, "/api/v1/users", token: fixture.admin.token, json: #"{"email":"new@example.org","display_name":"New","role":"auditor"}"#)
            #expect(created.status == 201)
            #expect((created.json["password"] as? String)?.count == 24)
            let duplicate = try await api.call(
                .post, "/api/v1/users", token: fixture.admin.token, json: #"{"email":"NEW@example.org","display_name":"New","role":"auditor"}"#)
            #expect(duplicate.status == 409 && duplicate.problemType == "/problems/email-taken")
            var emails: [String] = []
            var cursor: String? = nil
            repeat {
                let page = try await api.call(.get, "/api/v1/users?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: fixture.admin.token)
                emails += (page.json["items"] as? [[String: Any]])?.compactMap { $0["email"] as? String } ?? []
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil
            #expect(emails.count == 7 && Set(emails).count == 7)
            // No admin can lock themselves out; another admin can disable them.
            let selfPath = "/api/v1/users/\(fixture.admin.user.id.uuidString.lowercased())"
            let lockout = try await api.call(
                .patch, selfPath, token: fixture.admin.token, json: #"{"disabled":true}"#, headers: ["If-Match": "\"1\""])
            #expect(lockout.status == 409 && lockout.problemType == "/problems/self-lockout")
            let demote = try await api.call(
                .patch, selfPath, token: fixture.admin.token, json: #"{"role":"auditor"}"#, headers: ["If-Match": "\"1\""])
            #expect(demote.status == 409)
            #expect(try await api.call(.get, "/api/v1/users/me", token: fixture.admin.token).status == 200)
            // Changing one's password needs the current one.
            let wrong = try await api.call(
                .put, "/api/v1/users/me/password", token: fixture.auditor.token,
                json: #"{"current_password":"guess","new_password":"another long password"}"#)
            #expect(wrong.fieldCodes == ["current_password": "wrong_password"])
            let short = try await api.call(
                .put, "/api/v1/users/me/password", token: fixture.auditor.token,
                json: #"{"current_password":"a long test password","new_password":"short"}"#)
            #expect(short.fieldCodes == ["new_password": "invalid_length"])
            #expect(
                try await api.call(
                    .put, "/api/v1/users/me/password", token: fixture.auditor.token,
                    json: #"{"current_password":"a long test password","new_password":"another long password"}"#
                ).status == 204)
            let users = UserStore(database: fixture.db.pool, passwords: Passwords(cost: 4))
            #expect(
                try await users.login(
                    email: "auditor@example.org", password: "another long password", address: "t", limits: LoginLimits(),
                    context: .anonymous(requestID: nil, at: Date()))
                    == .succeeded(userID: fixture.auditor.user.id))
            let me = try await api.call(.get, "/api/v1/users/me", token: fixture.applicant.token)
            #expect(
                ((me.json["memberships"] as? [[String: Any]])?.first?["participant_id"] as? String)?.lowercased()
                    == fixture.own.id.uuidString.lowercased())
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

import Foundation
import HTTPTypes
import Server
import Store
import TestSupport
import Testing

/// What the caches change for a user: nothing, except that a change may take a moment to arrive
/// (under a second on this machine, as `make bench` measures; the tests allow a loaded machine 15).
@Suite("Caches over HTTP")
struct CacheAPITests {
    /// Waits for `condition`, polling every 10 ms, up to 15 s.
    static func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("\(what) did not happen within 15 s")
    }

    @Test("a published catalog version is served at once from the cache of every program read")
    func publishInvalidatesCatalogs() async throws {
        try await APIFixture.run(cached: true) { fixture, api in
            let first = try await api.call(.get, "/api/v1/programs/netops")
            #expect(first.status == 200 && first.json["current_version"] as? Int == 1)
            #expect(try await api.call(.get, "/api/v1/programs/netops").body == first.body, "the same bytes again")
            let listed = try await api.call(.get, "/api/v1/programs/netops/versions")
            #expect((listed.json["items"] as? [Any])?.count == 1)

            let draft = try await api.call(.post, "/api/v1/programs/netops/versions", token: fixture.admin.token, json: "{}")
            #expect(draft.status == 201)
            // An admin sees the draft, and the public still does not.
            try await Self.eventually("the draft listed for the admin") {
                try await (api.call(.get, "/api/v1/programs/netops/versions", token: fixture.admin.token).json["items"] as? [Any])?.count == 2
            }
            #expect((try await api.call(.get, "/api/v1/programs/netops/versions").json["items"] as? [Any])?.count == 1)
            #expect(try await api.call(.get, "/api/v1/programs/netops/versions/2").status == 404)

            let read = try await api.call(.get, "/api/v1/programs/netops/versions/2", token: fixture.admin.token)
            #expect(read.status == 200 && read.json["status"] as? String == "draft")
            let published = try await api.call(
                .post, "/api/v1/programs/netops/versions/2/publish", token: fixture.admin.token, headers: ["If-Match": read.headers[.eTag] ?? ""])
            #expect(published.status == 200)
            try await Self.eventually("the new version in the program") {
                try await api.call(.get, "/api/v1/programs/netops").json["current_version"] as? Int == 2
            }
            let programs = try await api.call(.get, "/api/v1/programs").json["items"] as? [[String: Any]]
            #expect(programs?.first { $0["code"] as? String == "netops" }?["current_version"] as? Int == 2)
            let version = try await api.call(.get, "/api/v1/programs/netops/versions/2")
            #expect(version.status == 200 && version.json["status"] as? String == "published")
            #expect(
                try await api.call(.get, "/api/v1/programs/netops/versions/2", headers: ["If-None-Match": version.headers[.eTag] ?? ""]).status == 304
            )
        }
    }

    @Test("a revoked token, a disabled user and a lost membership stop working without a restart")
    func credentialsInvalidated() async throws {
        try await APIFixture.run(cached: true) { fixture, api in
            let participant = "/api/v1/participants/\(fixture.own.id.uuidString.lowercased())"
            for _ in 0..<2 { #expect(try await api.call(.get, participant, token: fixture.applicant.token).status == 200) }

            // A membership removed in the database (any writer) is seen.
            try await fixture.db.pool.execute("DELETE FROM memberships WHERE user_id = \(fixture.applicant.user.id)")
            try await Self.eventually("the lost membership") { try await api.call(.get, participant, token: fixture.applicant.token).status == 403 }

            // A user disabled by an admin.
            #expect(try await api.call(.get, "/api/v1/users/me/tokens", token: fixture.auditor.token).status == 200)
            let disabled = try await api.call(
                .patch, "/api/v1/users/\(fixture.auditor.user.id.uuidString.lowercased())", token: fixture.admin.token, json: #"{"disabled": true}"#,
                headers: ["If-Match": "\"\(fixture.auditor.user.version)\""])
            #expect(disabled.status == 200)
            try await Self.eventually("the disabled user refused") {
                try await api.call(.get, "/api/v1/users/me/tokens", token: fixture.auditor.token).status == 401
            }

            // A token revoked by its owner.
            let tokens = try await api.call(.get, "/api/v1/users/me/tokens", token: fixture.enterprise.token)
            let id = try #require((tokens.json["items"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await api.call(.delete, "/api/v1/users/me/tokens/\(id)", token: fixture.enterprise.token).status == 204)
            try await Self.eventually("the revoked token refused") {
                try await api.call(.get, "/api/v1/users/me/tokens", token: fixture.enterprise.token).status == 401
            }
        }
    }

    @Test("a participant read is served from memory; a change through the API is read back at once, any other writer's soon after")
    func participantReads() async throws {
        try await APIFixture.run(cached: true) { fixture, api in
            let path = "/api/v1/participants/\(fixture.own.id.uuidString.lowercased())"
            let first = try await api.call(.get, path, token: fixture.applicant.token)
            #expect(first.status == 200)
            #expect(try await api.call(.get, path, token: fixture.applicant.token).body == first.body, "the same bytes again")

            // Read your own write: the PATCH's answer and the next read agree, with the new ETag.
            let patched = try await api.call(
                .patch, path, token: fixture.applicant.token, json: #"{"display_name": "Renamed Networks"}"#,
                headers: ["If-Match": first.headers[.eTag] ?? ""])
            #expect(patched.status == 200)
            let reread = try await api.call(.get, path, token: fixture.applicant.token)
            #expect(reread.json["display_name"] as? String == "Renamed Networks" && reread.headers[.eTag] == patched.headers[.eTag])

            // Another writer (another instance, psql): the triggers announce it.
            try await fixture.db.pool.execute("UPDATE participants SET website = 'https://elsewhere.example' WHERE id = \(fixture.own.id)")
            try await Self.eventually("the website changed elsewhere") {
                try await api.call(.get, path, token: fixture.applicant.token).json["website"] as? String == "https://elsewhere.example"
            }
            try await fixture.db.pool.execute("DELETE FROM participant_programs WHERE participant_id = \(fixture.own.id)")
            try await Self.eventually("the programs changed elsewhere") {
                (try await api.call(.get, path, token: fixture.applicant.token).json["programs"] as? [Any])?.isEmpty == true
            }
            // The cache never answers for someone the read is not for.
            #expect(try await api.call(.get, path, token: fixture.otherApplicant.token).status == 403)
        }
    }
}

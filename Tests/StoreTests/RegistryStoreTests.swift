import Canonical
import Domain
import Foundation
import Postgres
import Routing
import Store
import TestSupport
import Testing

/// The registry's storage rules, against a real PostgreSQL.
@Suite("Registry storage")
struct RegistryStoreTests {
    static func seeds() throws -> [CatalogSeed] {
        try CatalogStore.readSeeds(directory: TestDatabase.schemaDirectory + "/catalog")
    }

    static func participant(_ name: String, _ resources: [(ResourceKind, String)] = []) throws -> NewParticipant {
        NewParticipant(
            legalName: name, displayName: name, country: "NL", website: nil, programs: ["netops"],
            resources: try resources.map { NewResource(kind: $0.0, value: try ResourceValue.parse($0.1, kind: $0.0)) }
        )
    }

    @Test("seed load publishes version 1 once; a changed seed becomes a draft, never an edit")
    func seedLoading() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let catalogs = CatalogStore(database: db.pool)
            var seeds = try Self.seeds()
            let first = try await catalogs.load(seeds: seeds, context: .system(at: Date()))
            #expect(first.count == 4)
            #expect(first.allSatisfy { if case .published(_, 1) = $0 { true } else { false } })
            #expect(
                try await catalogs.load(seeds: seeds, context: .system(at: Date())).allSatisfy {
                    if case .unchanged(_, 1) = $0 { true } else { false }
                })
            seeds[0] = CatalogSeed(
                program: seeds[0].program,
                catalog: {
                    var changed = seeds[0].catalog
                    changed.enforcement[.plus]!.warningGraceDays = 45
                    return changed
                }())
            let outcome = try await catalogs.load(seeds: [seeds[0]], context: .system(at: Date()))
            #expect(outcome == [.drafted(program: seeds[0].program.code, version: 2)])
            let current = try await catalogs.version(nil, of: seeds[0].program.code)
            #expect(current.version == 1)
            #expect(current.document.enforcement[.plus]?.warningGraceDays == 30)
        }
    }

    @Test("a published version cannot change, even by SQL; publishing a draft makes it current and leaves version 1 alone")
    func publishedVersionsAreFrozen() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let catalogs = CatalogStore(database: db.pool)
            _ = try await catalogs.load(seeds: try Self.seeds(), context: .system(at: Date()))
            let v1 = try await catalogs.version(1, of: "ixp")
            // The database refuses, whatever the application does.
            await #expect(throws: PostgresError.self) {
                try await db.pool.execute("UPDATE catalog_versions SET document = '{}' WHERE program_code = 'ixp' AND version = 1")
            }
            await #expect(throws: PostgresError.self) {
                try await db.pool.execute("DELETE FROM catalog_versions WHERE program_code = 'ixp' AND version = 1")
            }
            // Through the store: a published version is a 409, not an edit.
            await #expect(
                throws: StoreError.conflict(
                    slug: "catalog-published", detail: "Version 1 of ixp is published and cannot change; start a new draft.")
            ) {
                _ = try await catalogs.updateDraft(
                    1, of: "ixp", document: v1.document, expectedRowVersion: v1.rowVersion, context: .system(at: Date()))
            }

            var draft = try await catalogs.createDraft(of: "ixp", document: nil, context: .system(at: Date()))
            #expect(draft.version == 2 && draft.status == .draft && !draft.isCurrent)
            await #expect(throws: StoreError.self) { _ = try await catalogs.createDraft(of: "ixp", document: nil, context: .system(at: Date())) }
            var document = draft.document
            document.admission[.baseline]!.groups[0].min = 4
            draft = try await catalogs.updateDraft(
                2, of: "ixp", document: document, expectedRowVersion: draft.rowVersion, context: .system(at: Date()))
            #expect(try await catalogs.version(nil, of: "ixp").version == 1)  // a draft is not current

            let published = try await catalogs.publish(2, of: "ixp", expectedRowVersion: draft.rowVersion, context: .system(at: Date()))
            #expect(published.status == .published && published.isCurrent && published.publishedAt != nil)
            #expect(try await catalogs.version(nil, of: "ixp").version == 2)
            let oldAgain = try await catalogs.version(1, of: "ixp")
            #expect(oldAgain.document == v1.document && oldAgain.updatedAt == v1.updatedAt && !oldAgain.isCurrent)
            #expect(try await catalogs.program("ixp").currentVersion == 2)
        }
    }

    static let admin = ChangeContext(actor: Actor(userID: UUID(), role: .admin, memberships: [:]), requestID: nil, at: Date())
    static func applicant(of participant: UUID) -> ChangeContext {
        ChangeContext(actor: Actor(userID: UUID(), role: .applicant, memberships: [participant: .owner]), requestID: nil, at: Date())
    }

    static func claim(_ kind: ResourceKind, _ value: String) throws -> NewResource {
        NewResource(kind: kind, value: try ResourceValue.parse(value, kind: kind))
    }

    @Test("a claim holds nothing until verified: unverified claims block no one; a verified resource has one holder, named to staff only")
    func oneHolder() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            _ = try await CatalogStore(database: db.pool).load(seeds: try Self.seeds(), context: .system(at: Date()))
            let store = ParticipantStore(database: db.pool)
            let ripe = try await store.create(
                try Self.participant("RIPE NCC", [(.asn, "AS3333"), (.prefix, "193.0.0.0/21")]), owner: nil, context: .system(at: Date()))
            let squatter = try await store.create(try Self.participant("Squatter"), owner: nil, context: .system(at: Date()))
            let other = try await store.create(try Self.participant("Someone Else"), owner: nil, context: .system(at: Date()))
            #expect(try await store.resources(of: ripe.id).map(\.verification.state) == [.unverified, .unverified])

            // Unverified claims of the same and overlapping resources do not block each other.
            let squat = try await store.addResource(
                try Self.claim(.prefix, "193.0.0.0/16"), to: squatter.id, context: Self.applicant(of: squatter.id))
            let squatASN = try await store.addResource(try Self.claim(.asn, "AS3333"), to: squatter.id, context: Self.applicant(of: squatter.id))
            #expect(squat.verification.state == .unverified && squatASN.verification.state == .unverified)

            // Staff verify the real holder's: the competing claims become superseded, with the reason and an audit event.
            let resources = try await store.resources(of: ripe.id)
            for resource in resources {
                let verified = try await store.verifyResource(
                    resource.id, of: ripe.id, reason: "RIPE database: inetnum and aut-num name the participant", url: "https://apps.db.ripe.net/",
                    context: Self.admin)
                #expect(verified.verification.state == .verified && verified.verification.basis == .staff)
                #expect(verified.verification.by == Self.admin.actor?.userID && verified.verification.at != nil)
            }
            let superseded = try await store.resources(of: squatter.id)
            #expect(superseded.map(\.verification.state) == [.superseded, .superseded])
            #expect(superseded.allSatisfy { $0.verification.reason?.contains("RIPE") == false })
            let events = try await db.pool.query(
                "SELECT count(*) FROM audit_events WHERE participant_id = \(squatter.id) AND action = 'resource.superseded'")[0]
                .decode(0, as: Int.self)
            #expect(events == 2)

            // Now the resource is held: claims of it or of overlapping space are refused; the
            // holder is named to staff and the command line, never to an applicant.
            for (kind, value) in [
                (ResourceKind.asn, "3333"), (.routeServerASN, "AS3333"), (.prefix, "193.0.0.0/21"), (.prefix, "193.0.4.0/22"),
                (.prefix, "193.0.0.0/16"),
            ] {
                for (context, named) in [(ChangeContext.system(at: Date()), true), (Self.admin, true), (Self.applicant(of: other.id), false)] {
                    let error = await #expect(throws: StoreError.self) {
                        _ = try await store.addResource(try Self.claim(kind, value), to: other.id, context: context)
                    }
                    guard case .conflict(let slug, let detail) = error else { Issue.record("\(value): \(String(describing: error))"); continue }
                    #expect(slug == "resource-held")
                    #expect(detail.contains("RIPE NCC") == named, "\(value): \(detail)")
                }
            }
            // Verifying a superseded claim while someone else holds the space is refused too.
            let refused = await #expect(throws: StoreError.self) {
                _ = try await store.verifyResource(squat.id, of: squatter.id, reason: "says so", url: nil, context: Self.admin)
            }
            guard case .conflict("resource-held", _) = refused else { Issue.record("\(String(describing: refused))"); return }
            // The holder may add a more specific of its own space; the other may claim what is free.
            _ = try await store.addResource(try Self.claim(.prefix, "193.0.4.0/22"), to: ripe.id, context: .system(at: Date()))
            _ = try await store.addResource(try Self.claim(.prefix, "193.0.8.0/22"), to: other.id, context: .system(at: Date()))
            #expect(try await store.resources(of: ripe.id).map(\.value) == ["AS3333", "193.0.0.0/21", "193.0.4.0/22"])
            #expect(try await store.resources(of: ripe.id, within: try IPPrefix("193.0.4.0/22")).map(\.value) == ["193.0.4.0/22"])
            #expect(
                try await store.searchResources(asn: nil, within: nil, covering: try IPPrefix("193.0.9.1/32"), limit: 10).map(\.participantID) == [
                    squatter.id, other.id,
                ])
            // The staff queue: unverified claims only.
            #expect(
                try await store.searchResources(asn: nil, within: nil, covering: nil, verification: .unverified, limit: 10).map(\.value).sorted() == [
                    "193.0.4.0/22", "193.0.8.0/22",
                ])
            // A claim the participant already made is a 409 of its own, whatever its state.
            let twice = await #expect(throws: StoreError.self) {
                _ = try await store.addResource(try Self.claim(.prefix, "193.0.8.0/22"), to: other.id, context: .system(at: Date()))
            }
            guard case .conflict("resource-claimed", let detail) = twice else { Issue.record("\(String(describing: twice))"); return }
            #expect(detail == "193.0.8.0/22 is already claimed by this participant.")
            // A failed claim wrote nothing, not even an audit event.
            let claimed = try await db.pool.query(
                "SELECT count(*) FROM audit_events WHERE participant_id = \(other.id) AND action = 'resource.claimed'")[0]
                .decode(0, as: Int.self)
            #expect(claimed == 1)
            // Withdrawing the verification frees the space again, with the reason recorded.
            let asn = try #require(try await store.resources(of: ripe.id, kind: .asn).first)
            let withdrawn = try await store.unverifyResource(asn.id, of: ripe.id, reason: "The registration moved.", context: Self.admin)
            #expect(withdrawn.verification.state == .unverified && withdrawn.verification.reason == "The registration moved.")
            _ = try await store.addResource(try Self.claim(.asn, "AS196615"), to: other.id, context: Self.applicant(of: other.id))
            // The same for an ASN: the message names the ASN.
            let asnTwice = await #expect(throws: StoreError.self) {
                _ = try await store.addResource(try Self.claim(.asn, "AS213999"), to: other.id, context: .system(at: Date()))
                _ = try await store.addResource(try Self.claim(.asn, "AS213999"), to: other.id, context: .system(at: Date()))
            }
            #expect(asnTwice == .conflict(slug: "resource-claimed", detail: "AS213999 is already claimed by this participant."))
        }
    }

    @Test("the database keeps one verified holder whatever the application does")
    func verifiedConstraint() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            _ = try await CatalogStore(database: db.pool).load(seeds: try Self.seeds(), context: .system(at: Date()))
            let store = ParticipantStore(database: db.pool)
            let a = try await store.create(
                try Self.participant("A", [(.asn, "AS3333"), (.prefix, "193.0.0.0/21")]), owner: nil, context: .system(at: Date()))
            let b = try await store.create(
                try Self.participant("B", [(.asn, "AS3333"), (.prefix, "193.0.4.0/22")]), owner: nil, context: .system(at: Date()))
            let verify: SQL = "UPDATE resources SET verification = 'verified', verification_basis = 'staff', verification_reason = 'x'"
            try await db.pool.execute("\(verify) WHERE participant_id = \(a.id)")
            for kind in ["asn", "prefix"] {
                let error = await #expect(throws: PostgresError.self) {
                    try await db.pool.execute("\(verify) WHERE participant_id = \(b.id) AND kind = \(kind)")
                }
                #expect([.uniqueViolation, .exclusionViolation].contains(error?.code))
            }
            // Which rule refused is read from the constraint's name, never from the message: a
            // statement that did not say what it wrote still becomes the 409, without a value.
            for kind in ["asn", "prefix"] {
                let refused = await #expect(throws: StoreError.self) {
                    try await store.withClaimConflicts(context: Self.admin) {
                        try await db.pool.execute("\(verify) WHERE participant_id = \(b.id) AND kind = \(kind)")
                    }
                }
                #expect(refused == .conflict(slug: "resource-held", detail: "This resource is already held; a resource has one holder at a time."))
            }
        }
    }

    @Test("twenty concurrent claims of one ASN all stand unverified; twenty concurrent verifications leave one holder")
    func concurrentClaims() async throws {
        try await TestDatabase.withDatabase(poolSize: 8) { (db: FreshDatabase) async throws in
            _ = try await CatalogStore(database: db.pool).load(seeds: try Self.seeds(), context: .system(at: Date()))
            let store = ParticipantStore(database: db.pool)
            var ids: [UUID] = []
            for index in 0..<20 {
                ids.append(try await store.create(try Self.participant("Claimant \(index)"), owner: nil, context: .system(at: Date())).id)
            }
            let claims = await withTaskGroup(of: (UUID, UUID)?.self) { group in
                for id in ids {
                    group.addTask {
                        (try? await store.addResource(NewResource(kind: .asn, value: .asn(3333)), to: id, context: .system(at: Date()))).map {
                            (id, $0.id)
                        }
                    }
                }
                return await group.reduce(into: [(UUID, UUID)]()) { if let claim = $1 { $0.append(claim) } }
            }
            #expect(claims.count == 20)
            let verified = await withTaskGroup(of: Bool.self) { group in
                for (participant, resource) in claims {
                    group.addTask {
                        (try? await store.verifyResource(resource, of: participant, reason: "RIR registration", url: nil, context: Self.admin)) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(verified.filter { $0 }.count == 1)
            let states = try await db.pool.query("SELECT verification, count(*) FROM resources WHERE asn = 3333 GROUP BY 1 ORDER BY 1").map {
                "\(try $0.decode(0, as: String.self)) \(try $0.decode(1, as: Int.self))"
            }
            #expect(states == ["superseded 19", "verified 1"])
        }
    }

    @Test("RPKI verifies a prefix when the latest VRPs authorise a verified ASN of the participant: on claim, on ASN verification, on re-run")
    func rpkiVerification() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            _ = try await CatalogStore(database: db.pool).load(seeds: try Self.seeds(), context: .system(at: Date()))
            let store = ParticipantStore(database: db.pool)
            let snapshots = SnapshotStore(database: db.pool)
            func importVRPs(_ roas: [(String, Int, Int)], at seconds: TimeInterval) async throws -> Int {
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("vrps-\(UUID().uuidString).json").path
                let entries = roas.map { #"{"asn":"AS\#($0.2)","prefix":"\#($0.0)","maxLength":\#($0.1),"ta":"ripe"}"# }
                try #"{"roas":[\#(entries.joined(separator: ","))]}"#.write(toFile: file, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(atPath: file) }
                guard
                    case .imported(let snapshot) = try await snapshots.importFile(
                        file, kind: .vrps, sourceName: "test", takenAt: Date(timeIntervalSince1970: seconds))
                else { throw CancellationError() }
                return snapshot.id
            }
            let first = try await importVRPs([("193.0.0.0/16", 22, 3333), ("193.1.0.0/16", 16, 64_500 + 100_000)], at: 1_700_000_000)
            let ripe = try await store.create(
                try Self.participant("RIPE NCC", [(.asn, "AS3333"), (.prefix, "193.0.0.0/21"), (.prefix, "193.1.0.0/16")]), owner: nil,
                context: .system(at: Date()))
            // A VRP proves nothing for an unverified ASN: the claim and the announcement are not evidence of holding.
            #expect(try await store.verifyPrefixesByRPKI(participant: ripe.id, context: .system(at: Date())).isEmpty)
            let asn = try #require(try await store.resources(of: ripe.id, kind: .asn).first)
            _ = try await store.verifyResource(asn.id, of: ripe.id, reason: "aut-num AS3333 in the RIPE database", url: nil, context: Self.admin)
            let prefixes = try await store.resources(of: ripe.id, kind: .prefix)
            #expect(prefixes.map(\.verification.state) == [.verified, .unverified])
            let proof = prefixes[0].verification
            #expect(proof.basis == .rpki && proof.snapshotID == first && proof.by == Self.admin.actor?.userID)
            #expect(proof.vrp == Resource.VRPRecord(prefix: "193.0.0.0/16", maxLength: 22, asn: 3333))
            // A prefix claimed later is verified on the claim; one longer than maxLength is not.
            #expect(
                try await store.addResource(try Self.claim(.prefix, "193.0.8.0/22"), to: ripe.id, context: .system(at: Date())).verification.basis
                    == .rpki)
            #expect(
                try await store.addResource(try Self.claim(.prefix, "193.0.12.0/23"), to: ripe.id, context: .system(at: Date())).verification.state
                    == .unverified
            )
            // After a newer VRP import, the re-run verifies what it now authorises, with the new snapshot.
            let second = try await importVRPs([("193.0.0.0/16", 24, 3333), ("193.1.0.0/16", 16, 3333)], at: 1_800_000_000)
            let rerun = try await store.verifyPrefixesByRPKI(participant: nil, context: .system(at: Date()))
            #expect(rerun.map(\.value) == ["193.0.12.0/23", "193.1.0.0/16"])
            #expect(rerun.allSatisfy { $0.verification.snapshotID == second && $0.verification.by == nil })
            // Withdrawing the ASN withdraws the prefixes whose proof named it.
            _ = try await store.unverifyResource(asn.id, of: ripe.id, reason: "Transferred.", context: Self.admin)
            #expect(try await store.resources(of: ripe.id).allSatisfy { $0.verification.state == .unverified })
            let actions = try await db.pool.query(
                "SELECT action, count(*) FROM audit_events WHERE participant_id = \(ripe.id) AND action LIKE 'resource.%verified' GROUP BY 1 ORDER BY 1"
            ).map { "\(try $0.decode(0, as: String.self)) \(try $0.decode(1, as: Int.self))" }
            #expect(actions == ["resource.unverified 5", "resource.verified 5"])
        }
    }

    @Test("every change is recorded with who, what, before and after, in the change's transaction")
    func auditEvents() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            _ = try await CatalogStore(database: db.pool).load(seeds: try Self.seeds(), context: .system(at: Date()))
            let users = UserStore(database: db.pool, passwords: Passwords(cost: 4))
            let admin = try await users.create(
                email: "admin@example.org", displayName: "Admin", role: .admin, password: nil, context: .system(at: Date()))
            let actor = try #require(try await users.actor(for: admin.id))
            let context = ChangeContext(actor: actor, requestID: "req-1", at: Date())
            let store = ParticipantStore(database: db.pool)
            let created = try await store.create(
                try Self.participant("Audited", [(.asn, "AS64000")].filter { _ in false }), owner: nil, context: context)
            let updated = try await store.update(
                created.id, changes: ParticipantChanges(displayName: "Audited B.V."), expectedVersion: created.version, context: context)
            #expect(updated.version == created.version + 1)
            await #expect(throws: StoreError.staleVersion(current: updated.version)) {
                _ = try await store.update(
                    created.id, changes: ParticipantChanges(displayName: "Lost"), expectedVersion: created.version, context: context)
            }
            let history = try await store.timeline(
                of: created.id, afterSeq: nil, limit: 10, view: TimelineView(for: Actor(userID: UUID(), role: .admin, memberships: [:])))
            #expect(history.map(\.action) == ["participant.created", "participant.updated"])
            let change = try #require(history.last)
            #expect(change.actorUserID == admin.id && change.actorRole == "admin" && change.requestID == "req-1")
            guard case .object(let before) = change.before, case .object(let after) = change.after else {
                Issue.record("before and after are objects")
                return
            }
            #expect(before["display_name"] == .string("Audited") && after["display_name"] == .string("Audited B.V."))
        }
    }

    @Test("tokens: only the SHA-256 is stored; revoked, expired and disabled credentials stop working")
    func tokens() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let users = UserStore(database: db.pool, passwords: Passwords(cost: 4))
            let user = try await users.create(
                email: "ops@example.org", displayName: "Ops", role: .auditor, password: nil, context: .system(at: Date()))
            let (token, secret) = try await users.createToken(for: user.id, name: "ci", scopes: [.read], expiresAt: nil, context: .system(at: Date()))
            #expect(secret.hasPrefix("mp_") && secret.count == 46)
            let stored = try await db.pool.query("SELECT secret_sha256, display_prefix FROM api_tokens WHERE id = \(token.id)")[0]
            #expect(try stored.decode("secret_sha256", as: Data.self) == Secrets.sha256(secret))
            #expect(
                try await db.pool.query("SELECT count(*) FROM api_tokens WHERE encode(secret_sha256, 'escape') LIKE \("%" + secret + "%")")[0].decode(
                    0, as: Int.self) == 0)
            let now = Date(timeIntervalSince1970: 1_795_000_000)
            let actor = try #require(try await users.authenticate(token: secret, at: now))
            #expect(actor.userID == user.id && actor.role == .auditor && actor.scopes == [.read])
            #expect(try await users.authenticate(token: secret + "x", at: now) == nil)

            let (_, expiring) = try await users.createToken(
                for: user.id, name: "short", scopes: [.read], expiresAt: now.addingTimeInterval(3600), context: .system(at: now))
            #expect(try await users.authenticate(token: expiring, at: now.addingTimeInterval(3599)) != nil)
            #expect(try await users.authenticate(token: expiring, at: now.addingTimeInterval(3600)) == nil)

            try await users.revokeToken(token.id, of: user.id, context: .system(at: now))
            #expect(try await users.authenticate(token: secret, at: now) == nil)

            let (_, third) = try await users.createToken(
                for: user.id, name: "third", scopes: [.read, .write], expiresAt: nil, context: .system(at: now))
            _ = try await users.update(user.id, displayName: nil, role: nil, disabled: true, expectedVersion: user.version, context: .system(at: now))
            #expect(try await users.authenticate(token: third, at: now) == nil)
        }
    }

    @Test(
        "sign-ins: bcrypt; failures slow down one account at one address, then the account at unfamiliar addresses; the owner's familiar address and other accounts go on"
    )
    func logins() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let users = UserStore(database: db.pool, passwords: Passwords(cost: 4))
            let user = try await users.create(
                email: "Robin@Example.org", displayName: "Robin", role: .applicant, password: "correct horse battery", context: .system(at: Date())
            )
            let hash = try await db.pool.query("SELECT password_hash FROM users WHERE id = \(user.id)")[0].decode(0, as: String.self)
            #expect(hash.hasPrefix("$2b$04$") && !hash.contains("correct"))
            let limits = LoginLimits(
                freeFailuresPerAddress: 3, freeFailuresPerAccount: 6, baseDelay: 60, maxDelay: 600, window: 3600, trustedFor: 86_400)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            func attempt(_ email: String, _ password: String, from address: String, at seconds: TimeInterval) async throws -> LoginOutcome {
                try await users.login(
                    email: email, password: password, address: address, limits: limits,
                    context: .anonymous(requestID: nil, at: start.addingTimeInterval(seconds)))
            }
            let (home, guesser) = ("198.51.100.7", "203.0.113.66")
            #expect(try await attempt("robin@example.org", "correct horse battery", from: home, at: 0) == .succeeded(userID: user.id))
            // Three free failures from the guesser's address, then a wait that doubles.
            for second in 10...12 { #expect(try await attempt("robin@example.org", "guess-1234", from: guesser, at: Double(second)) == .refused) }
            #expect(try await attempt("robin@example.org", "correct horse battery", from: guesser, at: 13) == .rateLimited(retryAfter: 59))
            #expect(try await attempt("robin@example.org", "guess-1234", from: guesser, at: 72) == .refused)
            #expect(try await attempt("robin@example.org", "guess-1234", from: guesser, at: 73) == .rateLimited(retryAfter: 119))
            // Robin, at home, signs in all the while; so does Kim at the guesser's address.
            #expect(try await attempt("ROBIN@example.org", "correct horse battery", from: home, at: 74) == .succeeded(userID: user.id))
            let kim = try await users.create(
                email: "kim@example.org", displayName: "Kim", role: .applicant, password: "another long password", context: .system(at: Date()))
            #expect(try await attempt("kim@example.org", "another long password", from: guesser, at: 75) == .succeeded(userID: kim.id))
            // Guesses spread over six addresses: each address is within its free failures, but the
            // account now waits at an address it has never signed in from, and not at home.
            for index in 1...6 { #expect(try await attempt("robin@example.org", "guess-1234", from: "192.0.2.\(index)", at: 100) == .refused) }
            #expect(try await attempt("robin@example.org", "correct horse battery", from: "192.0.2.99", at: 101) == .rateLimited(retryAfter: 59))
            #expect(try await attempt("robin@example.org", "correct horse battery", from: home, at: 101) == .succeeded(userID: user.id))
            // An unknown account is refused the same way, never locked early.
            #expect(try await attempt("nobody@example.org", "guess-1234", from: guesser, at: 102) == .refused)
            // A password longer than bcrypt reads is never taken for its first 72 bytes.
            let long = String(repeating: "a", count: 72)
            let lee = try await users.create(
                email: "lee@example.org", displayName: "Lee", role: .applicant, password: long, context: .system(at: Date()))
            #expect(try await attempt("lee@example.org", long, from: home, at: 103) == .succeeded(userID: lee.id))
            #expect(try await attempt("lee@example.org", long + "b", from: home, at: 104) == .refused)
            // Every refusal is in the audit log, without the password or the unknown email.
            let events = try await db.pool.query(
                "SELECT action, entity_id, after::text FROM audit_events WHERE action LIKE 'user.sign_in%' ORDER BY seq")
            let actions = try events.map { try $0.decode("action", as: String.self) }
            #expect(actions.filter { $0 == "user.sign_in_failed" }.count == 12)
            #expect(actions.filter { $0 == "user.sign_in_throttled" }.count == 3)
            let texts = try events.map { try $0.decode("after", as: String.self) }.joined()
            #expect(!texts.contains("guess-1234") && !texts.contains("nobody") && texts.contains(guesser))
        }
    }

    @Test("thirty parallel guesses for one account: exactly the free failures are checked, the rest wait")
    func parallelGuesses() async throws {
        try await TestDatabase.withDatabase(poolSize: 8) { (db: FreshDatabase) async throws in
            let users = UserStore(database: db.pool, passwords: Passwords(cost: 4))
            _ = try await users.create(
                email: "robin@example.org", displayName: "Robin", role: .admin, password: "correct horse battery", context: .system(at: Date()))
            let limits = LoginLimits(freeFailuresPerAddress: 5, freeFailuresPerAccount: 20, baseDelay: 60)
            let at = Date(timeIntervalSince1970: 1_800_000_000)
            let outcomes = try await withThrowingTaskGroup(of: LoginOutcome.self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        try await users.login(
                            email: "robin@example.org", password: "guess", address: "203.0.113.66", limits: limits,
                            context: .anonymous(requestID: nil, at: at))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .refused }.count == 5)
            #expect(outcomes.filter { $0 == .rateLimited(retryAfter: 60) }.count == 25)
        }
    }

    @Test("the demo data loads with real resources, twice without duplicates")
    func demoData() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            _ = try await CatalogStore(database: db.pool).load(seeds: try Self.seeds(), context: .system(at: Date()))
            let demo = try DemoData.read(path: TestDatabase.schemaDirectory + "/demo/demo.json")
            let first = try await demo.load(into: db.pool, passwords: Passwords(cost: 4), at: Date())
            #expect(first.usersCreated == 6 && first.participantsCreated >= 12)
            // Every listed resource is verified, through the verification code path, with its basis.
            #expect(first.resourcesVerified > 30)
            let states = try await db.pool.query(
                "SELECT verification, verification_basis, count(*) FROM resources GROUP BY 1, 2"
            ).map {
                "\(try $0.decode(0, as: String.self)) \(try $0.decode(1, as: String?.self) ?? "-")"
            }
            #expect(states == ["verified staff"])
            let verifiedEvents = try await db.pool.query("SELECT count(*) FROM audit_events WHERE action = 'resource.verified'")[0]
                .decode(0, as: Int.self)
            #expect(verifiedEvents == first.resourcesVerified)
            let again = try await demo.load(into: db.pool, passwords: Passwords(cost: 4), at: Date())
            #expect(again == DemoData.Outcome())
            let programs = Set(
                try await db.pool.query("SELECT DISTINCT program_code FROM participant_programs").map { try $0.decode(0, as: String.self) })
            #expect(programs == ["netops", "ixp", "cdn", "vendor"])
            let holder = try await ParticipantStore(database: db.pool).list(filter: ParticipantFilter(asn: 3333), limit: 5, cursor: nil)
            #expect(holder.items.map(\.displayName) == ["RIPE NCC"])
            let users = UserStore(database: db.pool)
            #expect(
                try await users.authenticate(
                    token: "mp_demo-admin-token-public-do-not-use-in-production", at: Date(timeIntervalSince1970: 1_795_000_000))?.role == .admin)
        }
    }

    @Test("listing pages through every participant once, in a stable order, with filters")
    func pagination() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            _ = try await CatalogStore(database: db.pool).load(seeds: try Self.seeds(), context: .system(at: Date()))
            let store = ParticipantStore(database: db.pool)
            var created: [UUID] = []
            for index in 0..<7 {
                var new = try Self.participant("P\(index)", [(.prefix, "193.\(index).0.0/16")])
                if index % 2 == 0 { new.country = "DE" }
                created.append(try await store.create(new, owner: nil, context: .system(at: Date())).id)
            }
            var seen: [UUID] = []
            var cursor: String? = nil
            repeat {
                let page = try await store.list(filter: ParticipantFilter(), limit: 3, cursor: cursor)
                seen += page.items.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == created)
            #expect(try await store.list(filter: ParticipantFilter(country: "DE"), limit: 10, cursor: nil).items.count == 4)
            #expect(
                try await store.list(filter: ParticipantFilter(prefix: try IPPrefix("193.2.128.0/17")), limit: 10, cursor: nil).items.map(\.id) == [
                    created[2]
                ])
            #expect(try await store.list(filter: ParticipantFilter(prefix: try IPPrefix("193.0.0.0/8")), limit: 10, cursor: nil).items.count == 7)
            await #expect(throws: StoreError.self) { _ = try await store.list(filter: ParticipantFilter(), limit: 3, cursor: "not-a-cursor") }
        }
    }
}

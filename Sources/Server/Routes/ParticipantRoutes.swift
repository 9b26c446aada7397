import Domain
import Foundation
import Hummingbird
import Operations
import Routing
import Store

/// Participants with their resources, contacts, members and history.
struct ParticipantRoutes {
    let participants: ParticipantStore
    let operations: RegistryOperations
    let idempotency: Idempotency
    /// The participant reads in memory, dropped when the database announces a change (schema
    /// 0019) and at once after a change made here, so a client reads its own write.
    let responses: ResponseCache<UUID>

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("participants") { request, context in
            let actor = try context.require(.listParticipants)
            let (limit, cursor) = try request.pagination()
            var filter = try Self.filter(request)
            // Applicants list the participants they belong to; staff see everyone.
            if actor.role == .applicant { filter.memberUserID = actor.userID }
            return try JSONResponse(try await participants.list(filter: filter, limit: limit, cursor: cursor))
        }
        api.post("participants") { request, context in
            let actor = try context.require(.createParticipant)
            let input = try await request.strictJSON(as: ParticipantInput.self, context: context)
            return try await participants.withClaimConflicts(context: context.change) {
                try await idempotency.respond(to: request, context: context, body: input.data) { connection in
                    let created = try await operations.createParticipant(input.value.draft, by: actor, change: context.change, on: connection)
                    return (.created, "/api/v1/participants/\(created.id.uuidString.lowercased())", created)
                }
            }
        }
        api.get("participants/:participant") { _, context in
            let id = try context.participant(requiring: .readParticipant)
            return try await responses.response(for: id) {
                let participant = try await participants.get(id)
                return try JSONResponse(participant, version: participant.version)
            }
        }
        api.patch("participants/:participant") { request, context in
            let id = try context.participant(requiring: .editParticipant)
            let expected = try ETag.expectedVersion(request)
            let edit = try await request.strictJSON(as: ParticipantPatch.self, context: context).value.edit
            let updated = try await operations.editParticipant(
                id, edit: edit, expectedVersion: expected, by: try context.signedIn(), change: context.change)
            responses.remove(id)
            return try JSONResponse(updated, version: updated.version)
        }

        // Resources
        api.get("participants/:participant/resources") { request, context in
            let id = try context.participant(requiring: .readParticipant)
            var kind: ResourceKind? = nil
            if let text = request.query("kind") {
                guard let value = ResourceKind(rawValue: text) else {
                    throw Problem.invalid("kind", "invalid", "kind is one of \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                kind = value
            }
            let within = try request.query("within").map { text throws(Problem) in try Self.prefixParameter("within", text) }
            return try JSONResponse(Items(items: try await participants.resources(of: id, kind: kind, within: within)))
        }
        api.post("participants/:participant/resources") { request, context in
            let id = try context.participant(requiring: .editParticipant)
            let input = try await request.strictJSON(as: ResourceInput.self, context: context)
            return try await participants.withClaimConflicts(context: context.change) {
                try await idempotency.respond(to: request, context: context, body: input.data) { connection in
                    let resource = try await operations.addResource(
                        input.value.draft, to: id, by: try context.signedIn(), change: context.change, on: connection)
                    return (.created, "/api/v1/participants/\(id.uuidString.lowercased())/resources/\(resource.id.uuidString.lowercased())", resource)
                }
            }
        }
        api.delete("participants/:participant/resources/:resource") { _, context in
            let id = try context.participant(requiring: .editParticipant)
            try await operations.removeResource(try context.parameters.uuid("resource"), of: id, by: try context.signedIn(), change: context.change)
            return Response(status: .noContent)
        }
        api.post("participants/:participant/resources/:resource/verify") { request, context in
            let id = try context.participant(requiring: .verifyResources)
            let input = try await request.strictJSON(as: VerificationInput.self, context: context).value
            return try JSONResponse(
                try await operations.verifyResource(
                    try context.parameters.uuid("resource"), of: id, reason: input.reason, url: input.url, by: try context.signedIn(),
                    change: context.change))
        }
        api.post("participants/:participant/resources/:resource/unverify") { request, context in
            let id = try context.participant(requiring: .verifyResources)
            let input = try await request.strictJSON(as: UnverificationInput.self, context: context).value
            return try JSONResponse(
                try await operations.unverifyResource(
                    try context.parameters.uuid("resource"), of: id, reason: input.reason, by: try context.signedIn(), change: context.change))
        }

        // Contacts
        api.get("participants/:participant/contacts") { _, context in
            let id = try context.participant(requiring: .readParticipant)
            return try JSONResponse(Items(items: try await participants.contacts(of: id)))
        }
        api.post("participants/:participant/contacts") { request, context in
            let id = try context.participant(requiring: .editParticipant)
            let input = try await request.strictJSON(as: ContactInput.self, context: context)
            return try await idempotency.respond(to: request, context: context, body: input.data) { connection in
                let created = try await operations.addContact(
                    input.value.draft, to: id, by: try context.signedIn(), change: context.change, on: connection)
                return (.created, "/api/v1/participants/\(id.uuidString.lowercased())/contacts/\(created.id.uuidString.lowercased())", created)
            }
        }
        api.get("participants/:participant/contacts/:contact") { _, context in
            let id = try context.participant(requiring: .readParticipant)
            let contact = try await participants.contact(try context.parameters.uuid("contact"), of: id)
            return try JSONResponse(contact, version: contact.version)
        }
        api.put("participants/:participant/contacts/:contact") { request, context in
            let id = try context.participant(requiring: .editParticipant)
            let expected = try ETag.expectedVersion(request)
            let input = try await request.strictJSON(as: ContactInput.self, context: context)
            let updated = try await operations.updateContact(
                try context.parameters.uuid("contact"), of: id, with: input.value.draft, expectedVersion: expected, by: try context.signedIn(),
                change: context.change)
            return try JSONResponse(updated, version: updated.version)
        }
        api.delete("participants/:participant/contacts/:contact") { _, context in
            let id = try context.participant(requiring: .editParticipant)
            try await operations.removeContact(try context.parameters.uuid("contact"), of: id, by: try context.signedIn(), change: context.change)
            return Response(status: .noContent)
        }

        // Members
        api.get("participants/:participant/members") { _, context in
            let id = try context.participant(requiring: .readParticipant)
            return try JSONResponse(Items(items: try await participants.members(of: id)))
        }
        api.post("participants/:participant/members") { request, context in
            let id = try context.participant(requiring: .manageMembers)
            let input = try await request.strictJSON(as: MemberInput.self, context: context).value
            // One answer whether or not an applicant has this email (and whatever else the account
            // is), so that owners cannot probe for accounts or staff; the members list shows who is in.
            let role = input.role ?? .member
            let email = try await operations.setMember(email: input.email, role: role, of: id, by: try context.signedIn(), change: context.change)
            return try JSONResponse(MemberRequest(email: email, role: role), status: .accepted)
        }
        api.delete("participants/:participant/members/:user") { _, context in
            let id = try context.participant(requiring: .manageMembers)
            try await operations.removeMember(try context.parameters.uuid("user"), of: id, by: try context.signedIn(), change: context.change)
            return Response(status: .noContent)
        }

        // Timeline: the participant's audit events, in chain order
        api.get("participants/:participant/timeline") { request, context in
            let id = try context.participant(requiring: .readParticipant)
            let view = TimelineView(for: try context.require(.readParticipant, participant: id))
            let (limit, cursor) = try request.pagination()
            var after: Int? = nil
            if let cursor {
                guard let value = Int(cursor), value >= 0 else {
                    throw Problem.invalid("cursor", "invalid_cursor", "The cursor is not one this server returned.")
                }
                after = value
            }
            let events = try await participants.timeline(of: id, afterSeq: after, limit: limit, view: view)
            return try JSONResponse(Page(items: events, nextCursor: events.count == limit ? events.last?.seq.map { String($0) } : nil))
        }

        // Who holds what
        api.get("resources") { request, context in
            try context.require(.searchResources)
            let asn = try request.query("asn").map { text throws(Problem) in
                do throws(Refusal) { return try ASNumber.parse(text) } catch { throw Problem.invalid("asn", error.code, error.message) }
            }
            let within = try request.query("within").map { text throws(Problem) in try Self.prefixParameter("within", text) }
            let covering = try request.query("covering").map { text throws(Problem) in try Self.prefixParameter("covering", text) }
            let verification = try request.query("verification").map { text throws(Problem) in
                guard let state = VerificationState(rawValue: text) else {
                    throw Problem.invalid(
                        "verification", "invalid", "verification is one of \(VerificationState.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                return state
            }
            guard asn != nil || within != nil || covering != nil || verification != nil else {
                throw Problem.invalid(
                    "asn", "required", "Search by asn, within (a prefix), covering (a prefix or address/32) or verification (e.g. unverified).")
            }
            let limit = try request.limit()
            return try JSONResponse(
                Items(
                    items: try await participants.searchResources(
                        asn: asn, within: within, covering: covering, verification: verification, limit: limit)))
        }
        // Automatic prefix verification against the latest VRPs, e.g. after a VRP import.
        api.post("resources/rpki-verification") { request, context in
            try context.require(.verifyResources)
            let input = try await request.strictJSON(as: RPKIVerificationInput.self, context: context).value
            return try JSONResponse(
                Items(items: try await participants.verifyPrefixesByRPKI(participant: input.participantID, context: context.change)))
        }
    }

    /// The listing's filters, each checked.
    static func filter(_ request: Request) throws(Problem) -> ParticipantFilter {
        var filter = ParticipantFilter()
        var checks = FieldChecks()
        filter.program = request.query("program")
        if let country = request.query("country") {
            checks.add(InputRules.country(country))
            filter.country = Country.canonical(country)
        }
        if let status = request.query("status") {
            checks.add(InputRules.participantStatus(status))
            filter.status = status
        }
        if let text = request.query("asn") {
            do throws(Refusal) { filter.asn = try ASNumber.parse(text) } catch { checks.fail("asn", error.code, error.message) }
        }
        if let text = request.query("prefix") {
            do { filter.prefix = try Self.prefixParameter("prefix", text) } catch {
                checks.fail("prefix", "invalid_prefix", error.detail)
            }
        }
        try checks.check()
        return filter
    }

    /// A prefix in a query: any valid CIDR (bogon space is fine to search for).
    static func prefixParameter(_ name: String, _ text: String) throws(Problem) -> IPPrefix {
        let prefix: IPPrefix
        do { prefix = try PrefixClaim.cidr(text) } catch {
            throw Problem.invalid(name, "invalid_prefix", "\(name) must be a CIDR prefix: \(error.message)")
        }
        // IPv4 space written as IPv6 (::ffff:193.0.0.0/120): no claim holds it in that form.
        if ipv4Mapped.contains(prefix) {
            throw Problem.invalid(name, "invalid_prefix", "\(name) is an IPv4-mapped IPv6 prefix; search for the IPv4 prefix, such as 193.0.0.0/21.")
        }
        return prefix
    }

    /// ::ffff:0:0/96, built from its bits: nothing to parse, nothing to fail.
    static let ipv4Mapped = IPPrefix(family: .v6, bits: UInt128(0xffff) << 32, length: 96)
}

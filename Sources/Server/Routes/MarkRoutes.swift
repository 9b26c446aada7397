import Canonical
import Credentials
import Domain
import Foundation
import Hummingbird
import Postgres
import Routing
import Store

/// A public read about marks, as `Caches.marks` keeps it.
enum PublicRead: Hashable, Sendable {
    case didDocument, jwks
    case verifyMark(String), verifyASN(UInt32), verifyPrefix(String), verifyName(String)
    case mark(String), history(String), credential(String), badge(String)
    case statusList(StatusPurpose)
    case registry(RegistryQuery)
}

/// The mark for buyers, no login (issue 13): the issuer's did:web document and JWKS,
/// verification by mark, ASN, prefix or name, a mark's summary, history and signed credential,
/// the signed status lists, and the live badge. Every answer comes from memory until a change
/// is announced (`marks:all`, schema 0026), with an ETag and 304.
struct MarkRoutes {
    let marks: MarkStore
    /// Measured readiness, shown for an ASN no mark certifies.
    let readiness: ReadinessStore
    let issuer: MarkIssuer
    let database: PostgresPool
    let responses: MemoryCache<PublicRead, PublicResponse>
    let pages: Pages

    /// What `GET /api/v1/verify` answers.
    struct VerifyAnswer: Encodable {
        let query: [String: String]
        /// Whether a mark covering the query is valid now (active, or warned).
        let certified: Bool
        /// The answer in one sentence.
        let summary: String
        let marks: [MarkSummary]
        /// Measured routing readiness of an ASN no mark certifies, labelled as a measurement.
        let measured: BulkFormat.ReadinessBody?

        enum CodingKeys: String, CodingKey {
            case query, certified, summary, marks, measured
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(query, forKey: .query)
            try container.encode(certified, forKey: .certified)
            try container.encode(summary, forKey: .summary)
            try container.encode(marks, forKey: .marks)
            try container.encode(measured, forKey: .measured)
        }
    }

    /// A mark with the addresses of everything about it.
    struct MarkDetail: Encodable {
        let summary: MarkSummary
        let links: [String: String]

        enum CodingKeys: String, CodingKey { case links }

        func encode(to encoder: any Encoder) throws {
            try summary.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(links, forKey: .links)
        }
    }

    struct History: Encodable {
        let mark: String
        let items: [MarkEvent]
    }

    func register(on router: Router<AppRequestContext>) {
        router.get(".well-known/did.json") { _, context in
            try await responses.cached(.didDocument) {
                let keys = try await issuer.publicKeys(database: database, at: context.now)
                return try PublicResponse(
                    json: IssuerDocument(issuer: issuer.addresses.issuer, keys: keys).didDocument, contentType: "application/did+json")
            }
        }
        router.get(".well-known/jwks.json") { _, context in
            try await responses.cached(.jwks) {
                let keys = try await issuer.publicKeys(database: database, at: context.now)
                return try PublicResponse(
                    json: IssuerDocument(issuer: issuer.addresses.issuer, keys: keys).jwks, contentType: "application/jwk-set+json")
            }
        }
        let api = router.group("api/v1")
        api.get("verify") { request, context in
            let read = try Self.verifyRead(request)
            return try await responses.cached(read) {
                try PublicResponse(json: try await verify(read, at: context.now))
            }
        }
        api.get("marks/:mark") { _, context in
            let mark = try Self.mark(context)
            return try await responses.cached(.mark(mark.text)) {
                guard let summary = try await marks.marks(ids: [mark]).first else { throw Self.unknown(mark) }
                return try PublicResponse(json: MarkDetail(summary: summary, links: links(mark)))
            }
        }
        api.get("marks/:mark/history") { _, context in
            let mark = try Self.mark(context)
            return try await responses.cached(.history(mark.text)) {
                let events = try await marks.history(of: mark)
                guard !events.isEmpty else { throw Self.unknown(mark) }
                return try PublicResponse(json: History(mark: mark.text, items: events))
            }
        }
        api.get("marks/:mark/credential") { _, context in
            let mark = try Self.mark(context)
            return try await responses.cached(.credential(mark.text)) {
                guard let credential = try await marks.credential(of: mark) else {
                    throw Problem.notFound("The mark \(mark.text) has no credential.")
                }
                return try PublicResponse(json: credential, contentType: "application/vc+ld+json")
            }
        }
        api.get("status-lists/:purpose") { _, context in
            guard let purpose = StatusPurpose(rawValue: try context.parameters.require("purpose")) else {
                throw Problem.notFound("The status lists are `suspension` and `revocation`.")
            }
            return try await responses.cached(.statusList(purpose)) {
                let bits = try await marks.statusBits(purpose == .suspension ? .suspension : .revocation)
                let list = try await issuer.statusList(purpose, bits: bits, at: context.now, database: database)
                return try PublicResponse(json: list, contentType: "application/vc+ld+json")
            }
        }
        api.get("registry") { request, _ in
            let query: RegistryQuery
            switch Self.registryQuery(request, programs: try await marks.registryPrograms()).read {
            case .query(let read): query = read
            case .refused(let refusals): throw Problem.validation(refusals)
            }
            return try await responses.cached(.registry(query)) {
                try PublicResponse(json: try await marks.registry(query))
            }
        }
        router.get("marks/:mark") { _, context in
            let mark: MarkID
            do { mark = try Self.mark(context) } catch let problem as Problem { return try pages.error(problem, session: nil) }
            guard let summary = try await marks.marks(ids: [mark]).first else {
                return try pages.error(Self.unknown(mark), session: nil)
            }
            let history = try await marks.history(of: mark)
            return try pages.render("mark", model: MarkPageModel(summary, history: history, addresses: issuer.addresses, mark: mark))
        }
        router.get("marks/:mark/badge.svg") { _, context in
            let mark = try Self.mark(context)
            return try await responses.cached(.badge(mark.text)) {
                guard let summary = try await marks.marks(ids: [mark]).first else { throw Self.unknown(mark) }
                return PublicResponse(bytes: Array(Badge.svg(summary).utf8), contentType: "image/svg+xml", cacheControl: "no-cache")
            }
        }
    }

    /// The addresses of a mark's page, credential, history and badge.
    func links(_ mark: MarkID) -> [String: String] {
        let origin = issuer.addresses.origin.absoluteString
        return [
            "page": issuer.addresses.markPage(mark).absoluteString, "credential": issuer.addresses.markCredential(mark).absoluteString,
            "history": origin + "/api/v1/marks/\(mark.text)/history", "badge": origin + "/marks/\(mark.text)/badge.svg",
        ]
    }

    func verify(_ read: PublicRead, at now: Date) async throws -> VerifyAnswer {
        let found: [MarkSummary]
        let query: [String: String]
        let subject: String
        switch read {
        case .verifyMark(let text):
            found = try await marks.marks(ids: [try MarkID(parsing: text)])
            (query, subject) = (["mark": text], "Mark \(text)")
            if found.isEmpty { throw Problem.notFound("There is no mark \(text).") }
        case .verifyASN(let asn):
            found = try await marks.marks(forASNs: [asn])[asn] ?? []
            (query, subject) = (["asn": String(asn)], "AS\(asn)")
        case .verifyPrefix(let prefix):
            found = try await marks.marks(covering: try IPPrefix(prefix, strict: false))
            (query, subject) = (["prefix": prefix], prefix)
        case .verifyName(let name):
            found = try await marks.marks(named: name)
            (query, subject) = (["q": name], "“\(name)”")
        default: preconditionFailure("not a verification")
        }
        let valid = found.filter { $0.status.certifies && $0.validUntil > now }
        let summary: String
        if let first = valid.first {
            summary =
                "\(subject) is certified: \(first.tierName) mark \(first.mark) of \(first.organisation), \(first.statusText), until \(DateTimeStamp.format(first.validUntil))."
        } else if let first = found.first {
            summary = "\(subject) is not certified now: \(first.tierName) mark \(first.mark) of \(first.organisation) is \(first.statusText)."
        } else {
            summary = "\(subject) holds no MANRS mark: not certified."
        }
        var measured: BulkFormat.ReadinessBody?
        if case .verifyASN(let asn) = read, valid.isEmpty {
            measured = try await readiness.readiness(asns: [asn])[asn].map(BulkFormat.ReadinessBody.init)
        }
        return VerifyAnswer(query: query, certified: !valid.isEmpty, summary: summary, marks: found, measured: measured)
    }

    /// The one question a verification asks, checked.
    static func verifyRead(_ request: Request) throws -> PublicRead {
        let parameters = request.uri.queryParameters
        // Each name counts as often as it is given: `?asn=1&asn=2` is two questions, not the first.
        var asked: (name: Substring, value: Substring)?
        var questions = 0
        for (key, value) in parameters where key == "mark" || key == "asn" || key == "prefix" || key == "q" {
            asked = (key, value)
            questions += 1
        }
        guard questions == 1, let asked else {
            throw Problem.invalid("query", "one_question", "Ask about one thing: ?mark=, ?asn=, ?prefix= or ?q= (a name).")
        }
        let text = Self.trimmed(String(asked.value))
        switch asked.name {
        case "mark":
            do { return .verifyMark(try MarkID(parsing: text).text) } catch { throw Problem.invalid("mark", "invalid_mark", error.message) }
        case "asn":
            guard let asn = parseASN(text) else { throw Problem.invalid("asn", "invalid_asn", "An ASN is a number such as 3333 or AS3333.") }
            return .verifyASN(asn)
        case "prefix":
            guard let prefix = try? IPPrefix(text, strict: false) else {
                throw Problem.invalid("prefix", "invalid_prefix", "A prefix is written like 193.0.0.0/21 or 2001:67c::/32.")
            }
            return .verifyPrefix(prefix.description)
        default:
            guard text.count >= 2, text.count <= 100 else {
                throw Problem.invalid("q", "invalid_name", "Search with 2 to 100 characters of the holder's name.")
            }
            return .verifyName(text)
        }
    }

    /// `value` without surrounding spaces and tabs (`CharacterSet.whitespaces`); a value starting
    /// and ending with a plain ASCII character, as nearly all do, is returned without asking
    /// Foundation.
    static func trimmed(_ value: String) -> String {
        func plain(_ byte: UInt8?) -> Bool { byte.map { $0 < 0x80 && $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") } ?? true }
        if plain(value.utf8.first) && plain(value.utf8.last) { return value }
        return value.trimmingCharacters(in: .whitespaces)
    }

    /// The registry's filters as the request gives them, read against the programs there are:
    /// the API and the page read them the same way, and refuse the same values.
    static func registryQuery(_ request: Request, programs: [RegistryProgram]) -> (parameters: [String: String], read: RegistryQuery.Parsed) {
        var parameters: [String: String] = [:]
        for name in RegistryQuery.parameters {
            if let value = request.uri.queryParameters[Substring(name)] { parameters[name] = String(value) }
        }
        let read = RegistryQuery.parse(parameters, programs: Set(programs.map(\.code)), parseMark: { try? MarkID(parsing: $0).text })
        return (parameters, read)
    }

    static func mark(_ context: AppRequestContext) throws -> MarkID {
        let text = try context.parameters.require("mark")
        do { return try MarkID(parsing: text) } catch { throw Problem.notFound(error.message) }
    }

    static func unknown(_ mark: MarkID) -> Problem { Problem.notFound("There is no mark \(mark.text).") }
}

extension MemoryCache where Key == PublicRead, Value == PublicResponse {
    /// The cached response for `read`, or the one `build` makes (kept).
    func cached(_ read: PublicRead, build: () async throws -> PublicResponse) async throws -> PublicResponse {
        guard let response = try await value(for: read, load: { try await build() }) else { preconditionFailure("a response was built") }
        return response
    }
}

/// The live badge: the mark's status in words and colour, in a small SVG.
enum Badge {
    static func svg(_ summary: MarkSummary) -> String {
        let colour =
            switch summary.status {
            case .active: "#2e7d32"
            case .warned: "#b26a00"
            case .suspended, .revoked: "#c62828"
            case .expired, .withdrawn: "#616161"
            }
        let left = summary.tierName
        let right = summary.statusText
        let leftWidth = 14 + left.count * 7
        let rightWidth = 14 + right.count * 7
        let width = leftWidth + rightWidth
        let title = escape("\(summary.tierName) mark \(summary.mark) of \(summary.organisation): \(summary.statusText)")
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="20" role="img" aria-label="\(title)">\
            <title>\(title)</title>\
            <rect width="\(leftWidth)" height="20" fill="#263238"/>\
            <rect x="\(leftWidth)" width="\(rightWidth)" height="20" fill="\(colour)"/>\
            <g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">\
            <text x="7" y="14">\(escape(left))</text>\
            <text x="\(leftWidth + 7)" y="14">\(escape(right))</text>\
            </g></svg>

            """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// The mark's public page: the status large and unambiguous, scope, the last check, history,
/// and how to verify the credential without trusting the page.
struct MarkPageModel: Encodable, Sendable {
    struct Check: Encodable, Sendable {
        let action: String
        let verdict: String
    }
    struct Event: Encodable, Sendable {
        let at: String
        let what: String
    }
    let csrf: String?
    let links: [NavLink]
    let mark: String
    let organisation: String
    let country: String
    let programName: String
    let tierName: String
    let statusText: String
    let stateClass: String
    let statusSentence: String
    let since: String
    let reason: String?
    let granted: String
    let validUntil: String
    let asns: String
    let prefixes: [String]
    let hasPrefixes: Bool
    let actions: String
    let lastCheck: String?
    let checks: [Check]
    let history: [Event]
    let credentialURL: String
    let didURL: String
    let pageURL: String
    let badgeURL: String

    init(_ summary: MarkSummary, history: [MarkEvent], addresses: PublicAddresses, mark: MarkID) {
        csrf = nil
        links = []
        self.mark = summary.mark
        organisation = summary.organisation
        country = summary.country
        programName = summary.programName
        tierName = summary.tierName
        statusText = summary.statusText.prefix(1).uppercased() + summary.statusText.dropFirst()
        stateClass = Self.stateClass(summary.status)
        statusSentence =
            switch summary.status {
            case .active: "\(summary.organisation) is \(summary.tierName) certified for \(summary.programName)."
            case .warned:
                "\(summary.organisation) is still certified, but a conformance problem must be fixed before a deadline or the mark is suspended."
            case .suspended: "This mark is suspended: \(summary.organisation) may not call itself certified until it is reinstated."
            case .revoked: "This mark was revoked: \(summary.organisation) is not certified."
            case .expired: "This mark expired: \(summary.organisation) is not certified."
            case .withdrawn: "This mark was withdrawn: \(summary.organisation) is not certified."
            }
        since = Pages.day(summary.since)
        reason = summary.reason.map(Self.words)
        granted = Pages.day(summary.grantedAt)
        validUntil = Pages.day(summary.validUntil)
        asns = summary.asns.isEmpty ? "none recorded" : summary.asns.map { "AS\($0)" }.joined(separator: ", ")
        prefixes = summary.prefixes
        hasPrefixes = !summary.prefixes.isEmpty
        actions = summary.actions.joined(separator: ", ")
        lastCheck = summary.lastCheck.map { "Checked \(Pages.time($0.at))." + ($0.inputs.map { " " + $0.note } ?? "") }
        checks = (summary.lastCheck?.actions ?? []).map {
            Check(action: $0.action, verdict: ["pass": "passed", "fail": "failed"][$0.verdict] ?? "not enough data")
        }
        self.history = history.map { event in
            let what =
                event.status == "granted"
                ? "Granted (\(event.tier.markName))"
                : (CertificationStatus(rawValue: event.status)?.markWords ?? event.status).prefix(1).uppercased()
                    + (CertificationStatus(rawValue: event.status)?.markWords ?? event.status).dropFirst()
                    + (event.reason.map { ": " + Self.words($0) } ?? "")
            return Event(at: Pages.day(event.at), what: what)
        }
        credentialURL = addresses.markCredential(mark).absoluteString
        didURL = addresses.didDocument.absoluteString
        pageURL = addresses.markPage(mark).absoluteString
        badgeURL = addresses.origin.absoluteString + "/marks/\(mark.text)/badge.svg"
    }

    /// The style of a status: valid, warned, stopped (suspended, revoked) or ended.
    static func stateClass(_ status: CertificationStatus) -> String {
        switch status {
        case .active: "valid"
        case .warned: "warned"
        case .suspended, .revoked: "stopped"
        case .expired, .withdrawn: "ended"
        }
    }

    /// A transition's cause in words.
    static func words(_ cause: String) -> String {
        [
            "check_failed": "a conformance check failed", "reattestation_missed": "a re-attestation was missed",
            "auditor_finding": "an auditor's finding", "checks_passed": "the checks pass again", "deadline_passed": "the deadline to fix passed",
            "max_suspension_passed": "the longest suspension passed", "validity_ended": "the validity ended",
            "reinstatement": "reinstated by the auditors",
            "revoked_for_cause": "revoked for cause", "withdrawal": "withdrawn by the holder", "dispute_accepted": "a dispute was accepted",
            "appeal_granted": "an appeal was granted", "override": "a correction by the secretariat",
        ][cause] ?? cause.replacingOccurrences(of: "_", with: " ")
    }
}

import Domain
import Foundation
import Store

/// The public registry page: the search form (its fields as sent), the marks found, each linking
/// to its page, and a link to the next page.
struct MarkRegistryPageModel: Encodable, Sendable {
    struct Option: Encodable, Sendable {
        let value: String
        let label: String
        let selected: Bool
    }
    struct Row: Encodable, Sendable {
        let mark: String
        let organisation: String
        let displayName: String?
        let country: String
        let program: String
        let tier: String
        let status: String
        let stateClass: String
        let since: String
        let validUntil: String
    }

    let csrf: String?
    let links: [NavLink]
    let search: String
    let country: String
    let programs: [Option]
    let tiers: [Option]
    let statuses: [Option]
    let errors: [String]
    let hasErrors: Bool
    let searched: Bool
    var rows: [Row]
    var hasRows: Bool
    var nextURL: String?

    /// The page after a search: the form as asked, and the marks found.
    init(frame: PageFrame, programs: [RegistryProgram], query: RegistryQuery, page: Page<RegistryEntry>) {
        self.init(
            frame: frame, programs: programs,
            form: [
                "q": query.search ?? "", "program": query.program ?? "", "tier": query.tier?.rawValue ?? "", "country": query.country ?? "",
                "status": query.status?.rawValue ?? "",
            ],
            errors: [], searched: true)
        rows = page.items.map { entry in
            Row(
                mark: entry.mark, organisation: entry.organisation,
                displayName: entry.displayName == entry.organisation ? nil : entry.displayName, country: entry.country,
                program: entry.programName, tier: entry.tierName, status: entry.statusText.prefix(1).uppercased() + entry.statusText.dropFirst(),
                stateClass: MarkPageModel.stateClass(entry.status),
                since: Pages.day(entry.since), validUntil: Pages.day(entry.validUntil))
        }
        hasRows = !rows.isEmpty
        nextURL = page.nextCursor.map { cursor in
            var next = query
            next.after = cursor
            return "/registry?" + Self.encoded(next.parameters)
        }
    }

    /// The form sent back with what could not be read, in plain sentences.
    init(frame: PageFrame, programs: [RegistryProgram], form: [String: String], refusals: [FieldRefusal]) {
        self.init(frame: frame, programs: programs, form: form, errors: refusals.map(\.refusal.message), searched: false)
    }

    private init(frame: PageFrame, programs: [RegistryProgram], form: [String: String], errors: [String], searched: Bool) {
        csrf = frame.csrf
        links = frame.links
        search = form["q"] ?? ""
        country = form["country"] ?? ""
        let program = form["program"] ?? ""
        self.programs = programs.map { Option(value: $0.code, label: $0.name, selected: $0.code == program) }
        let tier = form["tier"]?.lowercased() ?? ""
        tiers = Tier.allCases.map { Option(value: $0.rawValue, label: $0.markName, selected: $0.rawValue == tier) }
        let status = form["status"]?.lowercased() ?? ""
        statuses = CertificationStatus.allCases.map {
            Option(value: $0.rawValue, label: $0.markWords.prefix(1).uppercased() + $0.markWords.dropFirst(), selected: $0.rawValue == status)
        }
        self.errors = errors
        hasErrors = !errors.isEmpty
        self.searched = searched
        rows = []
        hasRows = false
        nextURL = nil
    }

    /// Query parameters as a URL's query string.
    static func encoded(_ parameters: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return parameters.map { name, value in
            name + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }.joined(separator: "&")
    }
}

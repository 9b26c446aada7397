import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// Every program with its published versions and its draft: the secretariat reads them, starts
/// a draft from the latest published version, and opens a draft to edit or publish it.
struct AdminCatalogsPageModel: Encodable, Sendable {
    struct Version: Encodable, Sendable {
        let href: String
        let label: String
        let state: String
    }
    struct Program: Encodable, Sendable {
        let code: String
        let name: String
        let description: String
        let versions: [Version]
        /// The draft's page, when there is one.
        let draft: String?
        /// "version 3": what a new draft copies; nil when a draft exists or nothing is published.
        let startFrom: String?
    }

    let csrf: String?
    let links: [NavLink]
    let programs: [Program]
    let mayWrite: Bool
    let error: String?
    let notice: String?
}

/// One catalog version in words: its actions (titles, levels, evidence, checks), the admission
/// rules and the timings; for a draft, the document in a text area with its problems listed,
/// and the way to publish it.
struct AdminCatalogVersionPageModel: Encodable, Sendable {
    struct Action: Encodable, Sendable {
        let code: String
        let title: String
        let description: String
        let level: String
        let mandatory: String
        let evidence: [String]
        let checks: [String]
        let hasChecks: Bool
    }
    struct Tier: Encodable, Sendable {
        let name: String
        let admission: [String]
        let cadence: String
    }
    /// A problem with the document: where (a path in it) and what.
    struct Problem: Encodable, Sendable {
        let place: String
        let message: String
    }

    let csrf: String?
    let links: [NavLink]
    let programName: String
    let program: String
    let version: Int
    let state: String
    let isDraft: Bool
    /// A draft this user may change: the editor and the publish link show.
    let editable: Bool
    let path: String
    let document: String
    let rowVersion: Int
    let actions: [Action]
    let tiers: [Tier]
    let enforcement: String
    let problems: [Problem]
    let hasProblems: Bool
    let error: String?
    let notice: String?
}

/// The confirmation before publishing: what publishing means, and the draft's problems if it has any.
struct AdminCatalogPublishPageModel: Encodable, Sendable {
    let csrf: String?
    let links: [NavLink]
    let programName: String
    let version: Int
    let path: String
    let rowVersion: Int
    let problems: [AdminCatalogVersionPageModel.Problem]
    let hasProblems: Bool
}

extension AdminPages {
    func catalogsPage(_ session: BrowserSession, error: String? = nil, status: HTTPResponse.Status = .ok, notice: String? = nil) async throws
        -> Response
    {
        var programs: [AdminCatalogsPageModel.Program] = []
        for program in try await catalogs.programs() {
            let versions = try await catalogs.versions(of: program.code, includingDrafts: true)
            let draft = versions.first { $0.status == .draft }
            programs.append(
                .init(
                    code: program.code, name: program.name, description: program.description,
                    versions: versions.map { version in
                        .init(
                            href: Self.versionPath(program.code, version.version), label: "Version \(version.version)", state: Self.state(of: version)
                        )
                    },
                    draft: draft.map { Self.versionPath(program.code, $0.version) },
                    startFrom: draft == nil ? program.currentVersion.map { "version \($0)" } : nil))
        }
        let frame = PageFrame(session)
        let model = AdminCatalogsPageModel(
            csrf: frame.csrf, links: frame.links, programs: programs,
            mayWrite: Access.decide(.writeCatalog, actor: session.actor) == .allowed, error: error, notice: PageWords.notice(notice))
        return try pages.render("admin-catalogs", model: model, status: status)
    }

    /// `typed`: the document as typed, shown again after a refusal instead of the stored one.
    func catalogVersionPage(
        _ program: String, _ number: Int, _ session: BrowserSession, error: String? = nil, problems: [AdminCatalogVersionPageModel.Problem]? = nil,
        status: HTTPResponse.Status = .ok, notice: String? = nil, typed: String? = nil
    ) async throws -> Response {
        let info = try await catalogs.program(program)
        let version = try await catalogs.version(number, of: program)
        let document = version.document
        let isDraft = version.status == .draft
        let problems = problems ?? (isDraft ? document.problems().map { .init(place: $0.field, message: $0.refusal.message) } : [])
        let text = try typed ?? Self.text(of: document)
        let frame = PageFrame(session)
        let model = AdminCatalogVersionPageModel(
            csrf: frame.csrf, links: frame.links, programName: info.name, program: program, version: number, state: Self.state(of: version),
            isDraft: isDraft, editable: isDraft && Access.decide(.writeCatalog, actor: session.actor) == .allowed,
            path: Self.versionPath(program, number), document: text, rowVersion: version.rowVersion,
            actions: document.actions.map(Self.action),
            tiers: Domain.Tier.allCases.map { tier in
                .init(
                    name: PageWords.tier(tier),
                    admission: (document.admission[tier]?.groups ?? []).map { group in
                        "\(group.label.map { "\($0): " } ?? "")at least \(group.min) of \(group.of.joined(separator: ", "))"
                    },
                    cadence: document.cadence[tier].map { cadence in
                        "Checked every \(cadence.automatedCheckDays) days; re-attested every \(cadence.reattestationMonths) months; "
                            + "recertified every \(cadence.recertificationMonths) months."
                    } ?? "No cadence.")
            },
            enforcement: Domain.Tier.allCases.compactMap { tier in
                document.enforcement[tier].map { rule in
                    switch rule.mode {
                    case .notifyOnly: "\(PageWords.tier(tier)): failed checks are notified, never enforced."
                    case .enforce:
                        "\(PageWords.tier(tier)): a warning gives \(rule.warningGraceDays) days to fix what failed before suspension; "
                            + "a suspension lasts at most \(rule.maxSuspensionDays) days."
                    }
                }
            }.joined(separator: " "),
            problems: problems, hasProblems: !problems.isEmpty, error: error, notice: PageWords.notice(notice))
        return try pages.render("admin-catalog-version", model: model, status: status)
    }

    func publishPage(_ program: String, _ number: Int, _ session: BrowserSession) async throws -> Response {
        let info = try await catalogs.program(program)
        let version = try await catalogs.version(number, of: program)
        guard version.status == .draft else {
            throw StoreError.conflict(slug: "catalog-published", detail: "Version \(number) of \(program) is already published.")
        }
        let problems = version.document.problems().map { AdminCatalogVersionPageModel.Problem(place: $0.field, message: $0.refusal.message) }
        let frame = PageFrame(session)
        let model = AdminCatalogPublishPageModel(
            csrf: frame.csrf, links: frame.links, programName: info.name, version: number, path: Self.versionPath(program, number),
            rowVersion: version.rowVersion, problems: problems, hasProblems: !problems.isEmpty)
        return try pages.render("admin-catalog-publish", model: model)
    }

    /// "published on 1 March 2026, current" or "draft, last saved 2026-03-01 10:00 UTC".
    static func state(of version: CatalogVersion) -> String {
        switch version.status {
        case .draft: "draft, last saved \(Pages.time(version.updatedAt))"
        case .published: "published on \(PageWords.day(version.publishedAt))" + (version.isCurrent ? ", current" : "")
        }
    }

    /// The document as the editor shows it: indented, keys in order.
    static func text(of document: CatalogDocument) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }

    static func action(_ action: Domain.Action) -> AdminCatalogVersionPageModel.Action {
        let baseline = action.tier == .baseline && action.isMandatory(at: .baseline)
        let plus = action.isMandatory(at: .plus)
        let mandatory: String =
            switch (action.tier, baseline, plus) {
            case (.baseline, true, true): "Mandatory at both levels."
            case (.baseline, true, false): "Mandatory at MANRS, optional at MANRS+."
            case (.baseline, false, true): "Optional at MANRS, mandatory at MANRS+."
            case (.baseline, false, false): "Optional."
            case (.plus, _, true): "Mandatory."
            case (.plus, _, false): "Optional."
            }
        return .init(
            code: action.code, title: action.title, description: action.description,
            level: action.tier == .baseline ? "MANRS and MANRS+" : "MANRS+ only", mandatory: mandatory, evidence: PageWords.evidence(action.evidence),
            checks: action.checks.map(PageWords.check), hasChecks: !action.checks.isEmpty)
    }
}

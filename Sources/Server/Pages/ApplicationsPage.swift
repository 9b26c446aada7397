import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// The applicant's dashboard as its template reads it.
struct ApplicationsPageModel: Encodable, Sendable {
    struct Participant: Encodable, Sendable {
        let id: String
        let name: String
        let country: String
        let programs: String
        let programOptions: [ProgramOption]
        let canStart: Bool
        let applications: [Application]
        let hasApplications: Bool
        let openPrograms: [OpenProgram]
    }
    struct ProgramOption: Encodable, Sendable {
        let code: String
        let name: String
        let selected: Bool
    }
    struct Application: Encodable, Sendable {
        let id: String
        let program: String
        let tier: String
        let state: String
        let certified: Bool
        let validUntil: String
        let missing: String?
    }
    struct OpenProgram: Encodable, Sendable {
        let id: String
        let name: String
    }

    let csrf: String?
    let links: [NavLink]
    let participants: [Participant]
    let error: String?
    let notice: String?
}

extension WorkflowPages {
    /// The applicant's dashboard: each participant they belong to, its applications (certified
    /// ones with their valid-until date), and a form to start one for a program without an open
    /// application.
    func applicationsPage(
        _ session: BrowserSession, now: Date, error: String?, status: HTTPResponse.Status, draft: [String: String] = [:], notice: String? = nil
    ) async throws -> Response {
        // Admins see every participant; anyone else those they belong to, read in one query.
        let filter = session.user.role == .admin ? ParticipantFilter() : ParticipantFilter(memberUserID: session.user.id)
        let memberOf = try await participants.list(filter: filter, limit: 200, cursor: nil).items.sorted { $0.displayName < $1.displayName }
        let names = try await PageWords.programNames(catalogs)
        let certifications = Dictionary(
            try await reviews.certifications(participants: Set(memberOf.map(\.id)), limit: 1000).map { ($0.applicationID, $0) },
            uniquingKeysWith: { first, _ in first })
        let overview = Dictionary(grouping: try await applications.overview(participants: Set(memberOf.map(\.id)), limit: 1000)) {
            $0.application.participantID
        }
        var rows: [ApplicationsPageModel.Participant] = []
        for participant in memberOf {
            let listed = overview[participant.id] ?? []
            let list = listed.map(\.application)
            var entries: [ApplicationsPageModel.Application] = []
            for (application, missing) in listed.map({ ($0.application, $0.missing.count) }) {
                let certification = certifications[application.id].flatMap { $0.status.certifies ? $0 : nil }
                entries.append(
                    .init(
                        id: application.id.uuidString.lowercased(), program: names[application.program] ?? application.program,
                        tier: PageWords.tier(application.tier), state: PageWords.state(application.state, certified: certification != nil),
                        certified: certification != nil, validUntil: PageWords.day(certification?.validUntil),
                        missing: application.state.isEditable ? (missing == 0 ? "ready to submit" : "\(missing) to do before submitting") : nil))
            }
            let open = list.filter { !$0.state.isFinal }
            let startable = participant.programs.filter { code in !open.contains { $0.program == code } }
            rows.append(
                .init(
                    id: participant.id.uuidString.lowercased(), name: participant.displayName, country: participant.country,
                    programs: participant.programs.map { names[$0] ?? $0 }.joined(separator: ", "),
                    programOptions: startable.map { .init(code: $0, name: names[$0] ?? $0, selected: draft["program"] == $0) },
                    canStart: !startable.isEmpty, applications: entries, hasApplications: !entries.isEmpty,
                    openPrograms: open.map { .init(id: $0.id.uuidString.lowercased(), name: names[$0.program] ?? $0.program) }))
        }
        let frame = PageFrame(session)
        let model = ApplicationsPageModel(
            csrf: frame.csrf, links: frame.links, participants: rows, error: error, notice: PageWords.notice(notice))
        return try pages.render("applications", model: model, status: status)
    }
}

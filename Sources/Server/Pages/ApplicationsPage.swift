import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

extension WorkflowPages {
    /// The applicant's dashboard: each participant they belong to, its applications (certified
    /// ones with their valid-until date), and a form to start one for a program without an open
    /// application.
    func applicationsPage(
        _ session: BrowserSession, now: Date, error: String?, status: HTTPResponse.Status, draft: [String: String] = [:], notice: String? = nil
    ) async throws -> Response {
        let memberOf: [Participant]
        if session.user.role == .admin {
            memberOf = try await participants.list(filter: ParticipantFilter(), limit: 200, cursor: nil).items
        } else {
            var found: [Participant] = []
            for id in session.actor.memberships.keys { found.append(try await participants.get(id)) }
            memberOf = found.sorted { $0.displayName < $1.displayName }
        }
        let names = try await PageWords.programNames(catalogs)
        let certifications = Dictionary(
            try await reviews.certifications(participants: Set(memberOf.map(\.id)), limit: 1000).map { ($0.applicationID, $0) },
            uniquingKeysWith: { first, _ in first })
        var rows: [[String: Any]] = []
        for participant in memberOf {
            let list = try await applications.list(participants: [participant.id], state: nil, program: nil, limit: 50, cursor: nil).items
            var entries: [[String: Any]] = []
            var open: Set<String> = []
            for application in list {
                if !application.state.isFinal { open.insert(application.program) }
                let certification = certifications[application.id].flatMap { ["active", "warned"].contains($0.status) ? $0 : nil }
                let missing = application.state.isEditable ? try await applications.detail(application.id).missing.count : 0
                entries.append([
                    "id": application.id.uuidString.lowercased(), "program": names[application.program] ?? application.program,
                    "tier": PageWords.tier(application.tier), "state": PageWords.state(application.state, certified: certification != nil),
                    "certified": certification != nil, "validUntil": PageWords.day(certification?.validUntil),
                    "missing": (application.state.isEditable ? (missing == 0 ? "ready to submit" : "\(missing) to do before submitting") : nil) as Any,
                    "open": !application.state.isFinal,
                ])
            }
            let startable = participant.programs.filter { !open.contains($0) }
            rows.append([
                "id": participant.id.uuidString.lowercased(), "name": participant.displayName, "country": participant.country,
                "programs": participant.programs.map { names[$0] ?? $0 }.joined(separator: ", "),
                "programOptions": startable.map { code -> [String: Any] in
                    ["code": code, "name": names[code] ?? code, "selected": draft["program"] == code]
                },
                "canStart": !startable.isEmpty, "applications": entries, "hasApplications": !entries.isEmpty,
                "openPrograms": list.filter { !$0.state.isFinal }.map { application -> [String: Any] in
                    ["id": application.id.uuidString.lowercased(), "name": names[application.program] ?? application.program]
                },
            ])
        }
        var model = Pages.frame(session)
        model["participants"] = rows
        model["error"] = error
        model["notice"] = PageWords.notice(notice)
        return try pages.render("applications", model, status: status)
    }
}

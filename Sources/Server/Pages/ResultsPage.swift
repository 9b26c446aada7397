import Domain
import Foundation
import Hummingbird
import Store

/// The participant's check results and enforcement in words (`/participants/{id}/results`):
/// each certification's state and deadline, then the results, latest first.
struct ResultsPageModel: Encodable, Sendable {
    struct Certification: Encodable, Sendable {
        let program: String
        let state: String
        let deadline: String?
        let validUntil: String
        let lastChecked: String?
        let history: [String]
        let hasHistory: Bool
        /// What the latest check measured with, and how far apart (nil: not checked on both yet).
        let inputs: String?
        let enforcement: String
    }
    struct Result: Encodable, Sendable {
        let id: String
        let when: String
        let program: String
        let action: String
        let check: String
        let verdict: String
        let failed: Bool
        let explanation: String
        let evidence: [String]
        let hasEvidence: Bool
        let inputs: String
        let dispute: String?
    }
    let csrf: String?
    let links: [NavLink]
    let participantID: String
    let name: String
    let certifications: [Certification]
    let results: [Result]
    let next: String?
}

extension PageWords {
    /// A verdict in words.
    static func verdict(_ verdict: CheckVerdict) -> String {
        switch verdict {
        case .pass: "Passed"
        case .fail: "Failed"
        case .insufficientData: "Not enough data to decide"
        }
    }

    /// A certification's enforcement state in words.
    static func enforcementState(_ status: CertificationStatus) -> String {
        switch status {
        case .active: "Certified, in good standing"
        case .warned: "Warned: fix what the checks found before the deadline"
        case .suspended: "Suspended: not certified until the auditors reinstate it"
        case .revoked: "Revoked"
        case .expired: "Ended (validity ran out or a newer certification replaced it)"
        case .withdrawn: "Withdrawn by the participant"
        }
    }
}

extension RegistryPages {
    func resultsPage(_ id: UUID, _ session: BrowserSession, cursor: String?) async throws -> Response {
        let participant = try await participants.get(id)
        let names = try await PageWords.programNames(catalogs)
        let store = results
        let page = try await store.results(of: id, limit: 50, cursor: cursor)
        let frame = PageFrame(session)
        func at(_ date: Date) -> String { SurveillanceRules.moment(date) }
        let enforcement = try await store.enforcement(of: id)
        let inputs = try await store.latestInputs(of: enforcement.map(\.certificationID))
        let certifications = enforcement.map { certification in
            ResultsPageModel.Certification(
                program: "\(names[certification.program] ?? certification.program) (\(PageWords.tier(certification.tier)))",
                state: PageWords.enforcementState(certification.status)
                    + (certification.appealOpen ? " (an appeal is open: the deadline stands still)" : ""),
                deadline: certification.deadline.map(at), validUntil: PageWords.day(certification.validUntil),
                lastChecked: certification.lastChecked.map(at),
                history: certification.history.map { step in
                    "\(at(step.at)): \(step.from.rawValue) → \(step.to.rawValue) (\(step.cause.replacingOccurrences(of: "_", with: " ")))"
                        + (step.deadline.map { ", deadline \(at($0))" } ?? "")
                }, hasHistory: !certification.history.isEmpty, inputs: inputs[certification.certificationID].map { "Latest check: " + $0.note },
                enforcement: "/certifications/\(certification.certificationID.uuidString.lowercased())/enforcement")
        }
        let items = page.items.map { result in
            ResultsPageModel.Result(
                id: result.id.uuidString.lowercased(), when: at(result.measuredAt), program: names[result.program] ?? result.program,
                action: result.action, check: PageWords.check(result.check), verdict: PageWords.verdict(result.verdict),
                failed: result.verdict == .fail, explanation: result.explanation, evidence: result.evidence, hasEvidence: !result.evidence.isEmpty,
                inputs: Self.inputs(result.snapshots), dispute: result.dispute)
        }
        let model = ResultsPageModel(
            csrf: frame.csrf, links: frame.links, participantID: id.uuidString.lowercased(), name: participant.displayName,
            certifications: certifications, results: items,
            next: page.nextCursor.map { "/participants/\(id.uuidString.lowercased())/results?cursor=\($0)" })
        return try pages.render("participant-results", model: model)
    }

    /// The snapshots a result used, in words; with a routing table and RPKI data, when each was
    /// taken and how far apart.
    static func inputs(_ snapshots: [CheckResultRecord.SnapshotUsed]) -> String {
        let listed = snapshots.map { "\($0.kind) of \(PageWords.day($0.takenAt))" }.joined(separator: ", ")
        guard let routes = snapshots.filter({ $0.kind == "routes" }).map(\.takenAt).max(),
            let vrps = snapshots.filter({ $0.kind == "vrps" }).map(\.takenAt).max()
        else { return listed }
        return CheckInputs(routesTakenAt: routes, vrpsTakenAt: vrps).note
    }
}

import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Routing
import Store

/// Resource verification for the secretariat: the claims awaiting verification (oldest first),
/// or every resource of one participant, each with what the registry knows (the RPKI's word on a
/// prefix, the basis of a verification) and a form to verify or withdraw with a reason.
struct AdminResourcesPageModel: Encodable, Sendable {
    struct Claim: Encodable, Sendable {
        let id: String
        let participantID: String
        let participant: String
        let value: String
        let kind: String
        let state: String
        let claimed: String
        let evidence: [String]
        /// Staff's link to the evidence of a verification.
        let link: String?
        let verifiable: Bool
        let verified: Bool
        /// The reason and link as typed, after a refusal of this resource's form.
        let reason: String
        let url: String
    }
    struct Option: Encodable, Sendable {
        let id: String
        let name: String
        let selected: Bool
    }

    let csrf: String?
    let links: [NavLink]
    let heading: String
    /// `participant` when the list is one participant's, `awaiting` otherwise (where a form returns).
    let view: String
    let claims: [Claim]
    let participants: [Option]
    let error: String?
    let notice: String?
}

extension AdminPages {
    /// `participant`: that participant's resources; nil: every claim awaiting verification.
    /// `draft`: the resource whose form was refused, with its reason and link as typed.
    func resourcesPage(
        _ session: BrowserSession, participant: UUID?, error: String? = nil, status: HTTPResponse.Status = .ok, notice: String? = nil,
        draft: (resource: UUID, reason: String, url: String)? = nil
    ) async throws -> Response {
        let everyone = try await participants.list(filter: ParticipantFilter(), limit: 1000, cursor: nil).items
        let names = Dictionary(everyone.map { ($0.id, $0.displayName) }, uniquingKeysWith: { first, _ in first })
        let resources: [Resource]
        if let participant {
            resources = try await participants.resources(of: participant)
        } else {
            resources = try await participants.searchResources(asn: nil, within: nil, covering: nil, verification: .unverified, limit: 200)
        }
        // The verified ASNs of the participants listed: a VRP for one of them would verify a prefix.
        var verifiedASNs: [UUID: Set<ASN>] = [:]
        for id in Set(resources.map(\.participantID)) {
            let held = participant == id ? resources : try await participants.resources(of: id, kind: .asn)
            verifiedASNs[id] = Set(held.filter { $0.verification.state == .verified }.compactMap { $0.asn.map { ASN($0) } })
        }
        let prefixes = resources.compactMap { $0.prefix.flatMap { try? IPPrefix($0, strict: false) } }
        let rpki = try await participants.rpkiEvidence(for: prefixes)
        let frame = PageFrame(session)
        let model = AdminResourcesPageModel(
            csrf: frame.csrf, links: frame.links,
            heading: participant.map { "Resources of \(names[$0] ?? "this participant")" } ?? "Claims awaiting verification",
            view: participant == nil ? "awaiting" : "participant",
            claims: resources.map { resource in
                let typed = draft?.resource == resource.id ? draft : nil
                return .init(
                    id: resource.id.uuidString.lowercased(), participantID: resource.participantID.uuidString.lowercased(),
                    participant: names[resource.participantID] ?? "", value: resource.value, kind: PageWords.resourceKind(resource.kind),
                    state: PageWords.verification(resource.verification.state), claimed: PageWords.day(resource.createdAt),
                    evidence: Self.evidence(resource, rpki: rpki, verifiedASNs: verifiedASNs[resource.participantID] ?? []),
                    link: resource.verification.state == .verified ? resource.verification.url : nil,
                    verifiable: resource.verification.state == .unverified, verified: resource.verification.state == .verified,
                    reason: typed?.reason ?? "", url: typed?.url ?? "")
            },
            participants: everyone.sorted { $0.displayName.lowercased() < $1.displayName.lowercased() }.map {
                .init(id: $0.id.uuidString.lowercased(), name: $0.displayName, selected: $0.id == participant)
            },
            error: error, notice: PageWords.notice(notice))
        return try pages.render("admin-resources", model: model, status: status)
    }

    /// What the registry has on a resource, in sentences: how a verification rests, or for a
    /// claim, what the latest VRPs say of it (`ResourceVerification`).
    static func evidence(_ resource: Resource, rpki: RPKIEvidence?, verifiedASNs: Set<ASN>) -> [String] {
        let verification = resource.verification
        var lines: [String] = []
        switch (verification.state, verification.basis) {
        case (.verified, .rpki?):
            if let vrp = verification.vrp {
                lines.append(
                    "Verified by RPKI: a ROA authorises AS\(vrp.asn) (one of the participant's verified AS numbers) for \(vrp.prefix) up to /\(vrp.maxLength)."
                )
            } else {
                lines.append("Verified by RPKI.")
            }
        case (.verified, _):
            let reason = verification.reason ?? "no reason recorded"
            lines.append("Verified by the secretariat on \(PageWords.day(verification.at)): \(reason)" + (reason.hasSuffix(".") ? "" : "."))
        case (.superseded, _), (.unverified, _):
            if let reason = verification.reason, verification.at != nil { lines.append("Last change: \(reason)") }
        }
        guard resource.verification.state != .verified else { return lines }
        guard let text = resource.prefix, let prefix = try? IPPrefix(text, strict: false) else {
            lines.append(
                "An AS number is verified by the secretariat from the registry that assigned it (the RIR); RPKI does not show who holds one.")
            return lines
        }
        guard let rpki else {
            lines.append("No VRPs have been imported, so RPKI cannot speak for this prefix.")
            return lines
        }
        let day = PageWords.day(rpki.takenAt)
        if let vrp = ResourceVerification.authorisingVRP(for: prefix, among: rpki.vrps, verifiedASNs: verifiedASNs) {
            lines.append(
                "RPKI-verified: the VRPs of \(day) authorise AS\(vrp.asn), a verified AS number of this participant, for it (\(vrp.prefix) up to /\(vrp.maxLength))."
            )
            return lines
        }
        let covering = Set(ResourceVerification.covering(prefix, among: rpki.vrps).map(\.asn)).sorted()
        if covering.isEmpty {
            lines.append("Not RPKI-verified: no VRP of \(day) covers this prefix.")
        } else {
            lines.append(
                "Not RPKI-verified: the VRPs of \(day) authorise \(covering.map { "AS\($0)" }.joined(separator: ", ")) for it, "
                    + "none of them a verified AS number of this participant.")
        }
        return lines
    }
}

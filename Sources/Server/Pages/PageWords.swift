import Domain
import Foundation
import Store

/// Words the pages show people instead of codes: program names, states, evidence kinds, the
/// confirmations after a save, dates.
enum PageWords {
    /// The confirmation for each `?notice=` code a POST redirects with; nil for codes it does not know.
    static func notice(_ code: String?) -> String? {
        switch code {
        case "application-created": "Application started. Commit to the actions below, then submit it for review."
        case "commitment-saved": "Commitment saved."
        case "commitment-removed": "Commitment removed."
        case "evidence-added": "Evidence added."
        case "submitted": "Application submitted for review. An auditor will pick it up from the queue."
        case "withdrawn": "Application withdrawn."
        case "details-saved": "Details saved."
        case "resource-added": "Resource added. It counts once it is verified; see below for how."
        case "resource-removed": "Resource removed."
        case "contact-added": "Contact added."
        case "contact-saved": "Contact saved."
        case "contact-removed": "Contact removed."
        case "member-saved": "If an applicant account has that email, it is now a member with the role you chose; the list shows who is a member."
        case "member-removed": "Member removed."
        case "comment-added": "Comment added."
        case "claimed": "You claimed this item: it is yours to decide for the next two hours."
        case "released": "Item released back to the queue."
        case "decision-recorded": "Your decision was recorded."
        case "token-created": "Token created."
        case "password-changed": "Password changed."
        default: nil
        }
    }

    static func state(_ state: ApplicationState, certified: Bool) -> String {
        switch state {
        case .draft: "draft"
        case .submitted: "submitted, waiting for an auditor"
        case .inReview: "in review"
        case .changesRequested: "changes requested"
        case .approved: certified ? "certified" : "approved"
        case .rejected: "rejected"
        case .withdrawn: "withdrawn"
        }
    }

    static func decision(_ decision: Decision) -> String {
        switch decision {
        case .approve: "approved"
        case .requestChanges: "changes requested"
        case .reject: "rejected"
        }
    }

    static func queueStatus(_ status: ReviewStatus) -> String {
        switch status {
        case .open: "open"
        case .awaitingSecond: "awaiting a second auditor"
        case .flagged: "flagged for an admin"
        case .closed: "closed"
        }
    }

    static func tier(_ tier: Tier) -> String {
        switch tier {
        case .baseline: "MANRS"
        case .plus: "MANRS+"
        }
    }

    /// What the applicant gives for each kind of evidence, in words.
    static func evidence(_ kinds: [EvidenceKind]) -> [String] {
        kinds.map { kind in
            switch kind {
            case .statement: "A statement of how you implement it"
            case .document: "A document (PDF, image, text or office file)"
            case .url: "A link to a public page or report"
            case .measurement: "Measured automatically from public routing data; nothing to upload"
            }
        }
    }

    static func verification(_ state: VerificationState) -> String {
        switch state {
        case .unverified: "claimed, not verified yet"
        case .verified: "verified"
        case .superseded: "refused: another participant's claim was verified"
        }
    }

    /// What a resource's state rests on, or what the participant can do to have it verified.
    static func verificationExplanation(_ resource: Resource) -> String {
        let verification = resource.verification
        switch verification.state {
        case .verified:
            if verification.basis == .rpki, let vrp = verification.vrp {
                return "Verified by RPKI: a ROA authorises AS\(vrp.asn), one of your verified AS numbers, for \(vrp.prefix) up to /\(vrp.maxLength)."
            }
            return "Verified by the secretariat" + (verification.reason.map { ": \($0)" } ?? ".")
        case .unverified:
            let withdrawn = verification.reason.map { " The last verification was withdrawn: \($0)" } ?? ""
            if resource.kind.isASN {
                return "Not verified yet, so it counts for nothing in measurements and certification. The secretariat verifies an AS number "
                    + "from its registration at your regional internet registry (for example the aut-num object in the RIPE database): make "
                    + "sure the registration names your organisation, then ask the secretariat to verify it." + withdrawn
            }
            return "Not verified yet, so it counts for nothing in measurements and certification. It is verified automatically once an "
                + "RPKI ROA authorises one of your verified AS numbers for it: create the ROA with your regional internet registry, and it is "
                + "checked after the next ROA import. The secretariat can also verify it from the registration naming your organisation."
                + withdrawn
        case .superseded:
            return (verification.reason ?? "Another participant's claim of this space was verified.")
                + " Remove the claim if it is not yours."
        }
    }

    static func membershipRole(_ role: MembershipRole) -> String {
        switch role {
        case .owner: "owner (also manages members)"
        case .member: "member"
        }
    }

    static func resourceKind(_ kind: ResourceKind) -> String {
        switch kind {
        case .asn: "AS number"
        case .prefix: "address block"
        case .routeServerASN: "route server AS number"
        case .peeringLAN: "peering LAN"
        }
    }

    static func contactRole(_ role: ContactRole) -> String {
        switch role {
        case .noc: "network operations (NOC)"
        case .abuse: "abuse"
        case .security: "security"
        case .policy: "policy"
        case .business: "business"
        }
    }

    /// "1 January 2029".
    static func day(_ date: Date?) -> String {
        guard let date else { return "" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMMM yyyy"
        return formatter.string(from: date)
    }

    /// Program names by code, for pages that list programs.
    static func programNames(_ catalogs: CatalogStore) async throws -> [String: String] {
        Dictionary(try await catalogs.programs().map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// A local path to go back to after signing in: one that starts with a single "/", no
    /// scheme, no host, no backslash; nil otherwise.
    static func safeNext(_ path: String?) -> String? {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"), path.count <= 2000,
            !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        return path
    }
}

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
        case "dispute-opened": "Dispute sent. An independent auditor will review it; you will be told the outcome."
        case "appeal-opened": "Appeal sent. Auditors who took no part in the decision will review it; you will be told the outcome."
        case "certification-revoked": "Certification revoked for cause."
        case "certification-withdrawn": "Certification withdrawn."
        case "certification-overridden": "Status set. The reason is recorded in the audit trail."
        case "renewal-confirmed": "Confirmation sent. The auditors will review it from their queue."
        case "token-created": "Token created."
        case "password-changed": "Password changed."
        case "email-confirmed": "Your email address is confirmed. Sign in to start."
        case "password-reset": "Your new password is set and every earlier session has ended. Sign in with it."
        case "watchlist-created": "Watchlist created."
        case "watchlist-renamed": "Watchlist renamed."
        case "watchlist-deleted": "Watchlist deleted."
        case "entries-added": "Added to the watchlist."
        case "entry-removed": "Removed from the watchlist."
        case "webhook-deleted": "Webhook deleted: nothing more is sent to it."
        case "user-disabled": "Account disabled: its sessions have ended and its API tokens no longer work."
        case "user-enabled": "Account enabled again."
        case "role-changed": "Role changed."
        case "draft-created": "Draft started as a copy of the latest published version. Edit it below, then publish it."
        case "draft-saved": "Draft saved."
        case "catalog-published": "Version published. New applications use it from now on, and it will never change."
        case "resource-verified": "Resource verified: it now counts for the participant and no one else can hold it."
        case "resource-unverified": "Verification withdrawn: the resource no longer counts and blocks no one."
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

    static func tier(_ tier: Tier) -> String { tier.markName }

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

    static func role(_ role: UserRole) -> String {
        switch role {
        case .admin: "secretariat (admin)"
        case .auditor: "auditor"
        case .applicant: "applicant"
        case .enterprise: "buyer (enterprise)"
        }
    }

    /// What an automated check asks, in words: "RPKI-valid share of routes at least 90 %".
    static func check(_ check: Check) -> String {
        let names = [
            "rpki_valid_share": "share of announced routes that are RPKI-valid",
            "rpki_invalid_originated": "RPKI-invalid routes originated",
            "rpki_coverage": "share of the participant's address space covered by ROAs",
            "irr_coverage": "share of announced routes with an IRR route object",
            "irr_rpki_conflicts": "IRR route objects that RPKI contradicts",
            "bogon_prefixes_originated": "bogon prefixes originated",
            "bogon_asns_propagated": "routes propagated with bogon AS numbers in the path",
            "rov_invalid_propagated": "RPKI-invalid routes propagated to others",
            "route_server_invalids": "RPKI-invalid routes accepted by the route servers",
            "contacts_present": "contacts present",
            "noc_24x7": "a network operations contact reachable 24/7",
            "spoofer_test_age_days": "days since the last Spoofer test",
            "spoofable_prefixes": "prefixes from which spoofed packets get out",
        ]
        let name = names[check.kind.rawValue] ?? check.kind.rawValue.replacingOccurrences(of: "_", with: " ")
        var bounds: [String] = []
        if let min = check.min { bounds.append(check.kind.threshold == .minimumShare ? "at least \(percent(min))" : "at least \(number(min))") }
        if let max = check.max { bounds.append(max == 0 ? "none" : "at most \(number(max))") }
        if let roles = check.roles, !roles.isEmpty {
            bounds.append(roles.map { ContactRole(rawValue: $0).map(contactRole) ?? $0 }.joined(separator: ", "))
        }
        return bounds.isEmpty
            ? name.prefix(1).uppercased() + name.dropFirst()
            : "\(name.prefix(1).uppercased() + name.dropFirst()): \(bounds.joined(separator: " and "))"
    }

    /// 0.9 → "90 %".
    static func percent(_ share: Double) -> String {
        number(share * 100) + " %"
    }

    /// 3.0 → "3", 2.5 → "2.5".
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
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

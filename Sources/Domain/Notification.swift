import Foundation
import Routing

/// What a notification tells: the events that write outbox rows. Stored as text, checked by the
/// schema; an unknown stored value is unreadable.
public enum NotificationEvent: String, Sendable, Codable, CaseIterable {
    case applicationChangesRequested = "application.changes_requested"
    case applicationCertified = "application.certified"
    case applicationRejected = "application.rejected"
    /// Sent on request by a participant's owner to try an endpoint.
    case webhookTest = "webhook.test"
    // Enforcement (issue 12 §5, checks helper): what happens to a certification.
    case certificationCheckFailed = "certification.check_failed"
    case certificationWarned = "certification.warned"
    case certificationDeadlineReminder = "certification.deadline_reminder"
    case certificationSuspended = "certification.suspended"
    case certificationReinstated = "certification.reinstated"
    case certificationRevoked = "certification.revoked"
    case certificationRestored = "certification.restored"
    case certificationExpiryUpcoming = "certification.expiry_upcoming"
    case certificationExpired = "certification.expired"
    case certificationWithdrawn = "certification.withdrawn"
    case certificationReattestationMissed = "certification.reattestation_missed"
    case certificationAuditorFinding = "certification.auditor_finding"
    case certificationDisputeAccepted = "certification.dispute_accepted"
    case certificationAppealOpened = "certification.appeal_opened"
    case certificationAppealGranted = "certification.appeal_granted"
    case certificationAppealRejected = "certification.appeal_rejected"
    case certificationOverridden = "certification.overridden"
    // Reviews (issue 12 §3, §4): a dispute's outcome for the participant; new and overdue
    // queue items for the auditors.
    case disputeAccepted = "dispute.accepted"
    case disputeRejected = "dispute.rejected"
    case reviewItemOpened = "review.item_opened"
    case reviewItemDue = "review.item_due"
    /// A new account's single-use link to confirm its email address (sign-up).
    case accountVerifyEmail = "account.verify_email"
    /// A single-use link to set a new password.
    case accountPasswordReset = "account.password_reset"
    /// Someone signed up with an address that already has an account: its owner is told, with a reset link.
    case accountAlreadyRegistered = "account.already_registered"
    /// A watched mark's or ASN's certification changed state (a buyer's watchlists).
    case watchlistStatusChanged = "watchlist.status_changed"
    // Renewals (issue 12 §3, attest helper): the participant is asked to re-attest or recertify.
    case certificationReattestationDue = "certification.reattestation_due"
    case certificationRecertificationDue = "certification.recertification_due"
    // Renewal decisions (issue 12 §3, renew helper): the auditors' final decision on a
    // re-attestation or recertification (`RenewalDecision`), with its summary and reasons.
    case certificationRenewalDecided = "certification.renewal_decided"

    /// The notification an application's new state causes, if any.
    public static func forApplication(_ state: ApplicationState) -> NotificationEvent? {
        switch state {
        case .changesRequested: .applicationChangesRequested
        case .approved: .applicationCertified
        case .rejected: .applicationRejected
        case .draft, .submitted, .inReview, .withdrawn: nil
        }
    }

    /// The subject line of the email, in plain words.
    public var subject: String {
        switch self {
        case .applicationChangesRequested: "Changes requested to your application"
        case .applicationCertified: "Your application is certified"
        case .applicationRejected: "Your application was rejected"
        case .webhookTest: "Test notification"
        case .certificationCheckFailed: "A conformance check of your certification failed"
        case .certificationWarned: "Your certification is warned: fix it before the deadline"
        case .certificationDeadlineReminder: "Reminder: your certification's deadline is near"
        case .certificationSuspended: "Your certification is suspended"
        case .certificationReinstated: "Your certification is reinstated"
        case .certificationRevoked: "Your certification is revoked"
        case .certificationRestored: "Your certification is in good standing again"
        case .certificationExpiryUpcoming: "Your certification ends soon"
        case .certificationExpired: "Your certification has ended"
        case .certificationWithdrawn: "Your certification is withdrawn"
        case .certificationReattestationMissed: "Your certification's re-attestation is overdue"
        case .certificationAuditorFinding: "The auditors found your certification not conforming"
        case .certificationDisputeAccepted: "Your dispute was accepted"
        case .certificationAppealOpened: "Your appeal was received"
        case .certificationAppealGranted: "Your appeal was granted"
        case .certificationAppealRejected: "Your appeal was rejected"
        case .certificationOverridden: "An administrator changed your certification's status"
        case .disputeAccepted: "Your dispute of a check result was accepted"
        case .disputeRejected: "Your dispute of a check result was rejected"
        case .reviewItemOpened: "A new item is in the review queue"
        case .reviewItemDue: "A review item is due soon or overdue"
        case .accountVerifyEmail: "Confirm your email address for MANRS+"
        case .accountPasswordReset: "Set a new MANRS+ password"
        case .accountAlreadyRegistered: "You already have a MANRS+ account"
        case .watchlistStatusChanged: "A certification you watch has changed"
        case .certificationReattestationDue: "Your certification's yearly re-attestation is due"
        case .certificationRecertificationDue: "Your certification is due for recertification"
        case .certificationRenewalDecided: "The auditors decided on your certification's renewal"
        }
    }

    /// Whether the participant's owners receive it by email (the test event goes to webhooks
    /// only, the auditors' events to the auditors, the account and watchlist events to one user).
    public var emailsOwners: Bool {
        switch self {
        case .webhookTest, .accountVerifyEmail, .accountPasswordReset, .accountAlreadyRegistered, .watchlistStatusChanged: false
        default: !forAuditors
        }
    }

    /// Whether it goes to the auditors (by email) rather than to a participant.
    public var forAuditors: Bool { self == .reviewItemOpened || self == .reviewItemDue }

    /// The notification an enforcement notice sends.
    public static func forEnforcement(_ notice: EnforcementNotice) -> NotificationEvent {
        switch notice {
        case .checkFailed: .certificationCheckFailed
        case .reattestationMissed: .certificationReattestationMissed
        case .auditorFinding: .certificationAuditorFinding
        case .warned: .certificationWarned
        case .suspended: .certificationSuspended
        case .reinstated: .certificationReinstated
        case .revoked: .certificationRevoked
        case .expired: .certificationExpired
        case .withdrawn: .certificationWithdrawn
        case .restored: .certificationRestored
        case .disputeAccepted: .certificationDisputeAccepted
        case .appealOpened: .certificationAppealOpened
        case .appealGranted: .certificationAppealGranted
        case .appealRejected: .certificationAppealRejected
        case .overridden: .certificationOverridden
        }
    }
}

/// Where a notification goes.
public enum NotificationChannel: String, Sendable, Codable, CaseIterable {
    case email, webhook
}

/// An outbox row's delivery state.
public enum DeliveryState: String, Sendable, Codable, CaseIterable {
    case pending, delivered, failed
}

/// The retry schedule Standard Webhooks recommends, used for email too: after the first attempt
/// fails, retry after 5 seconds, 5 minutes, 30 minutes, 2 hours, 5 hours, 10 hours and 10 hours
/// (8 attempts in all), then give up.
public enum DeliverySchedule {
    public static let retryDelays: [TimeInterval] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000]

    /// When to try again once `attempts` attempts (at least one) have failed, the last at `at`;
    /// nil when no attempt is left, or when the failure is permanent.
    public static func nextAttempt(afterAttempts attempts: Int, at: Date, permanent: Bool) -> Date? {
        guard !permanent, attempts >= 1, attempts <= retryDelays.count else { return nil }
        return at.addingTimeInterval(retryDelays[attempts - 1])
    }
}

/// Which webhook URLs a participant may register, and which addresses a delivery may reach:
/// https to a public host, or http to a loopback address when the operator allows it (tests and
/// the demo). A post to a private, loopback or link-local address would reach the server's own
/// network instead of the participant's, so those are refused at registration (literal
/// addresses) and again at delivery (what the name resolves to). Pure.
public enum WebhookEndpointRules {
    /// The address as stored: its scheme in lower case (`HTTPS://` is `https://`), the rest as given.
    public static func normalised(_ text: String) -> String {
        guard let separator = text.range(of: "://") else { return text }
        return text[..<separator.lowerBound].lowercased() + text[separator.lowerBound...]
    }

    public static func url(_ text: String, allowLoopbackHTTP: Bool) -> Refusal? {
        guard text.count <= Limits.webhookURL.max, let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host,
            !host.isEmpty
        else {
            return Refusal("invalid_webhook_url", "Enter the full address of your endpoint, starting with https://.")
        }
        if url.user != nil || url.password != nil {
            return Refusal("invalid_webhook_url", "The endpoint address must not contain a user name or password.")
        }
        switch scheme {
        case "https": break
        case "http" where allowLoopbackHTTP && isLoopback(host): break
        default: return Refusal("webhook_url_not_https", "Webhook endpoints must use https://.")
        }
        return hostRefusal(host, allowLoopback: allowLoopbackHTTP)
    }

    /// A URL's host as written: a loopback name (`localhost`, `*.localhost`), a literal address
    /// (brackets of IPv6 removed), or a name to resolve (lower case).
    public enum Host: Sendable, Equatable {
        case loopbackName(String)
        case address(IPAddress)
        case name(String)
    }

    public static func host(_ text: String) -> Host {
        let bare = text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare.hasSuffix(".localhost") { return .loopbackName(bare) }
        if let address = try? IPAddress(bare) { return .address(address) }
        return .name(bare)
    }

    /// Why a webhook may not go to `host` as written: a loopback name, a literal address that is
    /// not public, or a number that resolvers would read as an address (`2130706433`,
    /// `0x7f000001`, `0177.0.0.1`). Nil for a host name, or a public address.
    public static func hostRefusal(_ host: String, allowLoopback: Bool) -> Refusal? {
        switch Self.host(host) {
        case .loopbackName(let name):
            return allowLoopback ? nil : notPublic("\(name) is this server itself")
        case .address(let address):
            return addressRefusal(address, allowLoopback: allowLoopback)
        case .name(let name):
            // No top-level domain is a number, so a host whose last label is one is an address in
            // a spelling that resolvers accept and this rule cannot judge.
            let last = name.split(separator: ".", omittingEmptySubsequences: false).last ?? ""
            if !last.isEmpty, last.allSatisfy({ ("0"..."9").contains($0) }) || last.hasPrefix("0x") {
                return Refusal("invalid_webhook_url", "Write the endpoint's host as a name, or as an address like 192.0.2.10 or [2001:db8::10].")
            }
            return nil
        }
    }

    /// Why a webhook may not be posted to `address`: it is in a special-purpose block
    /// (loopback, private, link-local, shared, multicast, documentation…). Nil for a public
    /// address, and for loopback when `allowLoopback`.
    public static func addressRefusal(_ address: IPAddress, allowLoopback: Bool) -> Refusal? {
        guard let block = Bogons.specialPurposeBlock(containing: address) else { return nil }
        if allowLoopback, isLoopback(address) { return nil }
        return notPublic("\(address) is in \(block), which is not a public address")
    }

    static func notPublic(_ why: String) -> Refusal {
        Refusal("webhook_url_not_public", "Webhook endpoints must be on the public internet: \(why).")
    }

    static func isLoopback(_ host: String) -> Bool {
        switch Self.host(host) {
        case .loopbackName: true
        case .address(let address): isLoopback(address)
        case .name: false
        }
    }

    static func isLoopback(_ address: IPAddress) -> Bool {
        switch address.family {
        case .v4: address.bits >> 120 == 127
        case .v6: address.bits == 1
        }
    }
}

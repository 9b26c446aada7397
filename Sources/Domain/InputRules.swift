import Foundation

/// What people may send, as pure functions: each returns the refusals for its input (empty
/// when it is fine). The API and the pages both reach these through the operations layer, so
/// the same bad input gets the same field and code on both. Nothing is cut short: text that is
/// too long is refused. Codes are stable (`required`, `too_long`, `invalid_characters`,
/// `invalid_date`, `before_start`, `invalid_url`); messages are sentences for people.
public enum InputRules {
    /// Trimmed of surrounding white space, as every text is stored.
    public static func trimmed(_ text: String?) -> String {
        (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A text of `limit`, already trimmed. `label` starts the sentences ("The statement");
    /// `lineBreaks` lets CR and LF through, as a text area sends them.
    public static func text(
        _ field: String, _ text: String, _ limit: TextLimit, label: String, required: Bool = true, lineBreaks: Bool = true
    ) -> [FieldRefusal] {
        if text.isEmpty {
            return required ? [FieldRefusal(field, "required", "\(label) is empty; write it out.")] : []
        }
        if text.count > limit.max {
            return [FieldRefusal(field, "too_long", "\(label) has at most \(grouped(limit.max)) characters (this one has \(grouped(text.count))).")]
        }
        if text.count < limit.min {
            return [FieldRefusal(field, "too_short", "\(label) has at least \(grouped(limit.min)) characters.")]
        }
        if let refusal = TextRules.refusal(label, text, lineBreaks: lineBreaks) {
            return [FieldRefusal(field, refusal.code, refusal.message)]
        }
        return []
    }

    // MARK: Applications

    /// A commitment's statement. When the action asks for a statement, an empty one is not a
    /// commitment: the applicant says how they implement it, or leaves the action alone.
    public static func commitment(statement: String, asksForStatement: Bool) -> [FieldRefusal] {
        if statement.isEmpty && asksForStatement {
            return [FieldRefusal("statement", "required", "Describe how you implement this action before committing to it.")]
        }
        return text("statement", statement, Limits.statement, label: "The statement", required: false)
    }

    /// A comment on an application.
    public static func comment(body: String) -> [FieldRefusal] {
        text("body", body, Limits.comment, label: "The comment")
    }

    /// Only staff write internal notes (see `StaffView`).
    public static func internalNote(_ isInternal: Bool, by actor: Actor) -> [FieldRefusal] {
        isInternal && !StaffView(for: actor).seesInternalNotes
            ? [FieldRefusal("internal", "not_allowed", "Only auditors and the secretariat write internal notes.")] : []
    }

    /// A statement given as evidence.
    public static func evidenceStatement(_ text: String) -> [FieldRefusal] {
        self.text("text", text, Limits.statement, label: "The statement")
    }

    /// A web address given as evidence (or, with its `limit`, a website or an evidence link).
    public static func url(_ field: String, _ text: String, limit: TextLimit = Limits.evidenceURL) -> [FieldRefusal] {
        if text.isEmpty { return [FieldRefusal(field, "required", "Give a web address starting with http:// or https://.")] }
        let refusals = self.text(field, text, limit, label: "The web address", lineBreaks: false)
        if !refusals.isEmpty { return refusals }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false else {
            return [FieldRefusal(field, "invalid_url", "Give a web address starting with http:// or https://.")]
        }
        return []
    }

    // MARK: Dates

    /// A calendar day `YYYY-MM-DD`, or nil when `text` is not one.
    public static func day(_ text: String) -> String? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        guard text.count == 10, let date = formatter.date(from: text), formatter.string(from: date) == text else { return nil }
        return text
    }

    /// The days a piece of evidence (or an affiliation) covers: a required start, an optional
    /// end that is not before it (`strict`: after it). An empty end means "open".
    public static func period(
        from: String?, until: String?, fromField: String = "effective_from", untilField: String = "effective_until", strict: Bool = false
    ) -> [FieldRefusal] {
        var refusals: [FieldRefusal] = []
        let start = trimmed(from)
        let end = trimmed(until)
        if start.isEmpty {
            refusals.append(FieldRefusal(fromField, "required", "Give the first day this covers, like 2026-01-31."))
        } else if day(start) == nil {
            refusals.append(FieldRefusal(fromField, "invalid_date", "The start date is not a date like 2026-01-31."))
        }
        if !end.isEmpty && day(end) == nil {
            refusals.append(FieldRefusal(untilField, "invalid_date", "The end date is not a date like 2026-01-31."))
        }
        if refusals.isEmpty, !end.isEmpty, end < start || (strict && end == start) {
            refusals.append(
                FieldRefusal(
                    untilField, "before_start", strict ? "The end date must be after the start date." : "The end date is before the start date."))
        }
        return refusals
    }

    // MARK: Reviews

    /// A reviewer's decision: a rejection gives its reasons; a request for changes says what to
    /// change (a per-action comment or the reasons); nothing is longer than its limit.
    /// `actionComments` holds only the non-empty, trimmed comments.
    public static func decision(_ decision: Decision?, reasons: String, actionComments: [String: String]) -> [FieldRefusal] {
        var refusals: [FieldRefusal] = []
        guard let decision else { return [FieldRefusal("decision", "required", "Choose approve, request changes or reject.")] }
        refusals += text("reasons", reasons, Limits.decisionReasons, label: "The reasons", required: false)
        if decision == .reject && reasons.isEmpty {
            refusals.append(FieldRefusal("reasons", "required", "A rejection gives its reasons."))
        }
        if decision == .requestChanges && actionComments.isEmpty && reasons.isEmpty {
            refusals.append(FieldRefusal("action_comments", "required", "Say what to change, action by action, or give your reasons."))
        }
        if actionComments.count > Limits.actionCommentsPerDecision || actionComments.values.contains(where: { $0.count > Limits.comment.max }) {
            refusals.append(
                FieldRefusal(
                    "action_comments", "too_long",
                    "A decision has at most \(Limits.actionCommentsPerDecision) comments of \(grouped(Limits.comment.max)) characters each."))
        } else {
            for (action, comment) in actionComments.sorted(by: { $0.key < $1.key }) {
                if let refusal = TextRules.refusal("The comment on \(action.prefix(64))", comment, lineBreaks: true) {
                    refusals.append(FieldRefusal("action_comments", refusal.code, refusal.message))
                    break
                }
            }
        }
        return refusals
    }

    /// The per-action comments as stored: trimmed, empty ones left out.
    public static func actionComments(_ comments: [String: String]) -> [String: String] {
        comments.reduce(into: [:]) { result, entry in
            let text = trimmed(entry.value)
            if !text.isEmpty { result[entry.key] = text }
        }
    }

    /// An auditor's declared relation with a participant, and when it holds.
    public static func affiliation(relation: String, from: String?, until: String?) -> [FieldRefusal] {
        text("relation", relation, Limits.affiliationRelation, label: "The relation", lineBreaks: false)
            + period(from: from, until: until, fromField: "valid_from", untilField: "valid_until", strict: true)
    }

    // MARK: Accounts

    /// A new API token: a name, at least one scope, an expiry (when given) after `now`.
    public static func token(name: String, scopes: Set<Scope>, expiresAt: Date?, now: Date) -> [FieldRefusal] {
        var refusals = text("name", name, Limits.tokenName, label: "The token's name", lineBreaks: false)
        if scopes.isEmpty { refusals.append(FieldRefusal("scopes", "required", "A token needs at least one scope (read, write).")) }
        if let expiresAt, expiresAt <= now { refusals.append(FieldRefusal("expires_at", "in_the_past", "The expiry must be in the future.")) }
        return refusals
    }

    /// A new account: an email address, a name, and optionally an organisation.
    public static func account(email: String, displayName: String, organisation: String) -> [FieldRefusal] {
        emailAddress(email) + displayNameRule(displayName)
            + text("organisation", organisation, Limits.organisation, label: "The organisation", required: false, lineBreaks: false)
    }

    /// An account's email address (field `email`).
    public static func emailAddress(_ email: String) -> [FieldRefusal] {
        var refusals = text("email", email, Limits.email, label: "The email address", lineBreaks: false)
        if refusals.isEmpty && !ContactRules.isEmail(email) {
            refusals.append(FieldRefusal("email", "invalid_email", "The email address is not one (like name@example.org)."))
        }
        return refusals
    }

    /// The name shown for an account.
    public static func displayNameRule(_ name: String) -> [FieldRefusal] {
        text("display_name", name, Limits.displayName, label: "The name", lineBreaks: false)
    }

    /// 20000 → "20,000".
    static func grouped(_ number: Int) -> String {
        let digits = String(number)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }
}

/// What staff see that the participant's members do not: internal notes between auditors and
/// the secretariat. One rule for the API's comment listing, the pages and the timeline.
public struct StaffView: Sendable, Equatable {
    public let seesInternalNotes: Bool

    public init(for actor: Actor?) {
        seesInternalNotes = actor?.role == .admin || actor?.role == .auditor
    }
}

/// How long a piece of text may be: at least `min`, at most `max` characters.
public struct TextLimit: Sendable, Equatable, CustomStringConvertible {
    public let min: Int
    public let max: Int

    public init(_ min: Int, _ max: Int) {
        self.min = min
        self.max = max
    }

    public var description: String { "\(min)...\(max)" }
}

/// Every text limit, in one place. The schema's CHECK constraints say the same
/// (`schemaColumns`; a store test reads them from `pg_constraint` and compares), and the API,
/// the pages and the rules in `InputRules` use these names instead of numbers.
public enum Limits {
    /// How an applicant implements an action; also a statement given as evidence.
    public static let statement = TextLimit(0, 20_000)
    /// Why an auditor decided as they did.
    public static let decisionReasons = TextLimit(0, 20_000)
    /// A comment on an application, or one of a decision's per-action comments.
    public static let comment = TextLimit(1, 10_000)
    /// How many per-action comments one decision carries.
    public static let actionCommentsPerDecision = 100
    /// An auditor's declared relation with a participant.
    public static let affiliationRelation = TextLimit(1, 500)
    /// A web address given as evidence.
    public static let evidenceURL = TextLimit(1, 2_000)
    /// An evidence file's stored name.
    public static let evidenceFileName = TextLimit(1, 200)
    /// Why a resource was verified or its verification withdrawn, and where that is shown.
    public static let verificationReason = TextLimit(1, 2_000)
    public static let verificationURL = TextLimit(1, 500)
    public static let legalName = TextLimit(1, 200)
    public static let displayName = TextLimit(1, 100)
    public static let website = TextLimit(1, 500)
    public static let contactName = TextLimit(1, 200)
    public static let email = TextLimit(3, 254)
    public static let phone = TextLimit(1, 32)
    public static let organisation = TextLimit(1, 200)
    public static let tokenName = TextLimit(1, 100)
    public static let programName = TextLimit(1, 200)
    public static let programDescription = TextLimit(0, 2_000)
    /// A catalog action's title and description (inside the catalog document, not columns).
    public static let actionTitle = TextLimit(1, 200)
    public static let actionDescription = TextLimit(0, 10_000)
    public static let snapshotSourceName = TextLimit(1, 200)
    public static let idempotencyKey = TextLimit(1, 200)
    /// A webhook endpoint's address and description; an outbox message's id; a delivery error.
    public static let webhookURL = TextLimit(8, 2_000)
    public static let webhookDescription = TextLimit(0, 200)
    public static let notificationMessageID = TextLimit(1, 100)
    public static let deliveryError = TextLimit(0, 2_000)
    /// Why a participant disputes a result or appeals; why an auditor voids a result.
    public static let reviewStatement = TextLimit(1, 20_000)
    /// A buyer's watchlist: its name, and the note on one of its entries.
    public static let watchlistName = TextLimit(1, 100)
    public static let watchlistNote = TextLimit(0, 200)
    /// A watched entry as stored: `AS64500` or a mark id.
    public static let watchlistEntry = TextLimit(3, 20)

    /// Where the schema enforces each limit: table, column, limit. A column without a lower
    /// bound in SQL (`length(x) <= n`) has `min` 0 or 1 here as the rules read it; the
    /// comparison only checks what SQL states.
    public static let schemaColumns: [(table: String, column: String, limit: TextLimit)] = [
        ("commitments", "statement", statement),
        ("evidence", "text", statement),
        ("evidence", "url", evidenceURL),
        ("evidence", "file_name", evidenceFileName),
        ("decisions", "reasons", decisionReasons),
        ("comments", "body", comment),
        ("affiliations", "relation", affiliationRelation),
        ("resources", "verification_reason", verificationReason),
        ("resources", "verification_url", verificationURL),
        ("participants", "legal_name", legalName),
        ("participants", "display_name", displayName),
        ("participants", "website", website),
        ("contacts", "name", contactName),
        ("contacts", "email", email),
        ("contacts", "phone", phone),
        ("users", "email", email),
        ("users", "display_name", displayName),
        ("users", "organisation", organisation),
        ("api_tokens", "name", tokenName),
        ("programs", "name", programName),
        ("programs", "description", programDescription),
        ("measurement_snapshots", "source_name", snapshotSourceName),
        ("idempotency_keys", "key", idempotencyKey),
        ("webhook_endpoints", "url", webhookURL),
        ("webhook_endpoints", "description", webhookDescription),
        ("outbox", "message_id", notificationMessageID),
        ("outbox", "email", email),
        ("outbox", "last_error", deliveryError),
        ("delivery_attempts", "error", deliveryError),
        ("review_items", "statement", reviewStatement),
        ("check_result_voids", "reason", reviewStatement),
        ("watchlists", "name", watchlistName),
        ("watchlist_entries", "note", watchlistNote),
        ("watchlist_entries", "value", watchlistEntry),
        ("account_requests", "email", email),
    ]
}

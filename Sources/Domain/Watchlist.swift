import Foundation
import Routing

/// What a watchlist entry names: a mark (by its public id) or an ASN (a supplier that may have no mark).
public enum WatchKind: String, Sendable, Codable, CaseIterable {
    case mark, asn
}

/// One certification behind a watched entry: its program, its enforcement state and its mark.
public struct WatchedCertification: Sendable, Equatable, Codable {
    public let program: String
    public let status: CertificationStatus
    public let markID: String?
    public let validUntil: Date?

    public init(program: String, status: CertificationStatus, markID: String?, validUntil: Date?) {
        self.program = program
        self.status = status
        self.markID = markID
        self.validUntil = validUntil
    }

    enum CodingKeys: String, CodingKey {
        case program, status
        case markID = "mark_id"
        case validUntil = "valid_until"
    }
}

/// The rules of buyers' watchlists: names, entries, how many, and what an entry's status is.
public enum WatchlistRules {
    /// The most watchlists one user keeps, and the most entries one list holds.
    public static let maxLists = 50
    public static let maxEntriesPerList = 10_000

    public static func name(_ name: String) -> [FieldRefusal] {
        InputRules.text("name", name, Limits.watchlistName, label: "The watchlist's name", lineBreaks: false)
    }

    public static func note(_ note: String) -> [FieldRefusal] {
        InputRules.text("note", note, Limits.watchlistNote, label: "The note", required: false, lineBreaks: false)
    }

    /// An entry as typed: an ASN (`AS64500` or `64500`) or a mark id (read by `parseMark`, which
    /// returns the canonical id or nil). Returns the kind and the stored value (`AS64500`, `MP-…`).
    public static func entry(_ text: String, parseMark: (String) -> String?) -> Result<(kind: WatchKind, value: String), FieldRefusal> {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty {
            return .failure(FieldRefusal("entry", "required", "Enter an ASN (like AS64500) or a mark id (like MP-7K3Q-9XW2-C)."))
        }
        let looksLikeASN = text.uppercased().hasPrefix("AS") || text.allSatisfy(\.isNumber)
        if looksLikeASN {
            guard let asn = parseASN(text), asn != 0 else {
                return .failure(FieldRefusal("entry", "invalid_asn", "\(text.prefix(40)) is not an AS number (write it like AS64500)."))
            }
            return .success((.asn, "AS\(asn)"))
        }
        guard let mark = parseMark(text) else {
            return .failure(
                FieldRefusal("entry", "invalid_mark_id", "\(text.prefix(40)) is neither an AS number nor a mark id (like MP-7K3Q-9XW2-C)."))
        }
        return .success((.mark, mark))
    }

    /// The words for an entry's status on the watchlist page and in its CSV: each certification's
    /// state (a warning is still valid), or "not certified" when none covers it.
    public static func statusWords(_ certifications: [WatchedCertification]) -> String {
        guard !certifications.isEmpty else { return "not certified" }
        return certifications.map { certification in
            let words = certification.status.markWords
            return "\(certification.program): \(words)"
        }.joined(separator: "; ")
    }
}

/// What an emailed single-use link is for, and how long it works.
public enum AccountLinkPurpose: String, Sendable, Codable, CaseIterable {
    case verifyEmail = "verify_email"
    case resetPassword = "reset_password"

    /// A confirmation link works for two days, a reset link for one hour.
    public var lifetime: TimeInterval {
        switch self {
        case .verifyEmail: 48 * 3600
        case .resetPassword: 3600
        }
    }

    /// How long a used or expired link is kept before housekeeping removes it: until then,
    /// following it says it was used or has expired; after, that it is not known.
    public static let retention: TimeInterval = 30 * 86_400

    /// Why a link can no longer be used at `now`, or nil when it can. Used once; expired exactly at its end.
    public static func refusal(usedAt: Date?, expiresAt: Date, now: Date) -> Refusal? {
        if usedAt != nil { return Refusal("link-used", "This link was already used. Ask for a new one.") }
        if now >= expiresAt { return Refusal("link-expired", "This link has expired. Ask for a new one.") }
        return nil
    }
}

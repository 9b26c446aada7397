import Domain
import Foundation
import Store

struct ApplicationInput: Codable {
    var participantID: UUID
    var program: String
    var tier: Tier

    enum CodingKeys: String, CodingKey {
        case program, tier
        case participantID = "participant_id"
    }
}

struct CommitmentInput: Codable {
    var statement: String
}

/// Evidence that is not a file: a URL or a statement, with the dates it covers.
struct EvidenceInput: Codable {
    var kind: String
    var url: String?
    var text: String?
    var effectiveFrom: String
    var effectiveUntil: String?
    var supersedes: UUID?

    enum CodingKeys: String, CodingKey {
        case kind, url, text, supersedes
        case effectiveFrom = "effective_from"
        case effectiveUntil = "effective_until"
    }
}

struct CommentInput: Codable {
    var body: String
    var isInternal: Bool?

    enum CodingKeys: String, CodingKey {
        case body
        case isInternal = "internal"
    }
}

struct DecisionInput: Codable {
    var decision: Decision
    var actionComments: [String: String]?
    var reasons: String?

    enum CodingKeys: String, CodingKey {
        case decision, reasons
        case actionComments = "action_comments"
    }
}

struct AssignInput: Codable {
    var auditorID: UUID

    enum CodingKeys: String, CodingKey {
        case auditorID = "auditor_id"
    }
}

struct AffiliationInput: Codable {
    var participantID: UUID
    var relation: String
    var validFrom: String
    var validUntil: String?

    enum CodingKeys: String, CodingKey {
        case relation
        case participantID = "participant_id"
        case validFrom = "valid_from"
        case validUntil = "valid_until"
    }
}

extension FieldChecks {
    /// A calendar date `YYYY-MM-DD`.
    mutating func day(_ field: String, _ value: String?, required: Bool = true) -> String? {
        guard let value else {
            if required { fail(field, "required", "\(field) is required (YYYY-MM-DD).") }
            return nil
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        guard value.count == 10, let date = formatter.date(from: value), formatter.string(from: date) == value else {
            fail(field, "invalid_date", "\(field) must be a date like 2026-01-31.")
            return nil
        }
        return value
    }

    /// A date range whose end, when given, is not before its start.
    mutating func period(from: String?, until: String?, fromField: String, untilField: String) -> (String, String?)? {
        let start = day(fromField, from)
        let end = day(untilField, until, required: false)
        if let start, let end, end < start { fail(untilField, "before_start", "\(untilField) is before \(fromField).") }
        guard let start else { return nil }
        return (start, end)
    }

    mutating func url(_ field: String, _ value: String?) -> String? {
        guard let text = text(field, value, max: 2000) else { return nil }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false else {
            fail(field, "invalid_url", "\(field) must be an http or https URL.")
            return nil
        }
        return text
    }
}

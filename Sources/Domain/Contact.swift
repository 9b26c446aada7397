/// Why a participant lists a contact; `noc` and `abuse` are what coordination checks look for.
public enum ContactRole: String, Sendable, Codable, CaseIterable {
    case noc, abuse, security, policy, business
}

/// Minimal checks on contact details; deliverability is the participant's business.
public enum ContactRules {
    /// One `@`, a non-empty local part and a dotted domain, no spaces, at most 254 characters.
    public static func isEmail(_ text: String) -> Bool {
        guard text.utf8.count <= Limits.email.max, !text.contains(where: { $0.isWhitespace || $0.isNewline }) else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty && $0.count <= 63 }
    }

    /// E.164-like: an optional `+`, then 6 to 20 digits, with spaces, dots, dashes or brackets between.
    public static func isPhone(_ text: String) -> Bool {
        let digits = text.filter(\.isNumber)
        return (6...20).contains(digits.count) && text.count <= 32
            && text.enumerated().allSatisfy { index, character in
                (character.isASCII && character.isNumber) || " .-()".contains(character) || (character == "+" && index == 0)
            }
    }
}

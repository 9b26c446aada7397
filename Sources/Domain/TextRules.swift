/// What text from people may contain. Control characters have no place in names or
/// statements; characters that are invisible or turn the direction of text (U+202E, the
/// right-to-left override) make a name read as something else ("evil\u{202E}fdp.exe" shows as
/// "evilexe.pdf"), so they are refused rather than stored. Zero-width joiners (U+200C, U+200D)
/// stay allowed: scripts such as Persian and the Indic ones need them.
public enum TextRules {
    /// The first character `text` may not contain, or nil when it is clean. With `lineBreaks`,
    /// CR and LF pass, as a text area sends them (long texts: statements, comments, reasons).
    public static func forbiddenCharacter(in text: some StringProtocol, lineBreaks: Bool = false) -> Unicode.Scalar? {
        text.unicodeScalars.first { isForbidden($0) && !(lineBreaks && ($0 == "\r" || $0 == "\n")) }
    }

    /// Why `text` cannot be stored as `field` (code `invalid_characters`, naming the character),
    /// or nil when it can.
    public static func refusal(_ field: String, _ text: some StringProtocol, lineBreaks: Bool = false) -> Refusal? {
        guard let scalar = forbiddenCharacter(in: text, lineBreaks: lineBreaks) else { return nil }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return Refusal("invalid_characters", "\(field) must not contain control, invisible or direction-changing characters (it has \(code)).")
    }

    public static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.generalCategory == .control { return true }
        switch scalar.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:  // direction marks, embeddings, overrides, isolates
            return true
        case 0x200B, 0x2060, 0xFEFF:  // zero-width space, word joiner, byte-order mark
            return true
        case 0xFFF9...0xFFFB, 0xFFFE, 0xFFFF:  // interlinear annotations, noncharacters
            return true
        default:
            return scalar.properties.isNoncharacterCodePoint
        }
    }
}

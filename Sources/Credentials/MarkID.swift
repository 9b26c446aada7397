/// A mark's public identifier, such as `MP-ZESE-C4JA-P`: stable, not sequential (40 random
/// bits), and with a check character so a mistyped id is caught instead of naming another mark.
///
/// - Alphabet: Crockford's base32 (`0-9`, `A-Z` without `I`, `L`, `O`, `U`), so ids can be read
///   aloud and typed without confusing 0/O or 1/I/L; input is normalised as Crockford says
///   (case ignored, `O` read as `0`, `I` and `L` as `1`, dashes and spaces ignored).
/// - Check character: the Damm scheme over the field GF(32) (`x ∘ y = 2x + y` with the polynomial
///   x⁵ + x² + 1), one symbol from the same 32. It catches every single-character error and every
///   swap of two adjacent characters (check character included), and unlike Crockford's mod-37
///   check it needs no extra symbols (`*~$=U`) that do not belong in a URL.
public struct MarkID: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The canonical form, `MP-XXXX-XXXX-C`.
    public let text: String

    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    static let prefix = "MP"
    static let payloadCount = 8

    /// A new id from 40 random bits of `generator`.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> MarkID {
        let symbols = (0..<payloadCount).map { _ in UInt8.random(in: 0..<32, using: &generator) }
        return MarkID(payload: symbols)
    }

    /// A new id from the system's secure random generator.
    public static func random() -> MarkID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// The id whose `text` is `canonical`, already checked (`isCanonical`).
    private init(canonical: String) { text = canonical }

    /// The id whose payload is these eight symbol values (0..<32); the check character is added.
    init(payload: [UInt8]) {
        precondition(payload.count == Self.payloadCount && payload.allSatisfy { $0 < 32 })
        let symbols = payload + [Self.checkSymbol(payload)]
        let text = symbols.map { Self.alphabet[Int($0)] }
        self.text =
            Self.prefix + "-" + String(decoding: text[0..<4], as: UTF8.self) + "-" + String(decoding: text[4..<8], as: UTF8.self) + "-"
            + String(decoding: text[8...], as: UTF8.self)
    }

    /// Reads an id as a person typed it: any case, with or without dashes, spaces or the `MP`
    /// prefix, `O` for `0` and `I`/`L` for `1`. Refuses, with a sentence saying what is wrong,
    /// text that is not a mark id or whose check character does not match.
    public init(parsing input: String) throws(CredentialRefusal) {
        // Ids in their canonical form (every link and badge address) are read byte by byte.
        if Self.isCanonical(input) {
            self = MarkID(canonical: input)
            return
        }
        var symbols = Array(input.uppercased().filter { $0 != "-" && $0 != " " })
        let shown = input.count > 40 ? String(input.prefix(40)) + "…" : input
        let example = "A mark id looks like MP-ZESE-C4JA-P: the letters MP, then nine letters and digits."
        if symbols.count == Self.payloadCount + 1 + 2, symbols.starts(with: Self.prefix) { symbols.removeFirst(2) }
        guard symbols.count == Self.payloadCount + 1 else {
            throw CredentialRefusal(.markID, "“\(shown)” is not a mark id. \(example)")
        }
        var values: [UInt8] = []
        for symbol in symbols {
            let normalised: Character =
                switch symbol {
                case "O": "0"
                case "I", "L": "1"
                default: symbol
                }
            guard let ascii = normalised.asciiValue, let value = Self.alphabet.firstIndex(of: ascii) else {
                throw CredentialRefusal(.markID, "“\(shown)” is not a mark id: mark ids never contain “\(symbol)”. \(example)")
            }
            values.append(UInt8(value))
        }
        guard Self.fold(values) == 0 else {
            throw CredentialRefusal(
                .markID,
                "“\(shown)” is not a valid mark id: its last character does not match the others, so it was probably mistyped. Check it against the certificate."
            )
        }
        self.init(payload: Array(values.prefix(Self.payloadCount)))
    }

    public var description: String { text }

    public static func < (lhs: MarkID, rhs: MarkID) -> Bool { lhs.text < rhs.text }

    /// One step of the Damm scheme in GF(32): 2·state + symbol.
    static func step(_ state: UInt8, _ symbol: UInt8) -> UInt8 {
        var doubled = state << 1
        if doubled & 0x20 != 0 { doubled ^= 0x25 }
        return doubled ^ symbol
    }

    static func fold(_ symbols: [UInt8]) -> UInt8 { symbols.reduce(0, step) }

    /// Each ASCII byte's symbol value in `alphabet`, or 0xFF.
    static let values: [UInt8] = (0..<128).map { byte in alphabet.firstIndex(of: UInt8(byte)).map(UInt8.init) ?? 0xFF }

    /// Whether `input` is exactly an id's `text`: `MP-`, four symbols, `-`, four, `-`, the check
    /// symbol, all upper case, and the check matching.
    static func isCanonical(_ input: String) -> Bool {
        input.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.count == 14, bytes[0] == UInt8(ascii: "M"), bytes[1] == UInt8(ascii: "P"), bytes[2] == UInt8(ascii: "-"),
                bytes[7] == UInt8(ascii: "-"), bytes[12] == UInt8(ascii: "-")
            else { return false }
            var state: UInt8 = 0
            for index in [3, 4, 5, 6, 8, 9, 10, 11, 13] {
                let byte = bytes[index]
                guard byte < 0x80, values[Int(byte)] != 0xFF else { return false }
                state = step(state, values[Int(byte)])
            }
            return state == 0
        } ?? false
    }

    /// The symbol that brings the fold of the payload back to 0.
    static func checkSymbol(_ payload: [UInt8]) -> UInt8 { step(fold(payload), 0) }
}

import Credentials
import SeededRandom
import Testing

/// Mark ids: canonical form, forgiving input, and a check character that catches typing mistakes.
@Suite("Mark ids")
struct MarkIDTests {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    @Test("a new id is MP-XXXX-XXXX-C in Crockford's alphabet and parses back to itself")
    func shape() throws {
        var generator = SplitMix(state: 1)
        var seen = Set<MarkID>()
        for _ in 0..<2000 {
            let id = MarkID.random(using: &generator)
            let text = Array(id.text)
            #expect(text.count == 14 && id.text.hasPrefix("MP-") && text[7] == "-" && text[12] == "-")
            #expect(text.enumerated().allSatisfy { [0, 1, 2, 7, 12].contains($0.offset) || Self.alphabet.contains($0.element) })
            #expect(try MarkID(parsing: id.text) == id)
            seen.insert(id)
        }
        #expect(seen.count == 2000, "ids are random, not sequential")
        #expect(MarkID.random() != MarkID.random())
    }

    @Test("input as people type it: lower case, no dashes, spaces, no prefix, O for 0, I and L for 1")
    func forgivingInput() throws {
        var generator = SplitMix(state: 7)
        for _ in 0..<200 {
            let id = MarkID.random(using: &generator)
            let bare = id.text.replacingOccurrences(of: "-", with: "")
            #expect(try MarkID(parsing: id.text.lowercased()) == id)
            #expect(try MarkID(parsing: bare) == id)
            #expect(try MarkID(parsing: String(bare.dropFirst(2))) == id)
            #expect(try MarkID(parsing: " " + id.text.replacingOccurrences(of: "-", with: " ") + " ") == id)
            let misread = String(bare.dropFirst(2)).replacingOccurrences(of: "0", with: "o").replacingOccurrences(of: "1", with: "l")
            #expect(try MarkID(parsing: misread) == id)
            #expect(try MarkID(parsing: String(bare.dropFirst(2)).replacingOccurrences(of: "1", with: "I")) == id)
        }
    }

    @Test("every single-character error and every swap of two adjacent characters is refused")
    func checkCharacterCatchesMistakes() throws {
        var generator = SplitMix(state: 42)
        var substitutions = 0
        var swaps = 0
        for _ in 0..<300 {
            let id = MarkID.random(using: &generator)
            let symbols = Array(id.text.replacingOccurrences(of: "-", with: "").dropFirst(2))
            for position in symbols.indices {
                for replacement in Self.alphabet where replacement != symbols[position] {
                    var typo = symbols
                    typo[position] = replacement
                    #expect(throws: CredentialRefusal.self, "\(String(typo)) from \(id)") { try MarkID(parsing: String(typo)) }
                    substitutions += 1
                }
            }
            for position in symbols.indices.dropLast() where symbols[position] != symbols[position + 1] {
                var typo = symbols
                typo.swapAt(position, position + 1)
                #expect(throws: CredentialRefusal.self, "\(String(typo)) from \(id)") { try MarkID(parsing: String(typo)) }
                swaps += 1
            }
        }
        #expect(substitutions == 300 * 9 * 31 && swaps > 2000)
    }

    @Test("an id written in its canonical form (as links and badges give it) reads as itself, and its typos are refused")
    func canonicalForm() throws {
        var generator = SplitMix(state: 7)
        for _ in 0..<300 {
            let id = MarkID.random(using: &generator)
            #expect(try MarkID(parsing: id.text) == id)
            #expect(try MarkID(parsing: id.text.lowercased()) == id)
            var bytes = Array(id.text.utf8)
            for position in [3, 4, 5, 6, 8, 9, 10, 11, 13] {
                for replacement in Self.alphabet.compactMap(\.asciiValue) where replacement != bytes[position] {
                    let original = bytes[position]
                    bytes[position] = replacement
                    let typo = String(decoding: bytes, as: UTF8.self)
                    #expect(throws: CredentialRefusal.self, "\(typo) from \(id)") { try MarkID(parsing: typo) }
                    bytes[position] = original
                }
            }
        }
    }

    @Test("a refusal says what is wrong in words")
    func messages() throws {
        func message(_ input: String) -> CredentialRefusal? {
            do {
                _ = try MarkID(parsing: input)
                return nil
            } catch {
                return error
            }
        }
        #expect(message("MP-7K3Q")?.message.contains("looks like MP-ZESE-C4JA-P") == true)
        #expect(message("MP-7K3Q-9XW2-U")?.message.contains("never contain “U”") == true)
        #expect(message("MP-7K3Q-9XW2-é")?.message.contains("never contain “É”") == true)
        #expect(try MarkID(parsing: "MP-ZESE-C4JA-P").text == "MP-ZESE-C4JA-P", "the example the messages show is a valid id")
        let valid = MarkID.random()
        let last = valid.text.last!
        let wrong = valid.text.dropLast() + String(Self.alphabet.first { $0 != last }!)
        #expect(message(String(wrong))?.message.contains("mistyped") == true)
        #expect(message(String(wrong))?.code == .markID)
    }
}

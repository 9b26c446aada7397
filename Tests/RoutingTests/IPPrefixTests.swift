import Routing
import Testing

@Suite("IP prefixes")
struct IPPrefixTests {
    @Test(
        "IPv4 and IPv6 parse to canonical text",
        arguments: [
            ("192.0.2.0/24", "192.0.2.0/24"),
            ("0.0.0.0/0", "0.0.0.0/0"),
            ("255.255.255.255/32", "255.255.255.255/32"),
            ("::/0", "::/0"),
            ("::/128", "::/128"),
            ("2001:DB8::/32", "2001:db8::/32"),
            ("2001:0db8:0000:0000:0000:0000:0000:0001/128", "2001:db8::1/128"),
            ("2001:db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128"),
            ("2001:db8:0:1:1:1:1:1/128", "2001:db8:0:1:1:1:1:1/128"),
            ("::ffff:192.0.2.1/128", "::ffff:c000:201/128"),
            ("64:ff9b::192.0.2.0/120", "64:ff9b::c000:200/120"),
            ("fe80::/10", "fe80::/10"),
            ("1::/16", "1::/16"),
        ])
    func canonical(input: String, expected: String) throws {
        #expect(try IPPrefix(input).description == expected)
    }

    @Test(
        "malformed prefixes are refused with a reason",
        arguments: [
            ("192.0.2.0", IPParseError.missingLength),
            ("192.0.2.0/33", .badLength),
            ("2001:db8::/129", .badLength),
            ("192.0.2.1/24", .hostBitsSet),
            ("2001:db8::1/32", .hostBitsSet),
            ("192.0.2/24", .badAddress),
            ("192.0.02.0/24", .badAddress),
            ("256.0.0.0/8", .badAddress),
            ("2001:db8:::/48", .badAddress),
            ("2001::db8::/48", .badAddress),
            ("1:2:3:4:5:6:7:8:9/128", .badAddress),
            ("12345::/16", .badAddress),
            ("g::/16", .badAddress),
            ("/24", .badAddress),
        ])
    func malformed(input: String, error: IPParseError) {
        #expect(throws: error) { try IPPrefix(input) }
    }

    @Test("lenient parsing clears host bits, as data files need")
    func lenient() throws {
        #expect(try IPPrefix("192.0.2.77/24", strict: false).description == "192.0.2.0/24")
    }

    @Test("containment across lengths and families")
    func containment() throws {
        let covering = try IPPrefix("10.0.0.0/8")
        #expect(covering.contains(try IPPrefix("10.1.2.0/24")))
        #expect(covering.contains(covering))
        #expect(!covering.contains(try IPPrefix("11.0.0.0/24")))
        #expect(!(try IPPrefix("10.1.0.0/16")).contains(covering))
        #expect(!(try IPPrefix("::/0")).contains(try IPPrefix("10.0.0.0/8")))
        #expect((try IPPrefix("::/0")).contains(try IPPrefix("2001:db8::/32")))
    }
}

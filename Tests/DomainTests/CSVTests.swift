import Domain
import Testing

/// The CSV codec bulk checks read and write, on what spreadsheets really save.
@Suite("CSV")
struct CSVTests {
    @Test("A spreadsheet's export: byte-order mark, CRLF, quoted cells with commas, quotes and newlines, empty lines")
    func spreadsheetExport() throws {
        let text = "\u{FEFF}supplier,note\r\nAS64500,first\r\n\r\n\"Example Networks, Inc.\",\"says \"\"hi\"\"\"\r\n\"Two\r\nlines\",x\r\n,\r\nlast"
        let rows = try CSV.parse(text)
        #expect(
            rows == [
                ["supplier", "note"], ["AS64500", "first"], ["Example Networks, Inc.", "says \"hi\""], ["Two\r\nlines", "x"], ["", ""],
                ["last"],
            ])
        #expect(BulkVerification.inputs(fromCSV: rows) == ["AS64500", "Example Networks, Inc.", "Two\r\nlines", "", "last"])
    }

    @Test("LF and lone CR line ends, no final line end, no header")
    func lineEnds() throws {
        #expect(try CSV.parse("a\nb\rc") == [["a"], ["b"], ["c"]])
        #expect(BulkVerification.inputs(fromCSV: try CSV.parse("AS1\nAS2\n")) == ["AS1", "AS2"])
        #expect(try CSV.parse("") == [])
        #expect(try CSV.parse("\r\n\r\n") == [])
    }

    @Test("Malformed text is refused with its line; a quote inside an unquoted field is kept")
    func malformed() throws {
        #expect(throws: CSV.Malformed.self) { try CSV.parse("a\n\"open") }
        #expect(try CSV.parse("ab\"c\n=HYPERLINK(\"x\")") == [["ab\"c"], ["=HYPERLINK(\"x\")"]])
        #expect(throws: CSV.Malformed.self) { try CSV.parse("\"a\"b\n") }
        do {
            _ = try CSV.parse("AS3333\nTele\u{0}nor\n")
            Issue.record("a NUL character was read as text")
        } catch {
            #expect(error.line == 2 && error.reason.contains("NUL"))
        }
        #expect(throws: CSV.Malformed.self) { try CSV.parse("\"quoted \u{0} NUL\"") }
        do {
            _ = try CSV.parse("ok\nok\n\"never closed")
        } catch {
            #expect(error.line == 3)
        }
    }

    @Test("Cells that would start a formula are neutralised; cells with separators are quoted")
    func writing() throws {
        #expect(CSV.cell("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"")
        for start in ["=", "+", "-", "@"] { #expect(CSV.cell(start + "1") == "'" + start + "1") }
        #expect(CSV.cell("AS64500") == "AS64500")
        #expect(CSV.cell("a,b") == "\"a,b\"")
        #expect(CSV.cell("two\r\nlines") == "\"two\r\nlines\"")
        #expect(CSV.row(["a", "b"]) == "a,b\r\n")
        // What is written reads back (neutralised).
        let written = CSV.row(["Example, Inc.", "say \"x\"", "-5"]) + CSV.row(["x", "", "y"])
        #expect(try CSV.parse(written) == [["Example, Inc.", "say \"x\"", "'-5"], ["x", "", "y"]])
    }

    @Test("An input is an ASN, a mark id (only when it starts with MP) or a name; the limit is 10,000")
    func inputs() {
        let mark = { (text: String) -> String? in text.hasPrefix("MP-") ? "MP-AAAA-BBBB-C" : nil }
        #expect(BulkVerification.query(" AS64500 ", markID: mark) == .asn(64500))
        #expect(BulkVerification.query("3333", markID: mark) == .asn(3333))
        #expect(BulkVerification.query("MP-aaaa-bbbb-c", markID: mark) == .mark("MP-AAAA-BBBB-C"))
        #expect(BulkVerification.query("Example Networks", markID: mark) == .name("Example Networks"))
        #expect(BulkVerification.query("  ", markID: mark) == .empty)
        #expect(BulkVerification.sizeRefusal(count: 10_000) == nil)
        #expect(BulkVerification.sizeRefusal(count: 10_001)?.message.contains("10000") == true)
    }
}

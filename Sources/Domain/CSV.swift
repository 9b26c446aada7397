import Foundation

/// RFC 4180 CSV, read and written: what a spreadsheet saves and what it opens. Pure, so the bulk
/// verification's API and page share one reading and one writing.
public enum CSV {
    /// Why a text is not CSV, with the line (from 1) where reading stopped.
    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String

        public var description: String { "Line \(line): \(reason)" }
    }

    /// The rows of `text`. A byte-order mark is skipped; lines end in CRLF, LF or CR; a quoted
    /// field may hold commas, newlines and doubled quotes. Empty lines are skipped, and cells are
    /// returned as written (no trimming). A quote inside a field that does not start with one is
    /// kept as it is (`5" rack`), as spreadsheets read it. A NUL character anywhere is malformed.
    public static func parse(_ text: String) throws(Malformed) -> [[String]] {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var line = 1
        var index = 0
        var quoted = false
        // Whether the current row has anything at all: an empty line is no row.
        var rowStarted = false

        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRow() {
            if rowStarted { rows.append(row) }
            row = []
            rowStarted = false
        }

        while index < bytes.count {
            let byte = bytes[index]
            // No spreadsheet writes a NUL into text; a file that has one is binary or corrupt, and
            // no cell could be stored or searched with it.
            if byte == 0 {
                throw Malformed(line: line, reason: "a cell holds a NUL character (U+0000), which no text has; save the list as CSV text.")
            }
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 2
                        continue
                    }
                    quoted = false
                    index += 1
                    // After a closing quote: a separator, a line end or the end of the text.
                    if index < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[index]) {
                        throw Malformed(
                            line: line, reason: "a quoted field is followed by text; a quote inside a quoted field is written twice (\"\").")
                    }
                    continue
                }
                if byte == UInt8(ascii: "\n") { line += 1 }
                field.append(byte)
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                rowStarted = true
                endField()
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                if rowStarted || !field.isEmpty {
                    rowStarted = true
                    endField()
                }
                endRow()
                if byte == UInt8(ascii: "\r"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { index += 1 }
                line += 1
            case UInt8(ascii: "\"") where field.isEmpty:
                rowStarted = true
                quoted = true
            default:
                rowStarted = true
                field.append(byte)
            }
            index += 1
        }
        if quoted { throw Malformed(line: line, reason: "a quoted field is not closed before the end of the text.") }
        if rowStarted || !field.isEmpty {
            rowStarted = true
            endField()
        }
        endRow()
        return rows
    }

    /// The characters that make a spreadsheet read a cell as a formula (CSV injection), and the
    /// tab and carriage return that some spreadsheets skip before one.
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    /// `value` made safe to open in a spreadsheet: a cell that would start a formula gets a
    /// leading `'`, which spreadsheets show as text.
    public static func neutralised(_ value: String) -> String {
        guard let first = value.first, formulaStarts.contains(first) else { return value }
        return "'" + value
    }

    /// One cell: neutralised, then quoted when it holds a comma, a quote or a line end.
    public static func cell(_ value: String) -> String {
        let safe = neutralised(value)
        guard safe.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return safe }
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One row, its cells written with `cell(_:)`, ended by CRLF as RFC 4180 says.
    public static func row(_ values: [String]) -> String {
        values.map(cell).joined(separator: ",") + "\r\n"
    }
}

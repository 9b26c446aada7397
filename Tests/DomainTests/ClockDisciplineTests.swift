import Foundation
import Testing

/// One clock: every time a rule compares or records comes from a `WallClock`, so `Date()` is
/// written nowhere in `Sources/` except in `Domain/WallClock.swift`.
@Suite("Clock discipline")
struct ClockDisciplineTests {
    @Test("Date() appears in Sources only in Domain/WallClock.swift")
    func oneClock() throws {
        let sources = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Sources")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var offenders: [String] = []
        var checked = 0
        for case let file as URL in files where file.pathExtension == "swift" {
            checked += 1
            let path = file.path.replacingOccurrences(of: sources.path + "/", with: "")
            guard path != "Domain/WallClock.swift" else { continue }
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() where line.contains("Date()") {
                offenders.append("\(path):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(checked > 50, "found no sources under \(sources.path)")
        #expect(offenders.isEmpty, "Date() outside the clock:\n\(offenders.joined(separator: "\n"))")
    }
}

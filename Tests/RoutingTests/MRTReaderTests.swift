import Foundation
import Routing
import Testing

/// The MRT reader against bgpdump: the same prefix/origin pairs (and withdrawals) as bgpdump's
/// own expected `-vm` output for the same files, kept in ../shared/data/mrt.
@Suite("MRT reader")
struct MRTReaderTests {
    static var mrt: String { ReferenceAgreementTests.shared + "/mrt" }

    /// `kind|prefix|origin` lines from bgpdump's output, prefixes normalised through our parser.
    static func expectedPairs(_ path: String) throws -> [String: Int] {
        var pairs: [String: Int] = [:]
        try ByteStream(path: path).forEachLine { line, _ in
            let fields = String(decoding: line, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false)
            guard fields.count >= 6 else { return }
            switch fields[2] {
            case "A", "B":
                let prefix = try IPPrefix(fields[5], strict: false).description
                let origin = fields[6].split(separator: " ").last.map(String.init) ?? ""
                pairs["A|\(prefix)|\(origin)", default: 0] += 1
            case "W":
                let prefix = try IPPrefix(fields[5], strict: false).description
                pairs["W|\(prefix)", default: 0] += 1
            default:
                break
            }
        }
        return pairs
    }

    static func ourPairs(_ path: String) throws -> ([String: Int], MRTReader.Summary) {
        var pairs: [String: Int] = [:]
        let summary = try MRTReader.read(path: path, policy: .stop) { route in
            switch route.kind {
            case .rib, .announcement: pairs["A|\(route.prefix)|\(route.path?.originText ?? "")", default: 0] += 1
            case .withdrawal: pairs["W|\(route.prefix)", default: 0] += 1
            }
        }
        return (pairs, summary)
    }

    @Test(
        "prefix/origin pairs equal bgpdump's on every file it has expected output for",
        .enabled(if: ReferenceAgreementTests.available, "needs ../shared/data"),
        arguments: ["bview.20020722.2337", "updates.20100722.2015", "updates.20160811.1600"]
    )
    func agreesWithBgpdump(file: String) throws {
        let expected = try Self.expectedPairs("\(Self.mrt)/\(file).expected-bgpdump-vm.txt.gz")
        let (ours, summary) = try Self.ourPairs("\(Self.mrt)/\(file).gz")
        #expect(!summary.truncated)
        #expect(summary.rejected == 0)
        #expect(expected.values.reduce(0, +) > 1000)
        let missing = expected.filter { ours[$0.key] != $0.value }.map { "\($0.key) ×\($0.value) (ours ×\(ours[$0.key] ?? 0))" }
        let extra = ours.filter { expected[$0.key] == nil }.map(\.key)
        #expect(missing.isEmpty, "\(missing.count) differ, e.g. \(missing.sorted().prefix(5))")
        #expect(extra.isEmpty, "\(extra.count) extra, e.g. \(extra.sorted().prefix(5))")
    }

    @Test(
        "truncated TABLE_DUMP_V2 RIBs end cleanly with a count",
        .enabled(if: ReferenceAgreementTests.available, "needs ../shared/data"),
        arguments: [("rib.20140523.0600_firstMB.bz2", IPFamily.v4), ("rib6.20151101.0600_firstMB.bz2", .v6)]
    )
    func truncatedRIB(file: String, family: IPFamily) throws {
        var entries = 0
        var families = Set<IPFamily>()
        var fourByteOrigins = 0
        let summary = try MRTReader.read(path: "\(Self.mrt)/\(file)", policy: .stop) { route in
            entries += 1
            families.insert(route.prefix.family)
            if let origin = route.path?.origin, origin > 65535 { fourByteOrigins += 1 }
        }
        #expect(summary.truncated)
        #expect(entries > 100_000)
        #expect(families.contains(family))
        #expect(fourByteOrigins > 0)
    }

    @Test("a file that is not MRT, or is cut inside a record, is reported, never a crash")
    func brokenInputs() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mrt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // A TABLE_DUMP_V2 RIB_IPV4_UNICAST record whose declared length runs past the end.
        let cut = Data([0, 0, 0, 1, 0, 13, 0, 2, 0, 0, 0, 40, 0, 0, 0, 1, 24, 192, 0])
        try cut.write(to: folder.appendingPathComponent("cut.mrt"))
        let summary = try MRTReader.read(path: folder.appendingPathComponent("cut.mrt").path) { _ in }
        #expect(summary.truncated)
        #expect(summary.routes == 0)
        // A record whose length is right but whose content is garbage: rejected with an offset.
        var garbage = Data([0, 0, 0, 1, 0, 13, 0, 2, 0, 0, 0, 8])
        garbage.append(contentsOf: [0, 0, 0, 1, 99, 1, 2, 3])
        try garbage.write(to: folder.appendingPathComponent("garbage.mrt"))
        let rejected = try MRTReader.read(path: folder.appendingPathComponent("garbage.mrt").path) { _ in }
        #expect(rejected.rejected == 1)
        #expect(rejected.rejects.first?.offset == 0)
        #expect(throws: RoutingDataError.self) {
            try MRTReader.read(path: folder.appendingPathComponent("garbage.mrt").path, policy: .stop) { _ in }
        }
    }

    @Test(
        "AS paths read back from their text: every path of a real update file, and the segment kinds",
        .enabled(if: ReferenceAgreementTests.available, "needs ../shared/data"))
    func pathText() throws {
        var paths = 0
        _ = try Routes.readWithPaths(path: Self.mrt + "/updates.20160811.1600.gz") { _, path in
            guard let path else { return }
            paths += 1
            // Adjacent sequences (an AS_PATH merged with its AS4_PATH) read back as one: the
            // hops, the origin and the text are what the measurement uses, and they agree.
            let parsed = ASPath(parsing: path.description)
            #expect(parsed?.description == path.description && parsed?.allASNs == path.allASNs && parsed?.origin == path.origin, "\(path)")
        }
        #expect(paths > 1000)
        let mixed = ASPath(segments: [
            .sequence([3356, 1299]), .set([64512, 64513]), .confederationSequence([65001, 65002]), .confederationSet([65003]),
        ])
        #expect(mixed.description == "3356 1299 {64512,64513} (65001 65002) [65003]")
        #expect(ASPath(parsing: mixed.description) == mixed)
        for broken in ["3356 {1299", "3356 x", "{}", "4294967296", "3356 (1 2"] { #expect(ASPath(parsing: broken) == nil, "\(broken)") }
        #expect(ASPath(parsing: "") == ASPath(segments: []))
    }
}

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

    /// What `bgpdump -m` prints for each RIB entry, in its order: `time|peer|peer AS|prefix|AS
    /// path|origin` lines, awk taking the origin as the path's last element (an AS or `{a,b}`);
    /// and bgpdump's text for each peer address and prefix, keyed by their value.
    static func bgpdumpEntries(_ path: String) throws -> (lines: String, addresses: [IPAddress: String], prefixes: [IPPrefix: String]) {
        let bgpdump = try #require(
            (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
                .map { "\($0)/bgpdump" }.first { FileManager.default.isExecutableFile(atPath: $0) },
            "bgpdump is not installed: scripts/install-deps.sh installs it (make test runs it)")
        let dump = Process()
        dump.executableURL = URL(fileURLWithPath: bgpdump)
        dump.arguments = ["-m", path]
        dump.standardError = FileHandle.nullDevice
        // TABLE_DUMP2|time|B|peer|peer AS|prefix|AS path|origin attribute|…; each distinct peer
        // and prefix also goes to `names`, once.
        let names = FileManager.default.temporaryDirectory.appendingPathComponent("bgpdump-\(UUID().uuidString)").path
        let fields = Process()
        fields.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        fields.arguments = [
            "awk", "-F|", "-v", "names=\(names)",
            #"{ n = split($7, hops, " "); print $2 "|" $4 "|" $5 "|" $6 "|" $7 "|" hops[n] } !seen[$4]++ { print $4 > names } !seen[$6]++ { print $6 > names }"#,
        ]
        let between = Pipe()
        let out = Pipe()
        dump.standardOutput = between
        fields.standardInput = between
        fields.standardOutput = out
        try dump.run()
        try fields.run()
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        dump.waitUntilExit()
        fields.waitUntilExit()
        #expect(dump.terminationStatus == 0 && fields.terminationStatus == 0)
        // bgpdump writes IPv6 its own way (2001:668::3:… where RFC 5952 and our `description`
        // write 2001:668:0:3:…): our lines use its text for the same values.
        var addresses: [IPAddress: String] = [:]
        var prefixes: [IPPrefix: String] = [:]
        for name in try String(contentsOfFile: names, encoding: .utf8).split(separator: "\n") {
            if name.contains("/") {
                prefixes[try IPPrefix(name, strict: false)] = String(name)
            } else {
                addresses[try IPAddress(name)] = String(name)
            }
        }
        try FileManager.default.removeItem(atPath: names)
        return (lines, addresses, prefixes)
    }

    @Test(
        "truncated bzip2 RIBs: every entry before the cut, as bgpdump -m prints it",
        .enabled(if: ReferenceAgreementTests.available, "needs ../shared/data"),
        arguments: ["rib.20140523.0600_firstMB.bz2", "rib6.20151101.0600_firstMB.bz2"]
    )
    func truncatedRIBAgreesWithBgpdump(file: String) throws {
        let path = "\(Self.mrt)/\(file)"
        let expected = try Self.bgpdumpEntries(path)
        // The same lines from our reader, compared whole (the test stays fast in a debug build).
        var ours = ""
        var prefix: (IPPrefix, String)? = nil  // a prefix's entries are consecutive
        let summary = try MRTReader.read(path: path, policy: .stop) { route in
            let peer = route.peerAddress.map { expected.addresses[$0] ?? $0.description } ?? ""
            if prefix?.0 != route.prefix { prefix = (route.prefix, expected.prefixes[route.prefix] ?? route.prefix.description) }
            let hops = route.path?.description ?? ""
            ours += "\(route.timestamp)|\(peer)|\(route.peerASN)|\(prefix!.1)|\(hops)|\(route.path?.originText ?? "")\n"
        }
        #expect(summary.truncated)
        #expect(summary.rejected == 0)
        #expect(summary.routes > 100_000)
        guard ours != expected.lines else { return }
        // Where they part, found outside #expect, which would print both whole.
        let (ourLines, bgpdumpLines) = (ours.split(separator: "\n"), expected.lines.split(separator: "\n"))
        let first = (0..<min(ourLines.count, bgpdumpLines.count)).first { ourLines[$0] != bgpdumpLines[$0] }
        Issue.record(
            """
            \(ourLines.count) entries, bgpdump \(bgpdumpLines.count); \
            first difference: \(first.map { "entry \($0): ours \(ourLines[$0]), bgpdump \(bgpdumpLines[$0])" } ?? "none before the shorter ends")
            """)
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

import Foundation
import Routing
import Testing

/// Readers on the real files in ../shared/data and on broken inputs written here.
@Suite("Routing data readers")
struct ReaderTests {
    static var data: String { ReferenceAgreementTests.shared }

    static func write(_ text: String, name: String = "input") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reader-\(UUID().uuidString)-\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("RIPE IRR dumps: every route and route6 object, with origin, maintainers and source", .enabled(if: ReferenceAgreementTests.available))
    func ripeIRR() throws {
        var routes: [IRRRoute] = []
        let v4 = try RPSLReader.read(path: Self.data + "/irr/ripe-db-route.txt", policy: .stop) { routes.append($0) }
        let v6 = try RPSLReader.read(path: Self.data + "/irr/ripe-db-route6.txt", policy: .stop) { routes.append($0) }
        #expect(v4.records == 62)
        #expect(v6.records == 62)
        let first = try #require(routes.first)
        #expect(first == IRRRoute(prefix: try IPPrefix("193.254.30.0/24"), origin: 12726, maintainers: ["AS12312-MNT"], source: "RIPE"))
        #expect(routes.filter { $0.prefix.family == .v6 }.count == 62)
    }

    @Test("RPSL details: continuation lines, comments, CRLF, no trailing blank line, a route without origin")
    func rpslDetails() throws {
        let text = [
            "% a server remark", "route:  192.0.2.0/24  # documentation", "descr:  first line", "+       second line",
            "origin: AS64500", "mnt-by: A-MNT, B-MNT", "source: TEST", "", "aut-num: AS64500", "as-name: X", "",
            "route:  198.51.100.0/24", "mnt-by: C-MNT", "source: TEST", "",
            "route6: 2001:db8::/32", "origin: as64501", "source: TEST",
        ].joined(separator: "\r\n")
        let path = try Self.write(text)
        var routes: [IRRRoute] = []
        let summary = try RPSLReader.read(path: path) { routes.append($0) }
        #expect(routes.map(\.prefix.description) == ["192.0.2.0/24", "2001:db8::/32"])
        #expect(routes[0].maintainers == ["A-MNT", "B-MNT"])
        #expect(routes[1].origin == 64501)
        #expect(summary.rejected == 1)
        #expect(summary.rejects.first?.line == 12)
        #expect(summary.rejects.first?.reason.contains("no origin") == true)
        #expect(throws: RoutingDataError.self) { try RPSLReader.read(path: path, policy: .stop) { _ in } }
    }

    @Test("full bogons lists and the special-purpose blocks", .enabled(if: ReferenceAgreementTests.available))
    func bogonLists() throws {
        let (v4, v4Summary) = try Bogons.readList(path: Self.data + "/bogons/fullbogons-ipv4.txt")
        let (v6, _) = try Bogons.readList(path: Self.data + "/bogons/fullbogons-ipv6.txt.gz")
        #expect(v4Summary.rejected == 0)
        #expect(v4.count == 1_479)
        #expect(v6.count == 130_320)
        let full = Bogons(fullBogons: v4 + v6)
        #expect(full.reason(for: try IPPrefix("23.135.225.0/24")) == .unallocated(try IPPrefix("23.135.225.0/24")))
        // Every special-purpose literal parses, each as written: none is dropped from the list.
        let literals = Bogons.specialPurposeIPv4 + Bogons.specialPurposeIPv6
        let parsed = try literals.map { try IPPrefix($0).description }
        #expect(Bogons.specialPurposeBlocks.map(\.description) == parsed)
        let special = Bogons()
        #expect(special.reason(for: try IPPrefix("10.1.0.0/16")) == .specialPurpose(try IPPrefix("10.0.0.0/8")))
        #expect(special.reason(for: try IPPrefix("2001:db8:1::/48")) == .specialPurpose(try IPPrefix("2001:db8::/32")))
        #expect(special.reason(for: try IPPrefix("0.0.0.0/0")) == .defaultRoute)
        #expect(special.reason(for: try IPPrefix("::/0")) == .defaultRoute)
        #expect(special.reason(for: try IPPrefix("193.0.0.0/21")) == nil)
        #expect(special.reason(for: try IPPrefix("23.135.225.0/24")) == nil)
        #expect(Bogons.isTooSpecific(try IPPrefix("193.0.0.0/25")))
        #expect(!Bogons.isTooSpecific(try IPPrefix("193.0.0.0/24")))
        #expect(Bogons.isTooSpecific(try IPPrefix("2001:67c::/49")))
        for asn: ASN in [0, 23456, 64496, 64512, 65535, 65551, 131071, 4_200_000_000, 4_294_967_295] { #expect(Bogons.isBogon(asn: asn), "AS\(asn)") }
        for asn: ASN in [1, 3333, 64495, 131072, 4_199_999_999] { #expect(!Bogons.isBogon(asn: asn), "AS\(asn)") }
    }

    @Test("PeeringDB: networks by ASN from the real dump; contacts from poc records", .enabled(if: ReferenceAgreementTests.available))
    func peeringDB() throws {
        let networks = try PeeringDBReader.read(paths: [Self.data + "/peeringdb/peeringdb_net_3333_10745.json"])
        #expect(Set(networks.keys) == [3333, 10745, 197000])
        #expect(networks[3333]?.name == "RIPE NCC")
        let pocs = try Self.write(
            #"{"data":[{"id":1,"net_id":5104,"role":"NOC","email":"noc@example.net","phone":"","visible":"Public"},{"id":2,"net_id":5104,"role":"Policy","email":"p@example.net","visible":"Users"}]}"#
        )
        let withContacts = try PeeringDBReader.read(paths: [Self.data + "/peeringdb/peeringdb_net_3333_10745.json", pocs])
        #expect(withContacts[3333]?.hasNOC == true)
        #expect(withContacts[3333]?.hasAbuse == false)
        #expect(throws: RoutingDataError.self) { try PeeringDBReader.read(paths: [try Self.write("{\"data\": [")]) }
    }

    @Test("VRP and route readers: every real file reads with no reject", .enabled(if: ReferenceAgreementTests.available))
    func realFiles() throws {
        let csv = try VRPReader.read(path: Self.data + "/vrps/ripe-validator-roas-sample.csv", policy: .stop)
        #expect(csv.vrps.count == 49)
        let prepdev = try VRPReader.read(path: Self.data + "/vrps/rpki-client-ripe-prepdev-20230504.json.gz", policy: .stop)
        #expect(prepdev.vrps.count == 424_223)
        var pfx2as = 0
        let summary = try Routes.read(path: Self.data + "/routes/routeviews-rv2-20240406.pfx2as.gz", policy: .stop) { _ in pfx2as += 1 }
        #expect(summary.rejected == 0)
        #expect(pfx2as >= 998_042)
    }

    @Test("gzip: concatenated members are all read; a file cut short still gives what it holds")
    func gzipMembers() throws {
        // Two members, as `cat a.gz b.gz` makes: libdeflate reads them in turn.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let first = (0..<3000).map { "10.\($0 / 256).\($0 % 256).0/24,64500" }
        let second = (0..<2000).map { "10.200.\($0 % 256).\($0 / 256 * 16)/28,64501" }
        try (["prefix,origin_asn"] + first).joined(separator: "\n").appending("\n").write(
            to: folder.appendingPathComponent("a"), atomically: true, encoding: .utf8)
        try second.joined(separator: "\n").appending("\n").write(to: folder.appendingPathComponent("b"), atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "cd '\(folder.path)' && gzip -c a > both.gz && gzip -c b >> both.gz"]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        var origins: [ASN?] = []
        let summary = try Routes.read(path: folder.appendingPathComponent("both.gz").path, policy: .stop) { origins.append($0.origin) }
        #expect(origins.count == 5000 && !summary.truncated)
        #expect(origins.filter { $0 == 64501 }.count == 2000)
        // Cut inside the second member: the first is whole, and the read says it was cut.
        let whole = try Data(contentsOf: folder.appendingPathComponent("both.gz"))
        let cut = folder.appendingPathComponent("cut.gz")
        try whole.prefix(whole.count - 200).write(to: cut)
        var read = 0
        let cutSummary = try Routes.read(path: cut.path) { _ in read += 1 }
        #expect(cutSummary.truncated)
        #expect(read >= 3000 && read < 5000)
    }

    @Test(
        "bzip2: concatenated streams are all read; a file cut short gives every whole block; a bad block is an error",
        .enabled(if: ReferenceAgreementTests.available, "needs ../shared/data"))
    func bzip2Streams() throws {
        // One stream, then two back to back as `cat a.bz2 b.bz2` (or pbzip2, lbzip2) makes them.
        let single = try Data(contentsOf: URL(fileURLWithPath: Self.data + "/vrps/rpkilog-vrpdiff-20250720T100145Z.json.bz2"))
        func read(_ data: Data, _ name: String) throws -> (bytes: [UInt8], truncated: Bool) {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("reader-\(UUID().uuidString)-\(name)")
            try data.write(to: path)
            let stream = try ByteStream(path: path.path)
            return (try stream.readAll(), stream.truncated)
        }
        let one = try read(single, "one.bz2")
        #expect(one.bytes.count == 2_573_268)
        #expect(!one.truncated)
        let two = try read(single + single, "two.bz2")
        #expect(two.bytes.count == 2 * one.bytes.count)
        let twice = two.bytes == one.bytes + one.bytes  // compared outside #expect, which would print both
        #expect(twice)
        #expect(!two.truncated)
        // Bytes after the last stream that do not start another are ignored, as `bzip2 -d` does.
        let trailing = try read(single + single + Data("\n".utf8), "trailing.bz2").bytes == two.bytes
        #expect(trailing)
        // Cut inside the second stream: the first whole, then the second's whole blocks.
        let (cut, truncated) = try read((single + single).prefix(single.count * 2 - 1000), "cut.bz2")
        #expect(truncated)
        #expect(cut.count > one.bytes.count && cut.count < two.bytes.count)
        let prefix = cut[...] == two.bytes.prefix(cut.count)
        #expect(prefix)
        // A damaged block fails its checksum: an error, not a silent end.
        var damaged = single
        damaged[single.count / 2] ^= 0xff
        #expect(throws: RoutingDataError.self) { try read(damaged, "damaged.bz2") }
    }

    @Test("broken inputs give a clear error or a counted reject, never a crash")
    func brokenInputs() throws {
        let garbageJSON = try Self.write(
            #"{"roas": [{"asn": 13335, "prefix": "1.1.1.0/24", "maxLength": 24}, {"asn": "ASx", "prefix": "1.1.1.0/24"}, {"prefix": "1.1.1.0/33", "asn": 1, "maxLength": 24}"#
        )
        #expect(throws: RoutingDataError.self) { try VRPReader.read(path: garbageJSON) }
        let badRecords = try Self.write(
            #"{"roas": [{"asn": 13335, "prefix": "1.1.1.0/24", "maxLength": 24}, {"asn": "ASx", "prefix": "1.1.1.0/24", "maxLength": 24}, {"asn": "AS1", "prefix": "1.1.1.0/24", "maxLength": 23}]}"#
        )
        let (vrps, summary) = try VRPReader.read(path: badRecords)
        #expect(vrps.count == 1)
        #expect(summary.rejected == 2)
        // Each reject says which field is wrong and where the object starts.
        #expect(summary.rejects.map(\.offset) == [67, 124], "\(summary.rejects)")
        #expect(summary.rejects.first?.reason.contains("ASx") == true, "\(summary.rejects)")
        #expect(summary.rejects.last?.reason.contains("23") == true, "\(summary.rejects)")
        let noMaxLength = try Self.write(#"{"roas": [{"asn": "AS13335", "prefix": "2606:4700::/32"}]}"#)
        #expect(try VRPReader.read(path: noMaxLength).vrps.map(\.description) == ["2606:4700::/32-32 AS13335"])
        #expect(throws: RoutingDataError.self) { try VRPReader.read(path: badRecords, policy: .stop) }
        let notVRPs = try Self.write(#"{"something": []}"#)
        #expect(throws: RoutingDataError.self) { try VRPReader.read(path: notVRPs) }
        let routes = try Self.write("prefix,origin_asn\n192.0.2.0/24,64500\nnonsense\n198.51.100.0/24,AS64501\n10.0.0.0/8,notanumber\n")
        var announcements: [Announcement] = []
        let routeSummary = try Routes.read(path: routes) { announcements.append($0) }
        #expect(announcements.map(\.origin) == [64500, 64501])
        #expect(routeSummary.rejected == 2)
        #expect(routeSummary.rejects.map(\.line) == [3, 5])
        let truncatedGzip = FileManager.default.temporaryDirectory.appendingPathComponent("cut-\(UUID().uuidString).gz").path
        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.data + "/reference/ris-updates-2016/announcements.csv.gz"))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: truncatedGzip))
        var read = 0
        let cut = try Routes.read(path: truncatedGzip) { _ in read += 1 }
        #expect(cut.truncated)
        #expect(read > 100)
    }
}

import Foundation
import Routing
import Testing

/// Our states against the reference states computed by four independent implementations
/// (roa-checker, rov, BIRD, GoBGP) in ../shared/data/reference.
@Suite("Agreement with the reference ROV states")
struct ReferenceAgreementTests {
    static let shared = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/data").standardizedFileURL.path

    static var available: Bool { FileManager.default.fileExists(atPath: shared + "/reference") }

    struct Summary: Equatable {
        var announcements = 0, valid = 0, invalid = 0, notFound = 0
    }

    /// Reads `per_asn_rov_summary.csv`: origin_asn,announcements,valid,invalid,notfound,…
    static func referenceSummary(_ path: String) throws -> [ASN: Summary] {
        var result: [ASN: Summary] = [:]
        let stream = try ByteStream(path: path)
        try stream.forEachLine { line, number in
            guard number > 1, !line.isEmpty else { return }
            let fields = String(decoding: line, as: UTF8.self).split(separator: ",")
            result[ASN(fields[0])!] = Summary(
                announcements: Int(fields[1])!, valid: Int(fields[2])!, invalid: Int(fields[3])!, notFound: Int(fields[4])!)
        }
        return result
    }

    /// Reads `rov_states.csv.gz`: prefix,origin_asn,roa_checker,rov_ihr, in announcement order.
    static func referenceStates(_ path: String) throws -> [String] {
        var states: [String] = []
        let stream = try ByteStream(path: path)
        try stream.forEachLine { line, number in
            guard number > 1, !line.isEmpty else { return }
            let fields = String(decoding: line, as: UTF8.self).split(separator: ",")
            #expect(fields[2] == fields[3])
            states.append(fields[2] == "notfound" ? "not-found" : String(fields[2]))
        }
        return states
    }

    func check(vrps: String, routes: String, reference: String) throws {
        let (vrpList, vrpSummary) = try VRPReader.read(path: vrps, policy: .stop)
        #expect(vrpSummary.rejected == 0)
        let index = VRPIndex(vrpList)
        let expected = try Self.referenceStates(reference + "/rov_states.csv.gz")
        var ours: [ASN: Summary] = [:]
        var position = 0
        var disagreements: [String] = []
        var announcements: [Announcement] = []
        _ = try RouteReader.read(path: routes, policy: .stop) { announcement in
            announcements.append(announcement)
            let state = index.state(of: announcement.prefix, origin: announcement.origin)
            if position < expected.count, state.rfc6811 != expected[position], disagreements.count < 5 {
                disagreements.append("\(announcement.prefix) AS\(announcement.originText): \(state.rfc6811), expected \(expected[position])")
            }
            position += 1
            var summary = ours[announcement.origin!, default: Summary()]
            summary.announcements += 1
            switch state.rfc6811 {
            case "valid": summary.valid += 1
            case "invalid": summary.invalid += 1
            default: summary.notFound += 1
            }
            ours[announcement.origin!] = summary
        }
        #expect(position == expected.count)
        #expect(disagreements.isEmpty, "\(disagreements)")
        let reference = try Self.referenceSummary(reference + "/per_asn_rov_summary.csv")
        #expect(ours.count == reference.count)
        let differing = reference.filter { ours[$0.key] != $0.value }.map(\.key).sorted().prefix(5)
        #expect(differing.isEmpty, "per-ASN counts differ for \(Array(differing))")

        // `measure`'s rows, made in shards on two cores, count the same per origin.
        var measurement = Measurement(vrps: index, asOf: Date(timeIntervalSince1970: 0))
        measurement.reserveCapacity(routes: announcements.count)
        measurement.add(contentsOf: announcements)
        let measured = Dictionary(
            uniqueKeysWithValues: measurement.metrics().map {
                ($0.asn, Summary(announcements: $0.announcements, valid: $0.rpkiValid, invalid: $0.rpkiInvalid, notFound: $0.rpkiNotFound))
            })
        let measuredDiffering = reference.filter { measured[$0.key] != $0.value }.map(\.key).sorted().prefix(5)
        #expect(measured.count == reference.count)
        #expect(measuredDiffering.isEmpty, "measured per-ASN counts differ for \(Array(measuredDiffering))")
    }

    @Test("RIS updates 2016 against the 2025-07-20 rpki-client VRPs (bzip2 JSON)", .enabled(if: available, "needs ../shared/data"))
    func risUpdates2016() throws {
        try check(
            vrps: Self.shared + "/vrps/rpki-client-20250720T093133Z.json.bz2",
            routes: Self.shared + "/reference/ris-updates-2016/announcements.csv.gz",
            reference: Self.shared + "/reference/ris-updates-2016"
        )
    }

    @Test("the full RouteViews table against the prepdev VRPs (Routinator CSV)", .enabled(if: available, "needs ../shared/data"))
    func prepdev2023() throws {
        try check(
            vrps: Self.shared + "/reference/prepdev-2023/vrps.csv.gz",
            routes: Self.shared + "/routes/announcements-rv2-20240406.csv.gz",
            reference: Self.shared + "/reference/prepdev-2023"
        )
    }
}

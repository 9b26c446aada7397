import ArgumentParser
import Foundation
import Routing

/// `manrs-plus validate --vrps FILE --routes FILE`: RFC 6811 state of every announcement, as CSV.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the RPKI state of each announcement as CSV: prefix,origin_asn,state.",
        discussion: """
            VRPs: rpki-client or Routinator JSON, or Routinator/RIPE validator CSV. Routes: MRT \
            (TABLE_DUMP, TABLE_DUMP_V2, BGP4MP), prefix,origin_asn CSV, or CAIDA prefix-to-AS text. Plain, gzip or bzip2, told from the content. \
            One row per input announcement, in input order; state is valid, invalid or not-found.
            """
    )

    @Option(help: "VRP file.")
    var vrps: String

    @Option(help: "Route file.")
    var routes: String

    @Flag(help: "Stop at the first malformed record instead of skipping and counting it.")
    var strict = false

    func run() throws {
        let policy: BadRecordPolicy = strict ? .stop : .skip
        let started = ContinuousClock.now
        let (vrpList, vrpSummary) = try VRPReader.read(path: vrps, policy: policy)
        let index = VRPIndex(vrpList)
        var output = CSVOutput()
        output.write("prefix,origin_asn,state\n")
        var counts: [String: Int] = [:]
        let routeSummary = try Routes.read(path: routes, policy: policy) { announcement in
            let state = index.state(of: announcement.prefix, origin: announcement.origin).rfc6811
            counts[state, default: 0] += 1
            let origin = announcement.originText.contains(",") ? "\"\(announcement.originText)\"" : announcement.originText
            output.write("\(announcement.prefix),\(origin),\(state)\n")
        }
        output.flush()
        let elapsed = ContinuousClock.now - started
        var summary = "validate: \(vrpSummary.records) VRPs (\(vrpSummary.rejected) rejected), "
        summary += "\(routeSummary.records) announcements (\(routeSummary.rejected) rejected): "
        summary += "valid \(counts["valid", default: 0]), invalid \(counts["invalid", default: 0]), not-found \(counts["not-found", default: 0]) "
        summary += "in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow)))\n"
        for reject in (vrpSummary.rejects + routeSummary.rejects).prefix(5) { summary += "  rejected \(reject)\n" }
        FileHandle.standardError.write(Data(summary.utf8))
    }
}

/// Buffered standard output: one write per 256 KiB instead of one per row.
struct CSVOutput {
    private var buffer: [UInt8] = []

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 18 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}

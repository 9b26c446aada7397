import ArgumentParser
import Domain
import Foundation
import Routing

/// `manrs-plus measure`: per-ASN conformance metrics over one snapshot of routing data, as CSV.
struct Measure: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write per-origin-ASN routing metrics as CSV.",
        discussion: """
            Columns: asn,announcements,rpki_valid,rpki_invalid,rpki_not_found, then \
            rpki_invalid_origin, rpki_invalid_length, rpki_score (valid share - 10 x invalid share), \
            irr_exact, irr_covering, irr_none, irr_coverage, irr_rpki_conflicts, \
            bogon_prefixes_originated, too_specific_originated, bogon_prefixes_propagated, \
            bogon_asns_originated, bogon_asns_propagated, rov_invalid_carried, peeringdb_noc, peeringdb_abuse, \
            spoofer_prefixes_tested, spoofable_prefixes, spoofer_last_test, spoofer_test_age_days. \
            Transit columns need AS paths, so MRT input. A column whose input was not given is empty. \
            Explanations go to stderr with --explain.
            """
    )

    @Option(help: "VRP file.")
    var vrps: String

    @Option(help: "Route file (MRT for the transit metrics).")
    var routes: String

    @Option(help: "IRR RPSL dump(s).")
    var irr: [String] = []

    @Option(help: "PeeringDB JSON dump(s).")
    var peeringdb: [String] = []

    @Option(help: "CAIDA Spoofer session results (CSV or JSON lines).")
    var spoofer: [String] = []

    @Option(help: "The moment the metrics describe, ISO 8601, for the age of Spoofer sessions (default: now).")
    var asOf: String?

    @Option(help: "A full-bogons list, added to the special-purpose blocks.")
    var bogons: String?

    @Option(help: "Only these ASNs.")
    var asn: [UInt32] = []

    @Flag(help: "Print each row's explanations to stderr.")
    var explain = false

    func validate() throws {
        if let asOf, (try? Date(asOf, strategy: .iso8601)) == nil {
            throw ValidationError("--as-of '\(asOf)' is not an ISO 8601 time such as 2025-07-20T09:31:33Z")
        }
    }

    func run() throws {
        let started = ContinuousClock.now
        let log = { (line: String) in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        // A table without AS paths is read on the other core while the VRPs load, as `validate`
        // does; MRT streams through the measurement, paths and all.
        let routeRead = try Routes.isMRT(path: routes) ? nil : RouteReadInBackground(path: routes, policy: .skip, command: "measure")
        let (vrpList, vrpSummary) = try VRPReader.read(path: vrps)
        log("measure: \(vrpSummary.records) VRPs (\(vrpSummary.rejected) rejected)")
        var irrRoutes: [IRRRoute] = []
        for file in irr {
            let summary = try RPSLReader.read(path: file) { irrRoutes.append($0) }
            log("measure: \(file): \(summary.records) route objects (\(summary.rejected) rejected)")
        }
        let networks = peeringdb.isEmpty ? nil : try PeeringDBReader.read(paths: peeringdb)
        var sessions: [SpooferResult]? = spoofer.isEmpty ? nil : []
        for file in spoofer {
            let summary = try SpooferReader.read(path: file) { sessions!.append($0) }
            log("measure: \(file): \(summary.records) Spoofer results (\(summary.rejected) rejected)")
        }
        let fullBogons = try bogons.map { try Bogons.readList(path: $0).prefixes } ?? []
        let loaded = ContinuousClock.now
        var measurement = Measurement(
            vrps: VRPIndex(vrpList), irr: irrRoutes, peeringDB: networks, spoofer: sessions, bogons: Bogons(fullBogons: fullBogons),
            only: Set(asn), asOf: try asOf.map { try Date($0, strategy: .iso8601) } ?? SystemClock().now())

        let indexed = ContinuousClock.now
        let routeSummary: ReadSummary
        if let routeRead {
            let (announcements, summary) = try routeRead.wait()
            measurement.reserveCapacity(routes: announcements.count)
            measurement.add(contentsOf: announcements)
            routeSummary = summary
        } else {
            var ticker = ProgressTicker(command: "measure")
            var seen = 0
            routeSummary = try Routes.readWithPaths(path: routes) { announcement, path in
                measurement.add(announcement, path: path)
                seen += 1
                ticker.tick(seen, "announcements")
            }
        }
        let routeCount = routeSummary.records
        if routeSummary.truncated { log("measure: \(routes) ends mid-record (truncated); read what was there") }

        let measured = ContinuousClock.now
        var output = CSVOutput()
        output.write(MetricsCSV.header)
        let rows = measurement.metrics()
        for row in rows {
            MetricsCSV.append(row, irrGiven: !irr.isEmpty, to: &output.buffer)
            output.flushIfFull()
            if explain {
                for explanation in row.explanations { log("AS\(row.asn) \(explanation)") }
            }
        }
        output.flush()
        let end = ContinuousClock.now
        log(
            "measure: \(routeCount) announcements, \(rows.count) ASNs in \((end - started).milliseconds) ms (inputs read \((loaded - started).milliseconds) ms, "
                + "indexed \((indexed - loaded).milliseconds) ms, routes measured \((measured - indexed).milliseconds) ms, written \((end - measured).milliseconds) ms)"
        )
        // Everything is written: as in `validate`, the kernel takes back the routes, tables and
        // rows at once, instead of their being released one by one first (a tenth of the run).
        Foundation.exit(0)
    }
}

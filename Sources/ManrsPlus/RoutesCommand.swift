import ArgumentParser
import Foundation
import Routing

/// `manrs-plus routes FILE`: the announcements in any route file, as `prefix,origin_asn` CSV.
struct RoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Print the announcements of a route file (MRT, pfx2as or CSV) as prefix,origin_asn."
    )

    @Argument(help: "Route file: MRT (TABLE_DUMP, TABLE_DUMP_V2, BGP4MP), prefix-to-AS text or CSV; plain, gzip or bzip2.")
    var file: String

    func run() throws {
        var output = CSVOutput()
        output.write("prefix,origin_asn\n")
        let summary = try Routes.read(path: file) { announcement in
            announcement.prefix.write(to: &output.buffer)
            output.buffer.append(UInt8(ascii: ","))
            announcement.writeOrigin(to: &output.buffer)
            output.buffer.append(UInt8(ascii: "\n"))
            output.flushIfFull()
        }
        output.flush()
        var note = "routes: \(summary.records) announcements, \(summary.rejected) rejected"
        if summary.truncated { note += "; the file ends mid-record (truncated)" }
        FileHandle.standardError.write(Data((note + "\n").utf8))
    }
}

import ArgumentParser
import Domain
import Foundation
import Store

/// `manrs-plus import vrps|routes|irr|peeringdb|spoofer FILE`: store a measurement input as a snapshot.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a measurement input into PostgreSQL as a snapshot, with its provenance.",
        discussion: "Importing the same file (same SHA-256) twice does nothing and says so."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "vrps, routes, irr, peeringdb or spoofer.")
    var kind: String

    @Argument(help: "The file (any format the readers accept; plain, gzip or bzip2).")
    var file: String

    @Option(help: "Where the data came from, e.g. 'rpki-client@example' (default: the file name).")
    var source: String?

    @Option(help: "When the data was taken, ISO 8601 (default: the file's modification time).")
    var takenAt: String?

    func validate() throws {
        guard SnapshotKind(rawValue: kind) != nil else {
            throw ValidationError("kind must be one of \(SnapshotKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let takenAt, (try? Date(takenAt, strategy: .iso8601)) == nil {
            throw ValidationError("--taken-at '\(takenAt)' is not an ISO 8601 time such as 2025-07-20T09:31:33Z")
        }
    }

    func run() async throws {
        let (settings, logger) = try global.load()
        let taken = try takenAt.map { try Date($0, strategy: .iso8601) } ?? SnapshotStore.modificationDate(ofFileAt: file) ?? SystemClock().now()
        let outcome = try await DatabaseRuntime.withServices(settings: settings, logger: logger) { services in
            try await services.snapshots.importFile(
                file, kind: SnapshotKind(rawValue: kind)!, sourceName: source ?? (file as NSString).lastPathComponent, takenAt: taken)
        }
        switch outcome {
        case .imported(let snapshot):
            var line = "Imported snapshot \(snapshot.id): \(snapshot.records) \(kind) records, \(snapshot.rejected) rejected"
            if snapshot.truncated { line += ", file truncated" }
            print(line + " (sha256 \(snapshot.fileSHA256.prefix(12))…).")
        case .alreadyImported(let snapshot):
            print("Already imported as snapshot \(snapshot.id) on \(snapshot.importedAt.formatted(.iso8601)); nothing to do.")
        }
    }
}

import ArgumentParser
import Foundation
import Store

/// `manrs-plus audit verify`: recompute the whole audit chain.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The tamper-evident audit trail.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every event's canonical JSON and hash, in order; print the first broken link, if any.",
            discussion: "Exits 0 when the chain is intact, 1 when it is broken or events sit outside it."
        )

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (settings, logger) = try global.load()
            let (result, head) = try await DatabaseRuntime.withServices(settings: settings, logger: logger) { services in
                let chain = services.auditChain
                return (try await chain.verify(), try await chain.head())
            }
            print("Audit chain \(result)")
            print("Head: event \(head.seq), hash \(head.hash), at \(ISO8601DateFormatter().string(from: head.at))")
            if !result.isIntact { throw ExitCode(1) }
        }
    }
}

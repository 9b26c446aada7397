import ArgumentParser
import Domain
import Foundation
import Postgres
import Server
import Store

/// `manrs-plus catalog load`: the seed catalogs in `schema/catalog/`.
struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Program catalogs.",
        subcommands: [Load.self]
    )

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the seed catalogs (schema/catalog/*.json).",
            discussion: """
                A program without a catalog gets the file as published version 1. A program whose current \
                version equals the file is left alone. A changed file becomes a draft for an admin to \
                review and publish: published versions never change.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Folder of the seed files (default: schema/catalog).")
        var directory: String?

        func run() async throws {
            let (settings, logger) = try global.load()
            let seeds = try CatalogStore.readSeeds(directory: try directory ?? (locateSchemaDirectory() + "/catalog"))
            let outcomes = try await DatabaseRuntime.withServices(settings: settings, logger: logger) { services in
                try await services.catalogs.load(seeds: seeds, context: .system(at: services.clock.now()))
            }
            for outcome in outcomes { print(CatalogCommand.describe(outcome)) }
        }
    }

    static func describe(_ outcome: CatalogStore.SeedOutcome) -> String {
        switch outcome {
        case .published(let program, let version): "\(program): published version \(version)"
        case .unchanged(let program, let version): "\(program): unchanged (current version \(version))"
        case .drafted(let program, let version):
            "\(program): the file differs from the current version; saved as draft \(version) to review and publish"
        }
    }
}

/// `manrs-plus user create`: accounts from the command line (the first admin, typically).
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "User accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user and print a one-time password (and a token with --token).")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Email address, used to sign in.")
        var email: String

        @Option(help: "admin, auditor, applicant or enterprise.")
        var role: String

        @Option(help: "Name shown to others (default: the part of the email before @).")
        var name: String?

        @Option(help: "For enterprise users: their verifier organisation.")
        var organisation: String?

        @Flag(help: "Also create an API token and print it.")
        var token = false

        func run() async throws {
            let (settings, logger) = try global.load()
            guard let role = UserRole(rawValue: role) else {
                throw CommandFailure("invalid --role '\(role)': expected admin, auditor, applicant or enterprise")
            }
            guard ContactRules.isEmail(email) else { throw CommandFailure("invalid --email '\(email)': not an email address") }
            let displayName = name ?? String(email.split(separator: "@")[0])
            let password = Secrets.password()
            let (user, secret) = try await DatabaseRuntime.withServices(settings: settings, logger: logger) { services in
                let users = services.users
                let user = try await users.create(
                    email: email, displayName: displayName, role: role, organisation: organisation, password: password,
                    context: .system(at: services.clock.now())
                )
                let secret =
                    token
                    ? try await users.createToken(
                        for: user.id, name: "cli", scopes: Set(Scope.allCases), expiresAt: nil, context: .system(at: services.clock.now())
                    ).secret
                    : nil
                return (user, secret)
            }
            print("Created \(user.role.rawValue) \(user.email) (\(user.id.uuidString.lowercased())).")
            print("One-time password: \(password)")
            if let secret { print("API token (shown once): \(secret)") }
        }
    }
}

/// `manrs-plus demo load`: catalogs, demo users and a dozen participants, for `make run`.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Demo data.", subcommands: [Load.self])

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the seed catalogs and the demo data (schema/demo/demo.json), play its story, then print the demo logins.",
            discussion: """
                The story imports the 2024 RouteViews table, the 2016 RIS updates and the 2025 VRPs, grants certifications and moves \
                them through the scheduled checks and timers at simulated times before --now, so that every enforcement state is \
                shown. It needs a fresh database; on one where it was played, it does nothing. The demo passwords and tokens are \
                public: never load the demo into a production database.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "The time the story ends at, e.g. 2026-01-15T00:00:00Z (default: now).")
        var now: String?

        @Option(help: "The shared data set the snapshots are read from (default: ../shared/data beside the repository).")
        var dataDirectory: String?

        func run() async throws {
            var (settings, logger) = try global.load()
            // The demo's routes (April 2024) and VRPs (July 2025) are 15 months apart: unless told
            // otherwise, the checks accept that, as `make run` tells `serve` to.
            let environment = ProcessInfo.processInfo.environment
            if environment["CHECK_MAX_AGE_HOURS"] == nil { settings.checkMaxAgeHours = 30_000 }
            if environment["CHECK_PAIRING_HOURS"] == nil { settings.checkPairingHours = 12_000 }
            let schema = try locateSchemaDirectory()
            let seeds = try CatalogStore.readSeeds(directory: schema + "/catalog")
            let demo = try DemoData.read(path: schema + "/demo/demo.json")
            let story = try DemoStory.read(path: schema + "/demo/demo.json")
            let end: Date
            if let now {
                guard let date = ISO8601DateFormatter().date(from: now) else {
                    throw CommandFailure("invalid --now '\(now)': expected a time like 2026-01-15T00:00:00Z")
                }
                end = date
            } else {
                end = SystemClock().now()
            }
            let data =
                dataDirectory ?? URL(fileURLWithPath: schema).deletingLastPathComponent().appendingPathComponent("../shared/data").standardized.path
            let start = story.start(endingAt: end)
            let clock = ManualClock(start)
            let began = ContinuousClock.now
            let loaded: ([CatalogStore.SeedOutcome], DemoData.Outcome, Result<DemoStory.Outcome, CommandFailure>) =
                try await DatabaseRuntime.withServices(settings: settings, logger: logger, clock: clock) { services in
                    var skipped: CommandFailure? = nil
                    if try await DemoStory.alreadyPlayed(services) {
                        skipped = CommandFailure("The demo story was played before (certifications exist): nothing more to do.")
                    } else if let latest = try await DemoStory.jobsRanAfter(start, services) {
                        skipped = CommandFailure(
                            "The demo story was not played: it starts at \(start.formatted(.iso8601)), but this database's jobs already ran at \(latest.formatted(.iso8601)) and time never runs backwards. Load the demo into a fresh database (remove .data/ or use a new DATABASE_URL) to see every enforcement state."
                        )
                    }
                    if let skipped {
                        let now = SystemClock().now()
                        let catalogs = try await services.catalogs.load(seeds: seeds, context: .system(at: now))
                        return (catalogs, try await demo.load(into: services.database, passwords: services.passwords, at: now), .failure(skipped))
                    }
                    let catalogs = try await services.catalogs.load(seeds: seeds, context: .system(at: start))
                    let outcome = try await demo.load(into: services.database, passwords: services.passwords, at: start)
                    let played = try await story.play(on: services, clock: clock, dataDirectory: data, now: end) { print($0) }
                    return (catalogs, outcome, .success(played))
                }
            let (catalogs, outcome, played) = loaded
            for catalog in catalogs { print(CatalogCommand.describe(catalog)) }
            print(
                "Demo data: \(outcome.usersCreated) users and \(outcome.participantsCreated) participants created (existing ones kept), \(outcome.resourcesVerified) resources verified."
            )
            switch played {
            case .success(let played):
                print("Demo story played up to \(end.formatted(.iso8601)) in \(DemoStory.seconds(ContinuousClock.now - began)):")
                for (participant, status, expected) in played.statuses {
                    print(
                        "  \(status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(participant)\(status == expected ? "" : " (the story expected \(expected.rawValue))")"
                    )
                }
            case .failure(let skipped):
                print(skipped.description)
            }
            print("")
            print("Demo logins (public; for this machine only):")
            for user in demo.users {
                print(
                    "  \(user.role.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(user.email.padding(toLength: 24, withPad: " ", startingAt: 0)) password \(user.password)"
                )
                print("  \("".padding(toLength: 10, withPad: " ", startingAt: 0)) token    \(user.token)")
            }
        }
    }
}

/// `manrs-plus resources verify-rpki`: automatic prefix verification after a VRP import.
struct ResourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resources", abstract: "Participants' resources.", subcommands: [VerifyRPKI.self])

    struct VerifyRPKI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-rpki",
            abstract: "Verify unverified prefixes that the latest VRP snapshot authorises for a verified ASN of their participant.",
            discussion: "Run it after importing VRPs (manrs-plus import vrps …); claims and ASN verifications run the same check themselves."
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Only this participant (its id).")
        var participant: String?

        func run() async throws {
            let (settings, logger) = try global.load()
            var id: UUID? = nil
            if let participant {
                guard let parsed = UUID(uuidString: participant) else { throw ValidationError("--participant must be a participant id (a UUID).") }
                id = parsed
            }
            let verified = try await DatabaseRuntime.withServices(settings: settings, logger: logger) { services in
                try await services.participants.verifyPrefixesByRPKI(participant: id, context: .system(at: services.clock.now()))
            }
            for resource in verified {
                let vrp = resource.verification.vrp.map { " by \($0.prefix)-\($0.maxLength) AS\($0.asn)" } ?? ""
                print("\(resource.participantID.uuidString.lowercased()) \(resource.value) verified\(vrp)")
            }
            print("\(verified.count) prefixes verified.")
        }
    }
}

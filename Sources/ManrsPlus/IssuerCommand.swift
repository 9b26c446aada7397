import ArgumentParser
import Credentials
import Foundation
import Store

/// `manrs-plus issuer`: the deployment's credential issuer (its did:web and signing keys).
struct IssuerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issuer", abstract: "The issuer that signs marks' credentials.", subcommands: [Keys.self, RotateKey.self])

    /// `manrs-plus issuer keys`: the DID and its keys, the signing key first.
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the issuer's DID and its public keys, the signing key first.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (settings, logger) = try global.load()
            let (did, keys) = try await DatabaseRuntime.withServices(settings: settings, logger: logger) { services in
                (services.issuer.addresses.issuer.did, try await services.issuer.publicKeys(database: services.database, at: services.clock.now()))
            }
            print("Issuer: \(did)")
            for (index, key) in keys.enumerated() {
                print("\(index == 0 ? "signing" : "retired"): \(key.methodID(under: settings.publicAddresses.issuer))")
            }
        }
    }

    /// `manrs-plus issuer rotate-key`: a new signing key; the old one stays listed and verifying.
    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Retire the signing key and start signing with a new one.",
            discussion: """
                The retired key stays in the DID document and the JWKS, so every credential it signed \
                keeps verifying. Credentials issued from now on are signed with the new key.
                """
        )

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (settings, logger) = try global.load()
            let key = try await DatabaseRuntime.withServices(settings: settings, logger: logger) { services in
                try await services.issuer.rotate(
                    database: services.database, context: ChangeContext(actor: nil, requestID: nil, at: services.clock.now()))
            }
            print("New signing key: \(key.methodID(under: settings.publicAddresses.issuer))")
        }
    }
}

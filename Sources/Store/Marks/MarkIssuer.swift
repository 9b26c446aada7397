import Canonical
import Credentials
import Crypto
import Foundation
import Postgres
import Synchronization

/// The deployment's credential issuer: its public addresses (`PUBLIC_URL`) and its Ed25519 keys,
/// one per deployment and the same for every instance. The keys live in `issuer_keys`, the
/// private half sealed (AES-GCM) with the key from configuration (`ISSUER_KEY_SECRET`, or a key
/// file under `DATA_DIR`). The first instance to need a key creates it; the schema's unique index
/// on the one signing key lets exactly one insert win, and every other instance reads that key.
///
/// Rotation (`rotate`) retires the signing key and creates a new one; retired keys stay in the
/// DID document, so what they signed keeps verifying. Keys are never logged.
public final class MarkIssuer: Sendable {
    public let addresses: PublicAddresses
    let sealer: SecretSealer
    /// Opened private keys by id: unsealing once per process.
    let opened = Mutex<[String: IssuerSigningKey]>([:])

    public init(addresses: PublicAddresses, sealer: SecretSealer) {
        self.addresses = addresses
        self.sealer = sealer
    }

    /// The signer with the current key, creating the deployment's first key if there is none, on
    /// the caller's transaction. Returns the key's id too (it is the public key's Multikey).
    func signer(at time: Date, on connection: PostgresConnection) async throws -> (keyID: String, issuer: CredentialIssuer) {
        for _ in 0..<2 {
            if let row = try await connection.query("SELECT id, sealed_private_key FROM issuer_keys WHERE retired_at IS NULL").single {
                let id = try row.decode("id", as: String.self)
                let key = try open(id, sealed: try row.decode("sealed_private_key", as: Data?.self))
                return (id, CredentialIssuer(addresses: addresses, key: key))
            }
            // Another instance may insert at the same moment: its key wins and the next SELECT reads it.
            try await insert(IssuerSigningKey.generate(), at: time, on: connection)
        }
        throw StoreError.unreadable("The issuer has no signing key, and creating one did not succeed.")
    }

    /// Retires the signing key and makes a new one, with its audit event, in one transaction.
    /// Returns the new key's public half.
    public func rotate(database: PostgresPool, context: ChangeContext) async throws -> IssuerPublicKey {
        try await database.transaction { connection in
            let retired = try await connection.query(
                "UPDATE issuer_keys SET retired_at = \(context.at) WHERE retired_at IS NULL RETURNING id"
            ).map { try $0.decode(0, as: String.self) }
            let key = IssuerSigningKey.generate()
            try await insert(key, at: context.at, on: connection)
            try await AuditLog.append(
                "issuer.key_rotated", entity: "issuer_key", id: key.publicKey.multibase, participant: nil,
                before: ["signing_key": retired.first ?? ""], after: ["signing_key": key.publicKey.multibase], context: context, on: connection)
            return key.publicKey
        }
    }

    /// Every key the DID document lists, the signing key first, then retired keys newest first.
    /// Creates the first key when there is none yet, so the document is never empty.
    public func publicKeys(database: PostgresPool, at time: Date) async throws -> [IssuerPublicKey] {
        var keys = try await Self.listedKeys(database: database)
        if keys.isEmpty {
            _ = try await database.transaction { connection in try await self.signer(at: time, on: connection) }
            keys = try await Self.listedKeys(database: database)
        }
        return keys
    }

    /// The `purpose` status list holding `bits`, signed with the current key at `time` and valid from then.
    public func statusList(_ purpose: StatusPurpose, bits: Bitstring, at time: Date, database: PostgresPool) async throws -> JSONValue {
        let signer = try await database.transaction { connection in try await self.signer(at: time, on: connection).issuer }
        do {
            return try signer.statusList(purpose, bits: bits, at: time)
        } catch {
            throw StoreError.unreadable("The \(purpose.rawValue) status list could not be signed: \(error.message)")
        }
    }

    static func listedKeys(database: PostgresPool) async throws -> [IssuerPublicKey] {
        try await database.query(
            "SELECT public_key FROM issuer_keys ORDER BY retired_at DESC NULLS FIRST, created_at DESC, id"
        ).map { try IssuerPublicKey(raw: [UInt8](try $0.decode(0, as: Data.self))) }
    }

    func insert(_ key: IssuerSigningKey, at time: Date, on connection: PostgresConnection) async throws {
        let sealed = try sealer.seal([UInt8](key.privateKey.rawRepresentation))
        try await connection.execute(
            """
            INSERT INTO issuer_keys (id, public_key, sealed_private_key, created_at)
            VALUES (\(key.publicKey.multibase), \(Data(key.publicKey.raw)), \(sealed), \(time))
            ON CONFLICT DO NOTHING
            """)
    }

    func open(_ id: String, sealed: Data?) throws -> IssuerSigningKey {
        if let key = opened.withLock({ $0[id] }) { return key }
        guard let sealed else {
            throw StoreError.unreadable("The issuer key \(id) has no sealed private half in the database.")
        }
        let seed = try sealer.open(sealed)
        guard let privateKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed), privateKey.publicKey.rawRepresentation.count == 32,
            IssuerSigningKey(privateKey).publicKey.multibase == id
        else { throw StoreError.unreadable("The issuer key \(id) does not open to the key the database lists.") }
        let key = IssuerSigningKey(privateKey)
        opened.withLock { $0[id] = key }
        return key
    }
}

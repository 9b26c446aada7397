import Domain
import Foundation
import Postgres
import Store

/// The secretariat's catalog writes: drafts and publishing. The document's own rules are
/// `CatalogDocument.problems()` (Domain), applied by the store when a draft is saved.
public struct CatalogOperations: Sendable {
    public let catalogs: CatalogStore

    public init(catalogs: CatalogStore) {
        self.catalogs = catalogs
    }

    /// A new draft of `program`: `document`, or a copy of the current version when nil.
    public func createDraft(
        of program: String, document: CatalogDocument?, by actor: Actor, change: ChangeContext, on connection: PostgresConnection? = nil
    ) async throws -> CatalogVersion {
        try Authorise.check(.writeCatalog, actor, participant: nil)
        if let connection { return try await catalogs.createDraft(of: program, document: document, context: change, on: connection) }
        return try await catalogs.createDraft(of: program, document: document, context: change)
    }

    public func updateDraft(
        _ version: Int, of program: String, document: CatalogDocument?, expectedRowVersion: Int, by actor: Actor, change: ChangeContext
    ) async throws -> CatalogVersion {
        try Authorise.check(.writeCatalog, actor, participant: nil)
        guard let document else { throw StoreError.invalid([FieldRefusal("document", "required", "Send the catalog document.")]) }
        return try await catalogs.updateDraft(version, of: program, document: document, expectedRowVersion: expectedRowVersion, context: change)
    }

    public func publish(_ version: Int, of program: String, expectedRowVersion: Int, by actor: Actor, change: ChangeContext) async throws
        -> CatalogVersion
    {
        try Authorise.check(.writeCatalog, actor, participant: nil)
        return try await catalogs.publish(version, of: program, expectedRowVersion: expectedRowVersion, context: change)
    }
}

import Domain
import Foundation
import Hummingbird
import Operations
import Store

/// Programs and their versioned action catalogs: readable by anyone, drafted and published by
/// the secretariat. The reads are answered from memory (`Caches.catalogs`) until a program or
/// one of its versions changes.
struct CatalogRoutes {
    let catalogs: CatalogStore
    let operations: CatalogOperations
    let idempotency: Idempotency
    let responses: ResponseCache<CatalogRead>

    /// A program with its current catalog, as `GET /programs/{code}` shows it.
    struct ProgramDetail: Encodable {
        let program: Program
        let catalog: CatalogVersion?

        enum CodingKeys: String, CodingKey {
            case code, name, description
            case currentVersion = "current_version"
            case catalog
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(program.code, forKey: .code)
            try container.encode(program.name, forKey: .name)
            try container.encode(program.description, forKey: .description)
            try container.encode(program.currentVersion, forKey: .currentVersion)
            try container.encode(catalog, forKey: .catalog)
        }
    }

    /// The body of a new draft or a draft's replacement.
    struct DraftInput: Codable {
        /// Nil when starting a draft: copy the current version.
        var document: CatalogDocument?
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("programs") { _, _ in
            try await responses.response(for: .programs) {
                try JSONResponse(Items(items: try await catalogs.programs()))
            }
        }
        api.get("programs/:program") { _, context in
            let code = try context.parameters.require("program")
            return try await responses.response(for: .program(code)) {
                let program = try await catalogs.program(code)
                let current = program.currentVersion == nil ? nil : try await catalogs.version(nil, of: code)
                return try JSONResponse(ProgramDetail(program: program, catalog: current))
            }
        }
        api.get("programs/:program/versions") { _, context in
            let drafts = Access.decide(.readCatalogDrafts, actor: context.actor) == .allowed
            let code = try context.parameters.require("program")
            return try await responses.response(for: .versions(code, drafts: drafts)) {
                try JSONResponse(Items(items: try await catalogs.versions(of: code, includingDrafts: drafts)))
            }
        }
        api.get("programs/:program/versions/:version") { _, context in
            let drafts = Access.decide(.readCatalogDrafts, actor: context.actor) == .allowed
            let code = try context.parameters.require("program")
            let number = try Self.versionNumber(context)
            return try await responses.response(for: .version(code, number, drafts: drafts)) {
                let version = try await catalogs.version(number, of: code, includingDrafts: drafts)
                return try JSONResponse(version, version: version.rowVersion)
            }
        }
        api.post("programs/:program/versions") { request, context in
            let actor = try context.require(.writeCatalog)
            let code = try context.parameters.require("program")
            let input = try await request.strictJSON(as: DraftInput.self, context: context)
            return try await idempotency.respond(to: request, context: context, body: input.data) { connection in
                let draft = try await operations.createDraft(
                    of: code, document: input.value.document, by: actor, change: context.change, on: connection)
                return (.created, "/api/v1/programs/\(code)/versions/\(draft.version)", draft)
            }
        }
        api.put("programs/:program/versions/:version") { request, context in
            let actor = try context.require(.writeCatalog)
            let expected = try ETag.expectedVersion(request)
            let input = try await request.strictJSON(as: DraftInput.self, context: context)
            let updated = try await operations.updateDraft(
                try Self.versionNumber(context), of: try context.parameters.require("program"), document: input.value.document,
                expectedRowVersion: expected, by: actor, change: context.change)
            return try JSONResponse(updated, version: updated.rowVersion)
        }
        api.post("programs/:program/versions/:version/publish") { request, context in
            let actor = try context.require(.writeCatalog)
            let published = try await operations.publish(
                try Self.versionNumber(context), of: try context.parameters.require("program"),
                expectedRowVersion: try ETag.expectedVersion(request), by: actor, change: context.change)
            return try JSONResponse(published, version: published.rowVersion)
        }
    }

    static func versionNumber(_ context: AppRequestContext) throws -> Int {
        guard let version = Int(try context.parameters.require("version")), version > 0, version < Int32.max else {
            throw Problem.notFound("A catalog version is a positive whole number.")
        }
        return version
    }
}

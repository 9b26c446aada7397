import Domain
import Foundation
import Postgres

/// A program, with its current catalog version number (nil until one is published).
public struct Program: Sendable, Codable, Equatable {
    public let code: String
    public let name: String
    public let description: String
    public let currentVersion: Int?

    enum CodingKeys: String, CodingKey {
        case code, name, description
        case currentVersion = "current_version"
    }
}

/// One catalog version of a program.
public struct CatalogVersion: Sendable, Encodable {
    public enum Status: String, Sendable, Codable { case draft, published }

    public let program: String
    public let version: Int
    public let status: Status
    public let isCurrent: Bool
    public let document: CatalogDocument
    public let createdAt: Date
    public let updatedAt: Date
    public let publishedAt: Date?
    /// The optimistic-concurrency version of the row (the ETag), not the catalog's number.
    public let rowVersion: Int

    enum CodingKeys: String, CodingKey {
        case program, version, status, document
        case isCurrent = "is_current"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case publishedAt = "published_at"
    }
}

/// The seed file of one program: `schema/catalog/<code>.json`.
public struct CatalogSeed: Sendable, Codable {
    public struct ProgramInfo: Sendable, Codable {
        public let code: String
        public let name: String
        public let description: String
    }

    public let program: ProgramInfo
    public let catalog: CatalogDocument

    public init(program: ProgramInfo, catalog: CatalogDocument) {
        self.program = program
        self.catalog = catalog
    }
}

/// Programs and their versioned catalogs: drafts edited by admins, published versions frozen.
public struct CatalogStore: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    public func programs() async throws -> [Program] {
        try await database.query(
            """
            SELECT p.code, p.name, p.description,
                   (SELECT max(version) FROM catalog_versions c WHERE c.program_code = p.code AND c.status = 'published') AS current
            FROM programs p ORDER BY p.code
            """
        ).map { row in
            let (code, name, description, current) = try row.decode(String.self, String.self, String.self, Int?.self)
            return Program(code: code, name: name, description: description, currentVersion: current)
        }
    }

    public func program(_ code: String) async throws -> Program {
        guard let program = try await programs().first(where: { $0.code == code }) else {
            throw StoreError.notFound("There is no program '\(code.prefix(40))'.")
        }
        return program
    }

    /// Every version of a program, newest first.
    /// The program's versions, newest first; drafts only for those who may read them.
    public func versions(of program: String, includingDrafts: Bool) async throws -> [CatalogVersion] {
        _ = try await self.program(program)
        return try await database.query(
            """
            \(unsafeRaw: Self.selectVersion) WHERE c.program_code = \(program) AND (\(includingDrafts) OR c.status <> 'draft')
            ORDER BY c.version DESC
            """
        ).map(Self.version(from:))
    }

    /// One version; `nil` for `version` means the current one. A draft is "not found" for
    /// those who may not read drafts, so they do not learn that one exists.
    public func version(_ version: Int?, of program: String, includingDrafts: Bool = true) async throws -> CatalogVersion {
        let rows: PostgresRows
        if let version {
            rows = try await database.query(
                """
                \(unsafeRaw: Self.selectVersion) WHERE c.program_code = \(program) AND c.version = \(version)
                  AND (\(includingDrafts) OR c.status <> 'draft')
                """)
        } else {
            rows = try await database.query(
                """
                \(unsafeRaw: Self.selectVersion) WHERE c.program_code = \(program) AND c.status = 'published'
                ORDER BY c.version DESC LIMIT 1
                """)
        }
        guard let row = rows.single else {
            throw StoreError.notFound(
                version.map { "Program '\(program.prefix(40))' has no catalog version \($0)." }
                    ?? "Program '\(program.prefix(40))' has no published catalog.")
        }
        return try Self.version(from: row)
    }

    /// Starts a draft: `document`, or a copy of the current version when nil. One draft at a time.
    public func createDraft(of program: String, document: CatalogDocument?, context: ChangeContext) async throws -> CatalogVersion {
        try await database.transaction { connection in try await createDraft(of: program, document: document, context: context, on: connection) }
    }

    /// `createDraft` inside the caller's transaction.
    public func createDraft(
        of program: String, document: CatalogDocument?, context: ChangeContext, on connection: PostgresConnection
    ) async throws -> CatalogVersion {
        guard try await connection.query("SELECT 1 FROM programs WHERE code = \(program) FOR UPDATE").single != nil else {
            throw StoreError.notFound("There is no program '\(program.prefix(40))'.")
        }
        if let document {
            let problems = document.problems()
            if !problems.isEmpty { throw StoreError.invalid(problems.map { $0.prefixed("document.") }) }
        }
        let base: CatalogDocument
        if let document {
            base = document
        } else {
            guard
                let row = try await connection.query(
                    """
                    SELECT document FROM catalog_versions WHERE program_code = \(program) AND status = 'published' ORDER BY version DESC LIMIT 1
                    """
                ).single
            else { throw StoreError.invalid([FieldRefusal("document", "required", "There is no published version to copy; send a document.")]) }
            base = try row.decode("document", as: JSONB<CatalogDocument>.self).value
        }
        if try await connection.query("SELECT 1 FROM catalog_versions WHERE program_code = \(program) AND status = 'draft'").single != nil {
            throw StoreError.conflict(slug: "draft-exists", detail: "Program \(program) already has a draft; edit or publish it first.")
        }
        try await connection.execute(
            """
            INSERT INTO catalog_versions (program_code, version, status, document)
            SELECT \(program), coalesce(max(version), 0) + 1, 'draft', \(JSONB(base)) FROM catalog_versions WHERE program_code = \(program)
            """)
        let created = try Self.version(
            from: try await connection.query("\(unsafeRaw: Self.selectVersion) WHERE c.program_code = \(program) AND c.status = 'draft'")[0])
        try await AuditLog.append(
            "catalog.draft_created", entity: "catalog_version", id: "\(program)/\(created.version)", participant: nil,
            after: created.document, context: context, on: connection)
        return created
    }

    /// Replaces a draft's document when `expectedRowVersion` is still current.
    public func updateDraft(
        _ version: Int, of program: String, document: CatalogDocument, expectedRowVersion: Int, context: ChangeContext
    ) async throws -> CatalogVersion {
        let problems = document.problems()
        if !problems.isEmpty { throw StoreError.invalid(problems.map { $0.prefixed("document.") }) }
        return try await database.transaction { connection in
            let current = try await Self.lockVersion(version, of: program, on: connection)
            guard current.status == .draft else {
                throw StoreError.conflict(
                    slug: "catalog-published", detail: "Version \(version) of \(program) is published and cannot change; start a new draft.")
            }
            guard current.rowVersion == expectedRowVersion else { throw StoreError.staleVersion(current: current.rowVersion) }
            try await connection.execute(
                """
                UPDATE catalog_versions SET document = \(JSONB(document)) WHERE program_code = \(program) AND version = \(version)
                """)
            try await AuditLog.append(
                "catalog.draft_updated", entity: "catalog_version", id: "\(program)/\(version)", participant: nil,
                before: current.document, after: document, context: context, on: connection)
            return try await Self.lockVersion(version, of: program, on: connection)
        }
    }

    /// Publishes a draft: from now on it is frozen and, being the highest published version,
    /// current for new applications. Existing references keep their version number.
    public func publish(_ version: Int, of program: String, expectedRowVersion: Int, context: ChangeContext) async throws -> CatalogVersion {
        try await database.transaction { connection in
            let current = try await Self.lockVersion(version, of: program, on: connection)
            guard current.status == .draft else {
                throw StoreError.conflict(slug: "catalog-published", detail: "Version \(version) of \(program) is already published.")
            }
            guard current.rowVersion == expectedRowVersion else { throw StoreError.staleVersion(current: current.rowVersion) }
            let problems = current.document.problems()
            if !problems.isEmpty { throw StoreError.invalid(problems.map { $0.prefixed("document.") }) }
            try await connection.execute(
                """
                UPDATE catalog_versions SET status = 'published', published_at = \(context.at) WHERE program_code = \(program) AND version = \(version)
                """)
            try await AuditLog.append(
                "catalog.published", entity: "catalog_version", id: "\(program)/\(version)", participant: nil,
                context: context, on: connection)
            return try await Self.lockVersion(version, of: program, on: connection)
        }
    }

    /// What `load(seeds:)` did for one program.
    public enum SeedOutcome: Sendable, Equatable {
        case published(program: String, version: Int)
        case unchanged(program: String, version: Int)
        case drafted(program: String, version: Int)
    }

    /// Loads seed files: a program without a catalog gets the file as published version 1; one
    /// whose current version equals the file is left alone; otherwise the file becomes a draft
    /// for an admin to review and publish (never a silent change of a published catalog).
    public func load(seeds: [CatalogSeed], context: ChangeContext) async throws -> [SeedOutcome] {
        var outcomes: [SeedOutcome] = []
        for seed in seeds {
            let problems = seed.catalog.problems()
            if !problems.isEmpty { throw StoreError.invalid(problems.map { $0.prefixed("\(seed.program.code).catalog.") }) }
            let code = seed.program.code
            let outcome: SeedOutcome = try await database.transaction { connection in
                try await connection.execute(
                    """
                    INSERT INTO programs (code, name, description) VALUES (\(code), \(seed.program.name), \(seed.program.description))
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, description = excluded.description
                    """)
                // Serialises concurrent loads of one program.
                try await connection.execute("SELECT 1 FROM programs WHERE code = \(code) FOR UPDATE")
                let current = try await connection.query(
                    """
                    SELECT version, document FROM catalog_versions WHERE program_code = \(code) AND status = 'published' ORDER BY version DESC LIMIT 1
                    """
                ).single
                if let current {
                    let version = try current.decode("version", as: Int.self)
                    if try current.decode("document", as: JSONB<CatalogDocument>.self).value == seed.catalog {
                        return .unchanged(program: code, version: version)
                    }
                    let draft = try await connection.query(
                        """
                        INSERT INTO catalog_versions (program_code, version, status, document)
                        SELECT \(code), max(version) + 1, 'draft', \(JSONB(seed.catalog)) FROM catalog_versions WHERE program_code = \(code)
                        ON CONFLICT (program_code) WHERE status = 'draft' DO UPDATE SET document = excluded.document
                        RETURNING version
                        """)[0].decode(0, as: Int.self)
                    return .drafted(program: code, version: draft)
                }
                try await connection.execute(
                    """
                    INSERT INTO catalog_versions (program_code, version, status, document, published_at)
                    VALUES (\(code), 1, 'published', \(JSONB(seed.catalog)), \(context.at))
                    """)
                try await AuditLog.append(
                    "catalog.published", entity: "catalog_version", id: "\(code)/1", participant: nil,
                    after: seed.catalog, context: context, on: connection)
                return .published(program: code, version: 1)
            }
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// Reads every `*.json` seed in `directory`, sorted by name.
    public static func readSeeds(directory: String) throws -> [CatalogSeed] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
            do {
                return try JSONDecoder().decode(CatalogSeed.self, from: data)
            } catch {
                throw CatalogSeedError(file: name, reason: "\(error)")
            }
        }
    }

    // MARK: Rows

    static let selectVersion = """
        SELECT c.program_code, c.version, c.status, c.document, c.created_at, c.updated_at, c.published_at, c.row_version,
               c.version = (SELECT max(version) FROM catalog_versions p WHERE p.program_code = c.program_code AND p.status = 'published')
                 AS is_current
        FROM catalog_versions c
        """

    static func version(from row: PostgresRow) throws -> CatalogVersion {
        CatalogVersion(
            program: try row.decode("program_code"),
            version: try row.decode("version"),
            status: try row.decode("status", as: CatalogVersion.Status.self),
            isCurrent: try row.decode("is_current", as: Bool?.self) ?? false,
            document: try row.decode("document", as: JSONB<CatalogDocument>.self).value,
            createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"),
            publishedAt: try row.decode("published_at"),
            rowVersion: try row.decode("row_version")
        )
    }

    static func lockVersion(_ version: Int, of program: String, on connection: PostgresConnection) async throws -> CatalogVersion {
        guard
            let row = try await connection.query(
                """
                \(unsafeRaw: selectVersion) WHERE c.program_code = \(program) AND c.version = \(version) FOR UPDATE OF c
                """
            ).single
        else { throw StoreError.notFound("Program '\(program.prefix(40))' has no catalog version \(version).") }
        return try Self.version(from: row)
    }
}

public struct CatalogSeedError: Error, CustomStringConvertible {
    public let file: String
    public let reason: String
    public var description: String { "\(file): \(reason)" }
}

extension FieldRefusal {
    func prefixed(_ prefix: String) -> FieldRefusal {
        FieldRefusal(prefix + field, refusal.code, refusal.message)
    }
}

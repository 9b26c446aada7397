import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import Prometheus
import Server
import Store
import TestSupport

/// The application as the tests build it: the same `buildRouter` as `serve`, with the repository's
/// templates and OpenAPI document, and a cheap bcrypt cost so tests that create users stay fast.
enum TestApp {
    static let assets = Task { try await ServerAssets.load(root: TestDatabase.repositoryRoot) }

    static func dependencies(_ pool: PostgresPool, settings: Settings? = nil, loginLimits: LoginLimits = LoginLimits()) async throws
        -> AppDependencies
    {
        AppDependencies(
            settings: try settings ?? Settings.load(environment: [:]),
            database: pool,
            migrator: Migrator(migrations: try Migration.load(from: TestDatabase.schemaDirectory), logger: TestDatabase.logger),
            metrics: PrometheusCollectorRegistry(),
            logger: TestDatabase.logger,
            assets: try await assets.value,
            passwords: Passwords(cost: 4),
            loginLimits: loginLimits
        )
    }
}

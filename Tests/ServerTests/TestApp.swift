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

    /// The composition root over a test database: the same `Services` `serve` builds, with a
    /// cheap bcrypt cost.
    static func services(_ pool: PostgresPool, settings: Settings? = nil, clock: any WallClock = SystemClock()) throws -> Services {
        Services(
            settings: try settings ?? Settings.load(environment: [:]), database: pool,
            migrator: Migrator(migrations: try Migration.load(from: TestDatabase.schemaDirectory), logger: TestDatabase.logger),
            logger: TestDatabase.logger, passwords: Passwords(cost: 4), clock: clock, resourceRoot: TestDatabase.repositoryRoot)
    }

    static func dependencies(_ pool: PostgresPool, settings: Settings? = nil, loginLimits: LoginLimits = LoginLimits()) async throws
        -> AppDependencies
    {
        AppDependencies(
            services: try services(pool, settings: settings), metrics: PrometheusCollectorRegistry(), assets: try await assets.value,
            loginLimits: loginLimits)
    }
}

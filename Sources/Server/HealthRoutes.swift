import Foundation
import Hummingbird
import Postgres
import Store

/// Liveness, readiness and metrics for operators and orchestrators.
struct HealthRoutes {
    let dependencies: AppDependencies

    struct Status: Encodable {
        let status: String
        let schemaVersion: Int?

        enum CodingKeys: String, CodingKey {
            case status
            case schemaVersion = "schema_version"
        }
    }

    func register(on router: Router<AppRequestContext>) {
        // The process is up and serving.
        router.get("/healthz") { _, _ in
            try JSONResponse(Status(status: "ok", schemaVersion: nil))
        }
        // The database answers and its schema is exactly this build's.
        router.get("/readyz") { _, context in
            let status: MigrationStatus
            do {
                status = try await dependencies.migrator.status(dependencies.database)
            } catch {
                context.logger.warning("Readiness check failed", metadata: ["error": "\(error)"])
                throw Problem.serviceUnavailable("The database is not reachable.")
            }
            if let problem = status.problems.first {
                throw Problem.serviceUnavailable("The database schema does not match this build: \(problem)")
            }
            if !status.pending.isEmpty {
                throw Problem.serviceUnavailable("The database schema is behind: \(status.pending.count) migration(s) pending.")
            }
            return try JSONResponse(Status(status: "ready", schemaVersion: status.applied.last))
        }
        // Prometheus text exposition.
        router.get("/metrics") { _, _ in
            var fields = HTTPFields()
            fields[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            var buffer: [UInt8] = []
            dependencies.metrics.emit(into: &buffer)
            return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}

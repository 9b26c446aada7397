import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import Prometheus
import Server
import Store
import TestSupport
import Testing

/// The HTTP skeleton, driven through the same router `serve` builds.
@Suite("HTTP skeleton")
struct ServerTests {
    static func dependencies(_ pool: PostgresPool, settings: Settings? = nil) async throws -> AppDependencies {
        try await TestApp.dependencies(pool, settings: settings)
    }

    struct ProblemBody: Decodable {
        let type: String
        let title: String
        let status: Int
        let detail: String
        let instance: String
        let errors: [Problem.FieldError]?
    }

    static func problem(_ response: TestResponse) throws -> ProblemBody {
        #expect(response.headers[.contentType] == "application/problem+json")
        let body = try JSONDecoder().decode(ProblemBody.self, from: Data(buffer: response.body))
        #expect(body.status == Int(response.status.code))
        #expect(body.instance == response.headers[HTTPField.Name("X-Request-Id")!])
        return body
    }

    @Test("healthz, and readyz while the database is migrated")
    func healthAndReady() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let (router, _) = buildRouter(try await Self.dependencies(db.pool))
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get) { response async throws in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
                }
                try await client.execute(uri: "/readyz", method: .get) { response async throws in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains(#""status":"ready""#))
                }
            }
        }
    }

    @Test("readyz is 503 with the reason when the schema is behind or the database is down")
    func notReady() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            let (router, _) = buildRouter(try await Self.dependencies(db.pool))
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/readyz", method: .get) { response async throws in
                    #expect(response.status == .serviceUnavailable)
                    let problem = try Self.problem(response)
                    #expect(problem.detail.contains("pending"))
                }
            }
        }
        let unreachable = PostgresPool(
            configuration: PostgresConfiguration(connectionString: "host=/nonexistent dbname=x", connectTimeoutSeconds: 1),
            logger: TestDatabase.logger
        )
        let (router, _) = buildRouter(try await Self.dependencies(unreachable))
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response async throws in
                #expect(response.status == .serviceUnavailable)
                let problem = try Self.problem(response)
                #expect(problem.detail == "The database is not reachable.")
                #expect(!String(buffer: response.body).contains("nonexistent"))
            }
        }
        await unreachable.close()
    }

    @Test("unknown route 404 and wrong method 405 are problems, with Allow on 405")
    func notFoundAndMethodNotAllowed() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let (router, _) = buildRouter(try await Self.dependencies(db.pool))
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/no/such/thing", method: .get) { response async throws in
                    #expect(response.status == .notFound)
                    #expect(try Self.problem(response).type == "/problems/not-found")
                }
                try await client.execute(uri: "/healthz", method: .delete) { response async throws in
                    #expect(response.status == .methodNotAllowed)
                    #expect(response.headers[.allow] == "GET, HEAD")
                    #expect(try Self.problem(response).type == "/problems/method-not-allowed")
                }
                try await client.execute(uri: "/healthz", method: .head) { response async throws in
                    #expect(response.status == .ok)
                }
            }
        }
    }

    @Test("request ids: a sane incoming one is echoed, anything else is replaced")
    func requestIDs() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let (router, _) = buildRouter(try await Self.dependencies(db.pool))
            let header = HTTPField.Name("X-Request-Id")!
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get, headers: [header: "trace-123.abc"]) { response async throws in
                    #expect(response.headers[header] == "trace-123.abc")
                }
                try await client.execute(uri: "/healthz", method: .get, headers: [header: "bad id\r\nX: y"]) { response async throws in
                    let id = response.headers[header] ?? ""
                    #expect(id.count == 32)
                    #expect(id.allSatisfy { $0.isHexDigit })
                }
                var seen = Set<String>()
                for _ in 0..<20 {
                    try await client.execute(uri: "/nope", method: .get) { response async throws in
                        seen.insert(response.headers[header] ?? "")
                    }
                }
                #expect(seen.count == 20)
            }
        }
    }

    @Test("/metrics speaks Prometheus text and includes the pool")
    func metrics() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let dependencies = try await Self.dependencies(db.pool)
            let pool = PostgresPool(
                configuration: db.pool.configuration, logger: TestDatabase.logger,
                metricsFactory: PrometheusMetricsFactory(registry: dependencies.metrics))
            // The same services over a pool that reports to this registry.
            let withPool = AppDependencies(
                settings: dependencies.settings, database: pool, migrator: dependencies.migrator, metrics: dependencies.metrics,
                logger: dependencies.logger, assets: dependencies.assets, passwords: dependencies.passwords, loginLimits: dependencies.loginLimits)
            let (router, _) = buildRouter(withPool)
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
                try await client.execute(uri: "/metrics", method: .get) { response async throws in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                    let text = String(buffer: response.body)
                    for name in ["db_pool_connections", "db_pool_connections_in_use", "db_pool_wait_duration_bucket", "db_query_duration_count"] {
                        #expect(text.contains(name), "missing \(name)")
                    }
                }
            }
            await pool.close()
        }
    }
}

/// Behaviour of the shared middleware and body decoding, on routes a test adds beside it.
@Suite("Problem responses for bad input")
struct BadInputTests {
    struct Echo: Codable {
        let name: String
        let asn: Int
    }

    static func app(bodyLimit: Int = 64) throws -> some ApplicationProtocol {
        let router = Router(context: AppRequestContext.self)
        installMiddleware(on: router, settings: try Settings.load(environment: ["MAX_BODY_BYTES": String(bodyLimit)]))
        router.post("/echo") { request, context in
            let echo = try await request.decodeJSON(as: Echo.self, context: context)
            return "\(echo.name) AS\(echo.asn)"
        }
        router.get("/fails") { _, _ -> String in
            throw PostgresError(code: .server, sqlState: "XX000", message: "secret internal detail", query: "SELECT password FROM users")
        }
        return Application(router: router)
    }

    func post(_ body: String, contentType: String = "application/json", _ check: @escaping @Sendable (TestResponse) throws -> Void) async throws {
        try await Self.app().test(.router) { client in
            try await client.execute(uri: "/echo", method: .post, headers: [.contentType: contentType], body: ByteBuffer(string: body)) {
                try check($0)
            }
        }
    }

    @Test("valid JSON is accepted")
    func valid() async throws {
        try await post(#"{"name":"RIPE","asn":3333}"#) { response throws in
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "RIPE AS3333")
        }
    }

    @Test("malformed JSON is 400")
    func malformed() async throws {
        try await post(#"{"name": "#) { response throws in
            #expect(response.status == .badRequest)
            #expect(try ServerTests.problem(response).type == "/problems/malformed-json")
        }
    }

    @Test("invalid UTF-8 is 400")
    func invalidUTF8() async throws {
        try await Self.app().test(.router) { client in
            var buffer = ByteBuffer(string: #"{"name":""#)
            buffer.writeBytes([0xff, 0xfe])
            buffer.writeString(#"","asn":1}"#)
            try await client.execute(uri: "/echo", method: .post, headers: [.contentType: "application/json"], body: buffer) {
                response async throws in
                #expect(response.status == .badRequest)
                #expect(try ServerTests.problem(response).detail.contains("UTF-8"))
            }
        }
    }

    @Test("a body over the limit is 413")
    func tooLarge() async throws {
        try await post(#"{"name":""# + String(repeating: "x", count: 200) + #"","asn":1}"#) { response throws in
            #expect(response.status == .contentTooLarge)
            let problem = try ServerTests.problem(response)
            #expect(problem.type == "/problems/body-too-large")
            #expect(problem.detail.contains("64 bytes"))
        }
    }

    @Test("missing and mistyped fields are 422 naming the field")
    func validation() async throws {
        try await post(#"{"name":"x"}"#) { response throws in
            #expect(response.status == .unprocessableContent)
            let problem = try ServerTests.problem(response)
            #expect(problem.errors?.first?.field == "asn")
            #expect(problem.errors?.first?.code == "required")
        }
        try await post(#"{"name":"x","asn":"3333"}"#) { response throws in
            #expect(response.status == .unprocessableContent)
            #expect(try ServerTests.problem(response).errors?.first == .init(field: "asn", code: "wrong_type", message: "asn must be an integer."))
        }
    }

    @Test("a body that is not JSON is 415")
    func wrongContentType() async throws {
        try await post("name=x", contentType: "application/x-www-form-urlencoded") { response throws in
            #expect(response.status == .unsupportedMediaType)
        }
    }

    @Test("an unexpected error is a bare 500 that leaks no SQL or detail")
    func internalError() async throws {
        try await Self.app().test(.router) { client in
            try await client.execute(uri: "/fails", method: .get) { response async throws in
                #expect(response.status == .internalServerError)
                let body = String(buffer: response.body)
                #expect(try ServerTests.problem(response).type == "/problems/internal")
                for leak in ["SELECT", "password", "secret", "XX000", "PostgreSQL"] {
                    #expect(!body.contains(leak), "500 body contains \(leak)")
                }
            }
        }
    }
}

@Suite("Settings")
struct SettingsTests {
    @Test("defaults, environment, and command-line overrides in that order")
    func layering() throws {
        let defaults = try Settings.load(environment: [:])
        #expect(defaults.port == 8080)
        #expect(defaults.host == "127.0.0.1")
        #expect(defaults.databaseURL == nil)
        let fromEnvironment = try Settings.load(environment: ["PORT": "9000", "DATABASE_URL": "postgres://x/y"])
        #expect(fromEnvironment.port == 9000)
        #expect(fromEnvironment.databaseURL == "postgres://x/y")
        #expect(try Settings.load(environment: ["PORT": "9000"], overrides: ["PORT": "9100"]).port == 9100)
        #expect(defaults.claimLimits.minIPv4Length == 8 && defaults.claimLimits.minIPv6Length == 19)
        #expect(try Settings.load(environment: ["CLAIM_MIN_IPV4_LENGTH": "12"]).claimLimits.minIPv4Length == 12)
    }

    @Test("a bad value is one line naming the variable")
    func badValues() {
        let cases: [(String, String)] = [
            ("PORT", "abc"), ("PORT", "70000"), ("DB_POOL_SIZE", "0"), ("MAX_BODY_BYTES", "-1"),
            ("LOG_LEVEL", "loud"), ("LOG_FORMAT", "xml"), ("CLAIM_MIN_IPV4_LENGTH", "0"), ("CLAIM_MIN_IPV6_LENGTH", "49"),
        ]
        for (name, value) in cases {
            let error = #expect(throws: SettingsError.self) { try Settings.load(environment: [name: value]) }
            #expect(error?.name == name)
            #expect(error?.description.hasPrefix("invalid \(name) '\(value)'") == true)
            #expect(error?.description.contains("\n") == false)
        }
    }
}

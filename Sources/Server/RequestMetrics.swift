import Dispatch
import Hummingbird
import Metrics
import Synchronization

/// Counts and times every request per route, method and status, under the names and dimensions
/// of Hummingbird's `MetricsMiddleware` (`hb.requests`, `http.server.request.duration`,
/// `hb.request.errors`, `http.server.active_requests`), but timed until the response is made,
/// not until it is written. Hummingbird's wraps the body to run after the write, and a wrapped
/// body leaves the framework's one-write path: head, body and end went out as three writes,
/// each a hop to the event loop (docs/reliability.md).
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let instruments = RequestInstruments()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        let active = instruments.active(request.method)
        active.increment()
        defer { active.decrement() }
        do {
            let response = try await next(request, context)
            let route = instruments.route(context.endpointPath ?? "Unknown", request.method, response.status)
            route.requests.increment()
            route.duration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let route = instruments.route(context.endpointPath ?? "NotFound", request.method, status)
            route.requests.increment()
            route.errors.increment()
            throw error
        }
    }
}

/// The instruments per method and per route, made once each: a metrics factory's own lookup
/// by label and dimensions costs more than a dictionary read.
final class RequestInstruments: Sendable {
    struct Route: Sendable {
        let requests: Counter
        let duration: Timer
        let errors: Counter
    }

    private struct RouteKey: Hashable {
        let path: String
        let method: HTTPRequest.Method
        let status: HTTPResponse.Status
    }

    private let meters = Mutex<[HTTPRequest.Method: Meter]>([:])
    private let routes = Mutex<[RouteKey: Route]>([:])

    func active(_ method: HTTPRequest.Method) -> Meter {
        meters.withLock { meters in
            if let meter = meters[method] { return meter }
            let meter = Meter(label: "http.server.active_requests", dimensions: [("http.request.method", method.rawValue)])
            meters[method] = meter
            return meter
        }
    }

    func route(_ path: String, _ method: HTTPRequest.Method, _ status: HTTPResponse.Status) -> Route {
        let key = RouteKey(path: path, method: method, status: status)
        return routes.withLock { routes in
            if let route = routes[key] { return route }
            let dimensions = [("http.route", path), ("http.request.method", method.rawValue), ("http.response.status_code", String(status.code))]
            let route = Route(
                requests: Counter(label: "hb.requests", dimensions: dimensions),
                duration: Timer(label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds),
                errors: Counter(
                    label: "hb.request.errors",
                    dimensions: [("http.route", path), ("http.request.method", method.rawValue), ("error.type", String(status.code))]))
            routes[key] = route
            return route
        }
    }
}

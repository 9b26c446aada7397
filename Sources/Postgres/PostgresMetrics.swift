import Metrics

/// The pool's metrics, created once with fixed labels.
struct PostgresMetrics: Sendable {
    let connections: Gauge
    let inUse: Gauge
    let waiting: Gauge
    let waitDuration: Timer
    let queryDuration: Timer
    let connectionsOpened: Counter
    let acquireTimeouts: Counter

    init(pool name: String, factory: any MetricsFactory) {
        let dimensions = [("pool", name)]
        connections = Gauge(label: "db_pool_connections", dimensions: dimensions, factory: factory)
        inUse = Gauge(label: "db_pool_connections_in_use", dimensions: dimensions, factory: factory)
        waiting = Gauge(label: "db_pool_waiters", dimensions: dimensions, factory: factory)
        waitDuration = Timer(label: "db_pool_wait_duration", dimensions: dimensions, factory: factory)
        queryDuration = Timer(label: "db_query_duration", dimensions: dimensions, factory: factory)
        connectionsOpened = Counter(label: "db_connections_opened_total", dimensions: dimensions, factory: factory)
        acquireTimeouts = Counter(label: "db_pool_acquire_timeouts_total", dimensions: dimensions, factory: factory)
    }
}

import Foundation

/// Bounds how many of one kind of request run at once, per user and in all, so that a few
/// heavy requests (a measurement over a full-table snapshot holds a pool connection through
/// several statements) cannot take every database connection from everyone else.
actor ConcurrencyLimit {
    let perUser: Int
    let total: Int
    private var running: [UUID: Int] = [:]
    private var runningTotal = 0

    init(perUser: Int, total: Int) {
        self.perUser = perUser
        self.total = max(1, total)
    }

    /// Runs `body` when a place is free for `user`; throws `refusal` at once when none is.
    func run<Result: Sendable>(for user: UUID, refusal: @autoclosure () -> Problem, _ body: @Sendable () async throws -> Result) async throws
        -> Result
    {
        guard running[user, default: 0] < perUser, runningTotal < total else { throw refusal() }
        running[user, default: 0] += 1
        runningTotal += 1
        defer {
            running[user, default: 1] -= 1
            if running[user] == 0 { running[user] = nil }
            runningTotal -= 1
        }
        return try await body()
    }
}

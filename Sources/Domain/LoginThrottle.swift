import Foundation

/// How failed sign-ins slow down further attempts.
///
/// Two counters, each with a number of free failures and then a wait that doubles with every
/// further failure up to `maxDelay`: one per account and client address (a guesser at one
/// place), and one per account over all addresses (a guesser spread over many), which does not
/// apply at an address where the account signed in successfully within `trustedFor`, so a
/// stranger's guessing does not keep the account's owner out. There is no limit per address
/// alone: one guesser must not lock out an office, or everyone behind a proxy.
public struct LoginLimits: Sendable, Equatable {
    /// Failures for one account from one address before attempts must wait.
    public var freeFailuresPerAddress: Int
    /// Failures for one account from all addresses before attempts from unfamiliar ones must wait.
    public var freeFailuresPerAccount: Int
    /// The first wait; each further failure doubles it.
    public var baseDelay: TimeInterval
    /// The longest wait.
    public var maxDelay: TimeInterval
    /// Failures older than this count for nothing.
    public var window: TimeInterval
    /// How long a successful sign-in makes its address familiar to the account.
    public var trustedFor: TimeInterval

    public init(
        freeFailuresPerAddress: Int = 5, freeFailuresPerAccount: Int = 20, baseDelay: TimeInterval = 30, maxDelay: TimeInterval = 900,
        window: TimeInterval = 3600, trustedFor: TimeInterval = 30 * 86_400
    ) {
        self.freeFailuresPerAddress = freeFailuresPerAddress
        self.freeFailuresPerAccount = freeFailuresPerAccount
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.window = window
        self.trustedFor = trustedFor
    }
}

/// The recent failed sign-ins of one account, as the store counts them.
public struct LoginFailures: Sendable, Equatable {
    /// From the address asking now, within the window.
    public var fromAddress: Int
    public var lastFromAddress: Date?
    /// From every address, within the window.
    public var total: Int
    public var lastTotal: Date?
    /// Whether the account signed in from the address asking now within `trustedFor`.
    public var addressIsFamiliar: Bool

    public init(fromAddress: Int, lastFromAddress: Date?, total: Int, lastTotal: Date?, addressIsFamiliar: Bool) {
        self.fromAddress = fromAddress
        self.lastFromAddress = lastFromAddress
        self.total = total
        self.lastTotal = lastTotal
        self.addressIsFamiliar = addressIsFamiliar
    }
}

public enum LoginThrottle {
    /// Whole seconds until the next attempt may be checked; 0 when it may be checked now.
    public static func wait(_ failures: LoginFailures, limits: LoginLimits, now: Date) -> Int {
        var until = now
        if let last = failures.lastFromAddress {
            until = max(until, last.addingTimeInterval(delay(failures.fromAddress, free: limits.freeFailuresPerAddress, limits: limits)))
        }
        if !failures.addressIsFamiliar, let last = failures.lastTotal {
            until = max(until, last.addingTimeInterval(delay(failures.total, free: limits.freeFailuresPerAccount, limits: limits)))
        }
        return Int(until.timeIntervalSince(now).rounded(.up))
    }

    /// The wait after `failures` failures when `free` of them cost nothing.
    static func delay(_ failures: Int, free: Int, limits: LoginLimits) -> TimeInterval {
        guard failures >= free else { return 0 }
        // 2^(failures - free), without overflowing for any count.
        let doublings = min(failures - free, 30)
        return min(limits.baseDelay * Double(1 << doublings), limits.maxDelay)
    }
}

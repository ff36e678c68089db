/// A token bucket: it fills at `rate` tokens per second up to `burst`, and a request admitted takes
/// one token. The one refill rule for every rate limit in the engine (per source, the call rate
/// cap, overload shedding's admission rate). `at` is when it was last refilled (nil: never, so
/// the first refill adds nothing).
public struct TokenBucket: Sendable, Equatable {
    public var tokens: Double
    public var at: Duration?

    public init(tokens: Double, at: Duration? = nil) {
        self.tokens = tokens
        self.at = at
    }

    /// Adds what `rate` gave since the last refill, up to `burst`.
    public mutating func refill(rate: Double, burst: Double, now: Duration) {
        if let at, rate > 0 {
            let c = (now - at).components
            let elapsed = max(0, Double(c.seconds) + Double(c.attoseconds) / 1e18)
            tokens = min(burst, tokens + elapsed * rate)
        }
        at = now
    }

    /// Takes a token if there is one (after `refill`).
    public mutating func take() -> Bool {
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// `refill`, then `take`.
    public mutating func take(rate: Double, burst: Double, now: Duration) -> Bool {
        refill(rate: rate, burst: burst, now: now)
        return take()
    }
}

import Primitives

/// Per-source rate limits for new INVITEs and REGISTERs (`overload.per_source`): a token bucket
/// per source host, so one misbehaving phone or script cannot take the engine's capacity from
/// everyone else. A request over its source's rate is refused statelessly with 503 and
/// Retry-After, like overload shedding. Buckets of sources idle for `idleAfter` are dropped, and
/// at most `maxSources` are kept (past that, new sources are not limited until some go idle, and
/// that is logged), so the table stays bounded whatever the sources.
public struct SourceRateLimit: Sendable, Equatable {
    public struct Limits: Sendable, Equatable {
        /// New INVITEs (no To tag) per second per source host; 0: no limit.
        public var invitesPerSecond: Double
        /// REGISTERs per second per source host; 0: no limit.
        public var registersPerSecond: Double
        /// Requests a source may send at once above its rate.
        public var burst: Double

        public init(invitesPerSecond: Double = 0, registersPerSecond: Double = 0, burst: Double = 10) {
            self.invitesPerSecond = invitesPerSecond
            self.registersPerSecond = registersPerSecond
            self.burst = burst
        }

        public var isOn: Bool { invitesPerSecond > 0 || registersPerSecond > 0 }
    }

    public static let idleAfter: Duration = .seconds(10)
    public static let maxSources = 100_000
    public let limits: Limits
    private var buckets: [String: TokenBucket] = [:]
    private var refusedSinceLog = 0
    private var refusedSources: Set<String> = []
    private var full = false
    private var sweptAt: Duration?

    public init(limits: Limits) { self.limits = limits }

    /// Whether a request of `method` from `host` may go on (and takes a token if so).
    public mutating func allow(_ method: String, from host: String, now: Duration) -> Bool {
        let rate = method == "INVITE" ? limits.invitesPerSecond : method == "REGISTER" ? limits.registersPerSecond : 0
        guard rate > 0 else { return true }
        let key = method + " " + host
        var b = buckets[key] ?? TokenBucket(tokens: limits.burst, at: now)
        if buckets[key] == nil, buckets.count >= Self.maxSources {
            full = true
            return true
        }
        let ok = b.take(rate: rate, burst: limits.burst, now: now)
        if !ok { refusedSinceLog += 1; refusedSources.insert(host) }
        buckets[key] = b
        return ok
    }

    /// Once a second: drops the buckets that are full again and idle (forgetting one earlier
    /// would hand a slow source a fresh burst), and a log line while requests are refused.
    public mutating func report(now: Duration) -> String? {
        guard sweptAt.map({ now - $0 >= .seconds(1) }) ?? true else { return nil }
        sweptAt = now
        buckets = buckets.filter { key, b in
            let rate = key.hasPrefix("INVITE ") ? limits.invitesPerSecond : limits.registersPerSecond
            let refill = rate > 0 ? (limits.burst - b.tokens) / rate : 0
            return (now - (b.at ?? now)).seconds < max(Self.idleAfter.seconds, refill)
        }
        guard refusedSinceLog > 0 || full else { return nil }
        var line = "per-source rate limit: refused \(refusedSinceLog) requests from \(refusedSources.count) sources (503 + Retry-After)"
        if full { line += "; \(Self.maxSources) sources tracked, new ones not limited until some go idle" }
        refusedSinceLog = 0
        refusedSources = []
        full = false
        return line
    }

    var trackedSources: Int { buckets.count }
}

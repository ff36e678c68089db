import Testing
@testable import Engine
@testable import EngineCore

/// Per-source rate limits: a token bucket per source host and method, bounded and logged.
struct SourceRateLimitTests {
    @Test func eachSourceHasItsOwnBucketAndRefillsAtItsRate() {
        var l = SourceRateLimit(limits: .init(invitesPerSecond: 2, registersPerSecond: 0, burst: 3))
        let t0 = Duration.seconds(100)
        var first: [Bool] = []
        for _ in 0..<5 { first.append(l.allow("INVITE", from: "10.0.0.1", now: t0)) }
        #expect(first == [true, true, true, false, false])
        let other = l.allow("INVITE", from: "10.0.0.2", now: t0)
        #expect(other, "another source is not limited by the first one's burst")
        let register = l.allow("REGISTER", from: "10.0.0.1", now: t0)
        #expect(register, "REGISTER has no limit here")
        let refilled = l.allow("INVITE", from: "10.0.0.1", now: t0 + .milliseconds(500))
        #expect(refilled, "one token back after 0.5 s at 2/s")
        let again = l.allow("INVITE", from: "10.0.0.1", now: t0 + .milliseconds(600))
        #expect(!again)
        let line = l.report(now: t0 + .seconds(1))
        #expect(line == "per-source rate limit: refused 3 requests from 1 sources (503 + Retry-After)")
        let quiet = l.report(now: t0 + .seconds(1) + .milliseconds(100))
        #expect(quiet == nil, "nothing refused since: no line")
    }

    @Test func idleSourcesAreForgotten() {
        var l = SourceRateLimit(limits: .init(invitesPerSecond: 1, burst: 1))
        for i in 0..<1000 { _ = l.allow("INVITE", from: "10.1.\(i / 256).\(i % 256)", now: .seconds(1)) }
        #expect(l.trackedSources == 1000)
        _ = l.report(now: .seconds(1) + SourceRateLimit.idleAfter)
        #expect(l.trackedSources == 0)
    }
}

extension SourceRateLimitTests {
    @Test func aSlowSourceIsNotForgottenBeforeItsBucketRefills() {
        var l = SourceRateLimit(limits: .init(registersPerSecond: 0.05, burst: 2))  // one every 20 s
        let t0 = Duration.seconds(1)
        _ = l.allow("REGISTER", from: "10.0.0.1", now: t0)
        _ = l.allow("REGISTER", from: "10.0.0.1", now: t0)
        _ = l.report(now: t0 + .seconds(12))  // idle 12 s, but its bucket needs 40 s to refill
        let again = l.allow("REGISTER", from: "10.0.0.1", now: t0 + .seconds(12))
        #expect(!again, "forgetting the bucket would have handed it a fresh burst")
    }
}

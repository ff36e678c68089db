import Logging
import Media
import NIOCore
import NIOPosix

/// A relay the ramp can load: the engine's `RTPRelay` or the bare reference.
protocol RTPBenchTarget: AnyObject {
    /// Opens calls until there are `count`, each on two free ports from `ports`.
    func grow(to count: Int, ports: inout RTPBenchPortScanner) throws(RTPBenchError)
    var calls: [RTPCallPorts] { get }
    var packetsRelayed: Int { get }
    /// Around each step: the bare relay runs its thread only while the generator sends.
    func stepWillStart(seconds: Double)
    func stepDidEnd()
    func shutDown()
}

/// Hands out UDP ports on 127.0.0.1 that are free right now, in order, from a range.
struct RTPBenchPortScanner {
    let range: ClosedRange<Int>
    private var next: Int

    init(range: ClosedRange<Int>) {
        self.range = range
        next = range.lowerBound
    }

    mutating func pair() throws(RTPBenchError) -> RTPCallPorts {
        RTPCallPorts(callerPort: try port(), agentPort: try port())
    }

    /// An even port free with the one above it (the engine's relay binds RTCP there, RFC 3550 §11).
    private mutating func port() throws(RTPBenchError) -> Int {
        next += next % 2
        while next + 1 <= range.upperBound {
            let candidate = next
            next += 2
            if BenchUDPSocket.isFree(port: candidate), BenchUDPSocket.isFree(port: candidate + 1) { return candidate }
        }
        throw .noFreePorts(from: range.lowerBound, through: range.upperBound, needed: 2)
    }
}

/// The engine's relay, driven through its real control path: `open` then `setPeer` for both legs
/// (as `EngineDriver` does on `.openMedia` / `.setMediaPeer`), on its own event loop group.
final class EngineRelayTarget: RTPBenchTarget {
    let group: MultiThreadedEventLoopGroup
    let relay: RTPRelay
    private let callerPeerPort: Int
    private let agentPeerPort: Int
    private(set) var calls: [RTPCallPorts] = []

    init(threads: Int, callerPeerPort: Int, agentPeerPort: Int) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)  // futures only: the relay has its own threads
        relay = RTPRelay(group: group, host: "127.0.0.1", threads: threads, logger: Logger(label: "ccbench.rtp", factory: { _ in SwiftLogNoOpLogHandler() }))
        self.callerPeerPort = callerPeerPort
        self.agentPeerPort = agentPeerPort
    }

    var packetsRelayed: Int { relay.packetsRelayed }

    func grow(to count: Int, ports: inout RTPBenchPortScanner) throws(RTPBenchError) {
        while calls.count < count {
            // Open up to 100 calls at once; a port taken between the probe and the bind costs a retry.
            var opening: [(String, RTPCallPorts, EventLoopFuture<Void>)] = []
            for _ in 0..<min(100, count - calls.count) {
                let p = try ports.pair()
                let call = "bench-\(p.callerPort)"
                opening.append((call, p, relay.open(call: call, callerPort: p.callerPort, agentPort: p.agentPort)))
            }
            var failures = 0
            for (call, p, future) in opening {
                do {
                    try future.wait()
                } catch {
                    failures += 1
                    if failures > 20 { throw .relayOpen(call: call, reason: "\(error)") }
                    continue
                }
                relay.setPeer(call: call, leg: .caller, host: "127.0.0.1", port: callerPeerPort)
                relay.setPeer(call: call, leg: .agent, host: "127.0.0.1", port: agentPeerPort)
                calls.append(p)
            }
        }
        // setPeer reaches each call's worker as a command: let every worker apply it before media flows.
        relay.settle()
    }

    func stepWillStart(seconds: Double) {}
    func stepDidEnd() {}

    func shutDown() {
        for p in calls { relay.delete(call: "bench-\(p.callerPort)") }
        calls = []
        relay.shutdown()
        try? group.syncShutdownGracefully()
    }
}

/// `BareRelay` as a ramp target: its thread runs only for the length of each step.
final class BareRelayTarget: RTPBenchTarget {
    let relay: BareRelay
    private var running: (thread: BenchThread, stop: BenchFlag)?

    init(callerPeerPort: Int, agentPeerPort: Int) {
        relay = BareRelay(callerPeerPort: callerPeerPort, agentPeerPort: agentPeerPort)
    }

    var calls: [RTPCallPorts] { relay.calls }
    var packetsRelayed: Int { relay.packetsRelayed }

    func grow(to count: Int, ports: inout RTPBenchPortScanner) throws(RTPBenchError) {
        var failures = 0
        while relay.calls.count < count {
            do {
                try relay.addCall(try ports.pair())
            } catch let error {
                guard case .socket = error, failures < 20 else { throw error }
                failures += 1
            }
        }
    }

    func stepWillStart(seconds: Double) {
        let stop = BenchFlag()
        // Bounded even if the step never ends: the step's time plus the generator's drain limits.
        running = (relay.start(maxSeconds: seconds + 5, stop: stop), stop)
    }

    func stepDidEnd() {
        running?.stop.raise()
        running?.thread.join()
        running = nil
    }

    func shutDown() {
        stepDidEnd()
        relay.close()
    }
}

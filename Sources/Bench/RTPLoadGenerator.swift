import Glibc

/// The two local ports one bridged call's legs are bound on, on the relay's side.
public struct RTPCallPorts: Sendable, Hashable, Codable {
    public var callerPort: Int
    public var agentPort: Int

    public init(callerPort: Int, agentPort: Int) {
        self.callerPort = callerPort
        self.agentPort = agentPort
    }
}

/// A light RTP load for a relay under test: G.711 at 20 ms (12-byte RTP header + 160 bytes,
/// PT 0, REFERENCE §4) on both legs of N bridged calls, paced on an absolute schedule, and the
/// receiving end that counts what the relay forwards and how much jitter it added.
///
/// Plain non-blocking UDP, not libortp: one sender thread (`sendmmsg` batches, woken at most every
/// 250 µs) and one receiver thread (`recvmmsg` batches, epoll when idle), so the generator costs
/// far less than the relay it loads. All callers' legs send from one socket and all agents' legs
/// from another; streams are told apart by SSRC (the relay neither knows nor cares).
///
/// Stream `2c` is call c's caller -> relay `callerPort` -> agent side; stream `2c + 1` is
/// agent -> relay `agentPort` -> caller side. Stream phases are spread evenly over the 20 ms
/// frame, as independent calls would be.
public final class RTPLoadGenerator: @unchecked Sendable {
    public static let frameNanos: UInt64 = 20_000_000
    public static let headerBytes = 12
    public static let payloadBytes = 160
    public static let packetBytes = headerBytes + payloadBytes
    /// RTP timestamp units per packet: 8 kHz x 20 ms.
    public static let timestampStep: UInt32 = 160

    /// Where the relay's caller legs must send (the callers' phones' socket): 127.0.0.1.
    public let callerSidePort: Int
    /// Where the relay's agent legs must send (the agents' phones' socket): 127.0.0.1.
    public let agentSidePort: Int
    let callerFD: Int32
    let agentFD: Int32
    private var runs: UInt32 = 0
    private var closed = false

    /// Binds the two phone-side sockets on free ports with large receive buffers and kernel
    /// receive timestamps.
    public init() throws(RTPBenchError) {
        let caller = try BenchUDPSocket.bind(port: 0, receiveBuffer: 32 << 20)
        let agent: (fd: Int32, port: Int)
        do {
            agent = try BenchUDPSocket.bind(port: 0, receiveBuffer: 32 << 20)
        } catch {
            Glibc.close(caller.fd)
            throw error
        }
        for fd in [caller.fd, agent.fd] { BenchUDPSocket.enableReceiveTimestamps(fd) }
        callerFD = caller.fd
        agentFD = agent.fd
        callerSidePort = caller.port
        agentSidePort = agent.port
    }

    deinit { close() }

    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(callerFD)
        Glibc.close(agentFD)
    }

    /// Sends `seconds` of G.711 (rounded to whole 20 ms frames, at least one) on both legs of every
    /// call, waits `drainSeconds` for the relay to forward what it still holds, and reports. Blocks
    /// the calling thread; bounded by `seconds + drainSeconds` plus at most a second of draining.
    public func run(calls: [RTPCallPorts], seconds: Double, drainSeconds: Double = 0.3) -> RTPLoadReport {
        precondition(calls.count * 2 < 1 << 16, "at most 32,767 calls per run (SSRCs are base + stream)")
        runs &+= 1
        // A new SSRC base per run: late packets of an earlier run are counted as stray, not as this run's.
        let plan = RTPStreamPlan(
            calls: calls, frames: max(1, Int((seconds * 50).rounded())), ssrcBase: 0x4000_0000 &+ (runs << 16))
        let receiver = RTPStreamReceiver(plan: plan)
        let sender = RTPStreamSender(plan: plan, callerFD: callerFD, agentFD: agentFD)
        let stop = BenchFlag()
        let (callerFD, agentFD) = (self.callerFD, self.agentFD)
        let receiving = BenchThread(name: "rtp-load-rx") { receiver.run(fds: [callerFD, agentFD], stop: stop) }
        let sending = BenchThread(name: "rtp-load-tx") { sender.run() }
        sending.join()
        BenchClock.sleep(untilMonotonic: monotonicNanos() + UInt64(max(0, drainSeconds) * 1e9))
        stop.raise()
        receiving.join()
        return RTPLoadReport(plan: plan, sender: sender, receiver: receiver)
    }
}

/// Who sends what where in one run; shared read-only by the sender and the receiver.
struct RTPStreamPlan: Sendable {
    let calls: [RTPCallPorts]
    let frames: Int
    let ssrcBase: UInt32
    var streams: Int { calls.count * 2 }

    func destinationPort(_ stream: Int) -> Int {
        stream & 1 == 0 ? calls[stream >> 1].callerPort : calls[stream >> 1].agentPort
    }

    /// Streams start at different sequence numbers and timestamps (RFC 3550 5.1: random initial
    /// values), deterministic here so the receiver can check every header it gets back.
    func firstSequence(_ stream: Int) -> UInt16 { UInt16(truncatingIfNeeded: stream &* 7_919 &+ 1) }
    func firstTimestamp(_ stream: Int) -> UInt32 { UInt32(truncatingIfNeeded: stream &* 104_729 &+ 7) }
}

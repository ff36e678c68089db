import Media
import Glibc
import Histogram

/// The generator's sending thread. Packet k of stream s is due at
/// `start + k * 20 ms + s * 20 ms / streams` (an absolute schedule: a late wake-up sends what is
/// due and never shifts later packets). Each packet's payload starts with its CLOCK_REALTIME send
/// time, so the receiver measures the jitter the path added, not the sender's own lateness
/// (reported separately).
final class RTPStreamSender: @unchecked Sendable {
    /// Wake-ups at most this often: at 200k packets/s that is ~50 packets per `sendmmsg`.
    static let quantumNanos: UInt64 = 250_000
    static let batchSize = 32

    let plan: RTPStreamPlan
    private let callerFD: Int32
    private let agentFD: Int32
    private(set) var sent = 0
    private(set) var failed = 0
    private(set) var cpuNanos: UInt64 = 0
    private(set) var elapsedNanos: UInt64 = 0
    private(set) var lateness = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .two)

    init(plan: RTPStreamPlan, callerFD: Int32, agentFD: Int32) {
        self.plan = plan
        self.callerFD = callerFD
        self.agentFD = agentFD
    }

    func run() {
        let cpuStart = BenchClock.threadCPUNanos()
        let streams = plan.streams
        let destinations = (0..<streams).map { BenchUDPSocket.loopback(port: plan.destinationPort($0)) }
        let sequences = (0..<streams).map { plan.firstSequence($0) }
        let timestamps = (0..<streams).map { plan.firstTimestamp($0) }
        // Even streams leave from the callers' socket, odd ones from the agents'.
        let batches = [DatagramBatch(capacity: Self.batchSize, slotSize: 256),
                       DatagramBatch(capacity: Self.batchSize, slotSize: 256)]
        for batch in batches {
            for i in 0..<batch.capacity {
                let p = batch.slot(i)
                p.storeBytes(of: 0x80, toByteOffset: 0, as: UInt8.self)  // V=2, no padding/extension/CSRC
                p.storeBytes(of: 0x00, toByteOffset: 1, as: UInt8.self)  // M=0, PT 0 (PCMU)
                (p + RTPLoadGenerator.headerBytes).initializeMemory(
                    as: UInt8.self, repeating: 0xFF, count: RTPLoadGenerator.payloadBytes)  // µ-law silence
            }
        }
        var pending = [0, 0]
        let fds = [callerFD, agentFD]
        func flush(_ side: Int) {
            guard pending[side] > 0 else { return }
            let out = batches[side].send(pending[side], on: fds[side])
            sent += out
            failed += pending[side] - out
            pending[side] = 0
        }

        let frame = RTPLoadGenerator.frameNanos
        let start = monotonicNanos() + 2_000_000
        func due(_ k: Int, _ s: Int) -> UInt64 {
            start + UInt64(k) * frame + UInt64(s) * frame / UInt64(streams)
        }
        var k = 0
        var s = 0
        BenchClock.sleep(untilMonotonic: start)
        while k < plan.frames {
            let now = monotonicNanos()
            while k < plan.frames {
                let d = due(k, s)
                if d > now { break }
                let side = s & 1
                let i = pending[side]
                let p = batches[side].slot(i)
                p.storeBytes(of: (sequences[s] &+ UInt16(truncatingIfNeeded: k)).bigEndian, toByteOffset: 2, as: UInt16.self)
                p.storeBytes(of: (timestamps[s] &+ UInt32(truncatingIfNeeded: k) &* RTPLoadGenerator.timestampStep).bigEndian,
                             toByteOffset: 4, as: UInt32.self)
                p.storeBytes(of: (plan.ssrcBase &+ UInt32(s)).bigEndian, toByteOffset: 8, as: UInt32.self)
                p.storeBytes(of: BenchClock.realtimeNanos(), toByteOffset: RTPLoadGenerator.headerBytes, as: Int64.self)
                batches[side].prepareSend(i, length: RTPLoadGenerator.packetBytes, to: destinations[s])
                lateness.record(max(1, now - d))
                pending[side] += 1
                if pending[side] == Self.batchSize { flush(side) }
                s += 1
                if s == streams {
                    s = 0
                    k += 1
                }
            }
            flush(0)
            flush(1)
            if k >= plan.frames { break }
            BenchClock.sleep(untilMonotonic: max(due(k, s), now + Self.quantumNanos))
        }
        elapsedNanos = monotonicNanos() - start
        cpuNanos = BenchClock.threadCPUNanos() - cpuStart
    }
}

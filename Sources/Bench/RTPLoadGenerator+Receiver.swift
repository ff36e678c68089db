import Media
import CNIOLinux
import Glibc

/// The generator's receiving thread: drains both phone-side sockets with `recvmmsg`, checks every
/// header against the plan, and keeps per-stream counts and RFC 3550 interarrival jitter.
///
/// Transit time is the kernel's receive stamp (`SO_TIMESTAMPNS`, taken when the relay's send
/// queued the datagram on our socket) minus the send time the sender wrote into the payload, so
/// neither this thread's own wake-up delay nor the sender's lateness counts as the relay's jitter.
final class RTPStreamReceiver: @unchecked Sendable {
    static let batchSize = 64

    let plan: RTPStreamPlan
    private(set) var received: [Int]
    private var lastSequence: [UInt16]
    private var lastTransit: [Int64]
    /// RFC 3550 A.8: J += (|D| - J) / 16, in nanoseconds.
    private var jitter: [Double]
    private(set) var jitterSum: [Double]
    private(set) var jitterMax: [Double]
    private(set) var reordered = 0
    private(set) var stray = 0
    private(set) var malformed = 0
    private(set) var kernelStamps = 0
    private(set) var cpuNanos: UInt64 = 0
    private(set) var firstHeader: RTPHeaderSample?

    init(plan: RTPStreamPlan) {
        self.plan = plan
        let n = plan.streams
        received = Array(repeating: 0, count: n)
        lastSequence = Array(repeating: 0, count: n)
        lastTransit = Array(repeating: 0, count: n)
        jitter = Array(repeating: 0, count: n)
        jitterSum = Array(repeating: 0, count: n)
        jitterMax = Array(repeating: 0, count: n)
    }

    func run(fds: [Int32], stop: BenchFlag) {
        let cpuStart = BenchClock.threadCPUNanos()
        defer { cpuNanos = BenchClock.threadCPUNanos() - cpuStart }
        let epoll = epoll_create1(LinuxABI.epollCloexec)
        guard epoll >= 0 else { return }
        defer { Glibc.close(epoll) }
        for fd in fds {
            var event = epoll_event()
            event.events = LinuxABI.epollIn
            event.data.fd = fd
            _ = epoll_ctl(epoll, LinuxABI.epollCtlAdd, fd, &event)
        }
        let batch = DatagramBatch(capacity: Self.batchSize, receiveTimestamps: true)
        var events = [epoll_event](repeating: epoll_event(), count: 4)
        var stopDeadline: UInt64?
        while true {
            var got = 0
            for fd in fds {
                while true {
                    let n = batch.receive(from: fd)
                    for i in 0..<n { handle(batch, i) }
                    got += n
                    if n < Self.batchSize { break }
                }
            }
            if stop.isRaised {
                // The sender is done and the drain time is over: leave once the sockets are empty,
                // or after one more second whatever still trickles in.
                let deadline = stopDeadline ?? monotonicNanos() + 1_000_000_000
                stopDeadline = deadline
                if got == 0 || monotonicNanos() > deadline { return }
            } else if got == 0 {
                _ = epoll_wait(epoll, &events, Int32(events.count), 5)
            }
        }
    }

    private func handle(_ batch: DatagramBatch, _ i: Int) {
        let p = UnsafeRawPointer(batch.slot(i))
        let length = batch.length(i)
        guard length >= RTPLoadGenerator.headerBytes + 8 else {
            malformed += 1
            return
        }
        let ssrc = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        let s = Int(ssrc &- plan.ssrcBase)
        guard ssrc >= plan.ssrcBase, s < plan.streams else {
            stray += 1
            return
        }
        let header = RTPHeaderSample(bytes: p, length: length)
        let k = header.sequenceNumber &- plan.firstSequence(s)
        guard header.version == 2, header.payloadType == 0, !header.marker,
            header.payloadBytes == RTPLoadGenerator.payloadBytes,
            header.timestamp &- plan.firstTimestamp(s) == UInt32(k) &* RTPLoadGenerator.timestampStep
        else {
            malformed += 1
            return
        }
        if firstHeader == nil { firstHeader = header }
        let stamp = p.loadUnaligned(fromByteOffset: RTPLoadGenerator.headerBytes, as: Int64.self)
        let arrival: Int64
        if let kernel = batch.receiveTimestamp(i) {
            arrival = kernel
            kernelStamps += 1
        } else {
            arrival = BenchClock.realtimeNanos()
        }
        let transit = arrival - stamp
        if received[s] > 0 {
            let d = Double(abs(transit - lastTransit[s]))
            jitter[s] += (d - jitter[s]) / 16
            jitterSum[s] += jitter[s]
            jitterMax[s] = max(jitterMax[s], jitter[s])
            if Int16(bitPattern: header.sequenceNumber &- lastSequence[s]) <= 0 { reordered += 1 }
        }
        lastTransit[s] = transit
        if received[s] == 0 || Int16(bitPattern: header.sequenceNumber &- lastSequence[s]) > 0 {
            lastSequence[s] = header.sequenceNumber
        }
        received[s] += 1
    }
}

/// The fixed RTP header of one packet as received (RFC 3550 5.1).
public struct RTPHeaderSample: Codable, Sendable, Equatable {
    public var version: Int
    public var marker: Bool
    public var payloadType: Int
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    /// Bytes after the 12-byte header (no CSRCs or extension are sent).
    public var payloadBytes: Int

    init(bytes p: UnsafeRawPointer, length: Int) {
        let b0 = p.load(fromByteOffset: 0, as: UInt8.self)
        let b1 = p.load(fromByteOffset: 1, as: UInt8.self)
        version = Int(b0 >> 6)
        marker = b1 & 0x80 != 0
        payloadType = Int(b1 & 0x7F)
        sequenceNumber = UInt16(bigEndian: p.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        timestamp = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        ssrc = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        payloadBytes = length - RTPLoadGenerator.headerBytes
    }
}

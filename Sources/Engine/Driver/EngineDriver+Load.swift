import CallCenter
import Foundation
import Logging
import Media
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Primitives
import SIP

/// The driver's measurements of its own load: the loop's lag and the SIP socket's backlog for
/// overload control, the memory trimmer's cue, and the queues' figures for wallboards.
extension EngineDriver {
    /// Measures how late the loop runs a task due at `due` and reports it with the transactions in
    /// flight, the SIP socket's backlog and the SIP thread's occupancy since the last report (its CPU
    /// time over the wall time between two reports; overload control), every `LoadReport.interval`.
    func probeLoad(due: NIODeadline, since last: (cpu: UInt64, at: NIODeadline)? = nil) {
        loop.scheduleTask(deadline: due) { [self] in
            let now = NIODeadline.now()
            let cpu = ThreadCPUClock.nanos()
            let lag = Duration.nanoseconds(max(0, (now - due).nanoseconds))
            let occupancy = last.map { Double(cpu &- $0.cpu) / Double(max(1, (now - $0.at).nanoseconds)) }
            feed(.load(.init(loopLag: lag, transactions: core.transactionCount, queuedBytes: queuedBytes(), occupancy: occupancy)))
            if let occupancy { metrics.sipBusy.record(occupancy) }
            trimmer.observe(transactions: core.transactionCount, now: self.now)
            guard serving.withLockedValue({ $0 }) else { return }
            probeLoad(due: now + Self.loadInterval, since: (cpu, now))
        }
    }

    /// `LoadReport.interval` as NIO counts time.
    static let loadInterval = TimeAmount.nanoseconds(Int64(OverloadControl.LoadReport.interval.components.attoseconds / 1_000_000_000))

    /// Every second: each queue's figures, when they changed, into the feed (wallboards).
    func publishQueueFigures() {
        loop.preconditionInEventLoop()
        guard serving.withLockedValue({ $0 }) else { return }
        let t = now
        let all = core.queueFigures()
        metrics.sample(all, now: t, relaySessions: relay.activeCalls, relayed: relay.packetsRelayed, connections: streams?.openByTransport ?? [:])
        for figures in all where publishedFigures[figures.queue] != figures {
            publishedFigures[figures.queue] = figures
            feed.publish(OperationsEvent(at: t, .queueFigures(figures)))
        }
        loop.scheduleTask(in: .seconds(1)) { [self] in publishQueueFigures() }
    }

    /// Datagrams one `recvmmsg` reads from the SIP socket.
    static let readVector = 32

    /// Every `readVector` datagrams read from the SIP socket, and when a read batch ends: the bytes
    /// still waiting there, for overload control's queue gate. A batch shorter than one vector
    /// read ended on an empty socket, so only longer ones cost a `getsockopt`; nothing is fed
    /// while the socket stays empty.
    func readProgress(reads: Int, batchEnded: Bool) {
        loop.preconditionInEventLoop()
        if batchEnded, reads >= Self.readVector, reads % Self.readVector == 0 { return }  // just measured
        let bytes = reads >= Self.readVector ? queuedBytes() : 0
        if bytes == 0 { socketEmptyAt = now }  // every datagram read from now on arrived after this
        guard bytes > 0 || lastBacklog > 0 else { return }
        lastBacklog = bytes
        feed(.socketBacklog(bytes: bytes, emptyAt: socketEmptyAt))
    }

    /// Bytes waiting in the SIP socket's receive buffer: `SO_MEMINFO`'s `SK_MEMINFO_RMEM_ALLOC`
    /// (Linux 4.12+); 0 when it cannot be read.
    func queuedBytes() -> Int {
        typealias MemInfo = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
        guard let provider = channel as? any SocketOptionProvider else { return 0 }
        let soMeminfo = SocketOptionName(55)  // SO_MEMINFO
        let future: EventLoopFuture<MemInfo> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: soMeminfo)
        // Complete already (getsockopt on the channel's own loop): the callback runs inline.
        let queued = NIOLockedValueBox(0)
        future.whenSuccess { info in queued.withLockedValue { $0 = Int(info.0) } }
        return queued.withLockedValue { $0 }
    }
}

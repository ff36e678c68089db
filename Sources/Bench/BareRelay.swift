import Media
import CNIOLinux
import Glibc

/// The RTP bench's bare reference: the plainest relay, one thread, `epoll_wait` then
/// `recvmmsg`/`sendmmsg` (16 at a time, as `RTPRelay` reads) from each ready leg straight out of
/// its partner leg to a fixed peer. No latching, no per-call state beyond two socket pairs, no
/// allocation per packet: what any relay must pay in system calls on this kernel.
public final class BareRelay: @unchecked Sendable {
    static let batchSize = 16

    /// Where caller legs forward to (the agents' side) and agent legs to (the callers' side) is
    /// fixed per relay: one generator's two phone sockets.
    private let peers: [sockaddr_in]
    private var fds: [Int32] = []
    public private(set) var calls: [RTPCallPorts] = []
    /// Packets forwarded by all runs so far.
    public private(set) var packetsRelayed = 0
    /// CPU of the relay thread over all runs so far.
    public private(set) var cpuSeconds = 0.0

    /// `callerPeerPort`: where the callers receive (agent legs send there); `agentPeerPort`: where
    /// the agents receive. Both on 127.0.0.1.
    public init(callerPeerPort: Int, agentPeerPort: Int) {
        peers = [BenchUDPSocket.loopback(port: agentPeerPort), BenchUDPSocket.loopback(port: callerPeerPort)]
    }

    deinit { close() }

    /// Binds both legs of one more call (not while `run` is going).
    public func addCall(_ ports: RTPCallPorts) throws(RTPBenchError) {
        let caller = try BenchUDPSocket.bind(port: ports.callerPort, receiveBuffer: 1 << 20)
        do {
            let agent = try BenchUDPSocket.bind(port: ports.agentPort, receiveBuffer: 1 << 20)
            fds += [caller.fd, agent.fd]
            calls.append(ports)
        } catch {
            Glibc.close(caller.fd)
            throw error
        }
    }

    public func close() {
        for fd in fds { Glibc.close(fd) }
        fds = []
        calls = []
    }

    /// Relays on a thread of its own until `stop` is raised or `maxSeconds` have passed; returns at
    /// once. Join the thread before adding calls or reading the counters.
    func start(maxSeconds: Double, stop: BenchFlag) -> BenchThread {
        let deadline = monotonicNanos() + UInt64(max(0, maxSeconds) * 1e9)
        return BenchThread(name: "bare-relay") { [self] in run(until: deadline, stop: stop) }
    }

    private func run(until deadline: UInt64, stop: BenchFlag) {
        let cpuStart = BenchClock.threadCPUNanos()
        defer { cpuSeconds += Double(BenchClock.threadCPUNanos() - cpuStart) / 1e9 }
        let epoll = epoll_create1(LinuxABI.epollCloexec)
        guard epoll >= 0 else { return }
        defer { Glibc.close(epoll) }
        for (leg, fd) in fds.enumerated() {
            var event = epoll_event()
            event.events = LinuxABI.epollIn
            event.data.u64 = UInt64(leg)
            _ = epoll_ctl(epoll, LinuxABI.epollCtlAdd, fd, &event)
        }
        let batch = DatagramBatch(capacity: Self.batchSize)
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        var relayed = 0
        defer { packetsRelayed += relayed }
        var rounds = 0
        while monotonicNanos() < deadline {
            let ready = Int(epoll_wait(epoll, &events, Int32(events.count), 5))
            rounds += 1
            if (ready <= 0 || rounds & 127 == 0), stop.isRaised { break }
            for e in 0..<max(0, ready) {
                // Legs come in pairs: 2c is call c's caller leg, 2c + 1 its agent leg.
                let leg = Int(events[e].data.u64)
                let out = fds[leg ^ 1]
                let peer = peers[leg & 1]
                while true {
                    let n = batch.receive(from: fds[leg])
                    if n == 0 { break }
                    for i in 0..<n { batch.prepareSend(i, length: batch.length(i), to: peer) }
                    relayed += batch.send(n, on: out)
                    if n < Self.batchSize { break }
                }
            }
        }
    }
}

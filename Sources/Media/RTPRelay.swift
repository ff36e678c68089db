import CNIOLinux
import Dispatch
import Glibc
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The engine's RTP relay: two UDP ports per call (caller side, agent side), each with its RTCP
/// port above it (RFC 3550 §11); what arrives on one goes out of the other to that side's peer,
/// RTP to RTP and RTCP to RTCP. Symmetric RTP (RFC 4961, common NAT practice): a leg's peer is
/// where its packets actually come from once any arrived, the address from the SDP (RTCP: the
/// port above) before that. With rtcp-mux (RFC 5761) on both sides, RTCP rides the RTP ports and
/// is relayed as it comes. The RTCP passing through is read (`RTCPPacket`) for each leg's
/// reported loss, jitter and round trip (`LegQuality`), handed over when the call is deleted.
///
/// The data path is the plainest loop there is, the one production relays use: worker threads,
/// each with its own epoll set, `recvmmsg` from a ready socket and `sendmmsg` out of its partner,
/// no allocation and no lock per packet. Both legs of a call live on one worker, which alone
/// touches them. Control (open, peer, delete) comes from the SIP loop as commands on a small queue
/// and an eventfd, so the SIP loop never waits for the data path and vice versa.
public final class RTPRelay: @unchecked Sendable {
    public enum Leg: Int, Sendable { case caller = 0, agent = 1 }

    public struct OpenError: Error, CustomStringConvertible {
        public var description: String
    }

    private let group: any EventLoopGroup
    private let host: String
    private let address: in_addr?
    private let logger: Logger
    private let workers: [RelayWorker]
    /// Call -> (worker, bridge id), for routing control commands.
    private let calls = NIOLockedValueBox<[String: (worker: Int, id: Int)]>([:])
    private let nextID = NIOLockedValueBox(0)
    /// Sockets bound ahead for the next call's ports (`prepare`), taken by `open`.
    private let spare = NIOLockedValueBox<(ports: (Int, Int), fds: [Int32])?>(nil)

    /// - Parameters:
    ///   - group: only used to hand back futures (the relay's own threads do the work).
    ///   - threads: relay worker threads (each call is on one).
    ///   - threadSetup: run first on each worker thread (e.g. to set its scheduling priority).
    public init(group: any EventLoopGroup, host: String, threads: Int = 1, logger: Logger,
                threadSetup: (@Sendable () -> Void)? = nil) {
        self.group = group
        self.host = host
        self.logger = logger
        var a = in_addr()
        self.address = inet_pton(AF_INET, host, &a) == 1 ? a : nil
        self.workers = (0..<max(1, threads)).map { RelayWorker(index: $0, setup: threadSetup) }
        for w in workers { w.start() }
    }

    deinit { shutdown() }

    /// Stops the worker threads and closes every socket (idempotent).
    public func shutdown() {
        for w in workers { w.stop() }
        if let s = spare.withLockedValue({ s in defer { s = nil }; return s }) {
            for fd in s.fds { Glibc.close(fd) }
        }
    }

    /// Binds the sockets of the next call's ports ahead of it, off the INVITE's path: `open` with
    /// the same ports takes them (six syscalls fewer between a customer's INVITE and the agent's).
    /// Returns why a port cannot be bound (held by another process): the caller skips that pair.
    @discardableResult
    public func prepare(callerPort: Int, agentPort: Int) -> OpenError? {
        guard let address else { return nil }  // `open` reports the bad media address per call
        if let s = spare.withLockedValue({ $0 }), s.ports == (callerPort, agentPort) { return nil }
        let fds: [Int32]
        do {
            fds = try Self.bindCall(address, callerPort: callerPort, agentPort: agentPort)
        } catch {
            return error as? OpenError
        }
        let old = spare.withLockedValue { s in defer { s = ((callerPort, agentPort), fds) }; return s }
        if let old {
            for fd in old.fds { Glibc.close(fd) }
        }
        return nil
    }

    /// Binds both legs of a call on the given local ports. The sockets are bound here (two
    /// `socket`+`bind`, no name resolution), so a taken port fails this call's future at once.
    public func open(call: String, callerPort: Int, agentPort: Int, wake: Bool = true) -> EventLoopFuture<Void> {
        let loop = group.next()
        guard let address else {
            return loop.makeFailedFuture(OpenError(description: "media address \(host) is not an IPv4 address"))
        }
        let fds: [Int32]
        do {
            fds = try sockets(address, callerPort: callerPort, agentPort: agentPort)
        } catch {
            return loop.makeFailedFuture(error)
        }
        let id = nextID.withLockedValue { $0 += 1; return $0 }
        let worker = id % workers.count
        // Opening a call again replaces its bridge (the old sockets are closed, not leaked).
        if let old = calls.withLockedValue({ $0.updateValue((worker, id), forKey: call) }) {
            workers[old.worker].send(.remove(id: old.id, closed: nil), wake: wake)
        }
        workers[worker].send(.add(id: id, fds: fds), wake: wake)
        return loop.makeSucceededFuture(())
    }

    /// The prepared sockets for these ports, or four bound now.
    private func sockets(_ address: in_addr, callerPort: Int, agentPort: Int) throws -> [Int32] {
        let ready = spare.withLockedValue { s -> [Int32]? in
            guard let p = s, p.ports == (callerPort, agentPort) else { return nil }
            s = nil
            return p.fds
        }
        if let ready { return ready }
        return try Self.bindCall(address, callerPort: callerPort, agentPort: agentPort)
    }

    /// A call's four sockets, in the bridge's order: caller RTP, agent RTP, caller RTCP, agent
    /// RTCP (the port above each). All or none: a port that cannot be bound closes the others.
    static func bindCall(_ address: in_addr, callerPort: Int, agentPort: Int) throws -> [Int32] {
        var fds: [Int32] = []
        do {
            for port in [callerPort, agentPort, callerPort + 1, agentPort + 1] { fds.append(try bind(address, port: port)) }
        } catch {
            for fd in fds { Glibc.close(fd) }
            throw error
        }
        return fds
    }

    /// Where a leg's peer receives RTP (from its SDP).
    public func setPeer(call: String, leg: Leg, host: String, port: Int, wake: Bool = true) {
        guard let (worker, id) = calls.withLockedValue({ $0[call] }) else { return }
        var a = in_addr()
        guard inet_pton(AF_INET, host, &a) == 1 else {
            logger.warning("RTP peer \(host) is not an IPv4 address; the \(leg) side of \(call) waits for its first packet")
            return
        }
        var peer = sockaddr_in()
        peer.sin_family = sa_family_t(AF_INET)
        peer.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        peer.sin_addr = a
        workers[worker].send(.peer(id: id, leg: leg.rawValue, address: peer), wake: wake)
    }

    /// Payload types to rewrite on RTP going from the caller to the agent (and the inverse the
    /// other way): a dynamic type (telephone-event) each side numbered differently in SDP. Empty:
    /// packets pass unchanged.
    public func setPayloadMap(call: String, callerToAgent map: [Int: Int], wake: Bool = true) {
        guard let (worker, id) = calls.withLockedValue({ $0[call] }) else { return }
        workers[worker].send(.payloadMap(id: id, callerToAgent: map), wake: wake)
    }

    /// Wakes the relay threads that have commands sent with `wake: false`. The engine opens a
    /// call's ports (bound at once) without waking, sends the INVITE that names them, then wakes:
    /// a relay thread woken earlier could take the CPU from the SIP loop before that INVITE left
    /// (on 2 cores it often did). RTP arriving meanwhile waits in the bound socket.
    public func wakeDeferred() {
        for w in workers { w.wakeIfDeferred() }
    }

    /// What the phones of a call reported in RTCP, per leg.
    public struct CallQuality: Equatable, Sendable {
        public var caller = LegQuality()
        public var agent = LegQuality()
        public init() {}
    }

    /// Removes a call; `closed` runs once its sockets are closed (on the relay thread, or here
    /// when the call holds none), so its ports can be handed out again without a bind failing,
    /// with what its phones reported in RTCP.
    public func delete(call: String, closed: (@Sendable (CallQuality) -> Void)? = nil) {
        guard let (worker, id) = calls.withLockedValue({ $0.removeValue(forKey: call) }) else {
            closed?(CallQuality())
            return
        }
        workers[worker].send(.remove(id: id, closed: closed))
    }

    /// Returns once every worker has applied the commands sent before (opens, peers, deletes).
    public func settle() {
        for w in workers {
            let done = DispatchSemaphore(value: 0)
            w.send(.barrier(done))
            _ = done.wait(timeout: .now() + 5)
        }
    }

    public var activeCalls: Int { calls.withLockedValue { $0.count } }
    public var packetsRelayed: Int { workers.reduce(0) { $0 + $1.relayed } }

    static func bind(_ address: in_addr, port: Int) throws -> Int32 {
        let fd = socket(AF_INET, LinuxABI.sockDgram | LinuxABI.sockNonblock | LinuxABI.sockCloexec, 0)
        guard fd >= 0 else { throw OpenError(description: "socket: \(String(cString: strerror(errno)))") }
        var size: Int32 = 1 << 20
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        sa.sin_addr = address
        let rc = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            Glibc.close(fd)
            throw OpenError(description: PortHolder.bindFailure("a relay socket", host: String(cString: inet_ntoa(address)), port: port, errno: e, lookUp: false))
        }
        return fd
    }
}

/// One relay thread: its epoll set, its calls, its command queue. Only `send`, `stop` and
/// `relayed` are called from other threads.
final class RelayWorker: @unchecked Sendable {
    enum Command {
        case add(id: Int, fds: [Int32])
        case peer(id: Int, leg: Int, address: sockaddr_in)
        case payloadMap(id: Int, callerToAgent: [Int: Int])
        case remove(id: Int, closed: (@Sendable (RTPRelay.CallQuality) -> Void)?)
        /// Signalled once every command before it has been applied.
        case barrier(DispatchSemaphore)
        case stop
    }

    /// One call's two legs, each an RTP and an RTCP socket: index caller RTP 0, agent RTP 1,
    /// caller RTCP 2, agent RTCP 3 (so the partner of index i is i ^ 1, its side i & 1). Only
    /// touched by the worker thread.
    final class Bridge {
        let fds: [Int32]
        var declared: [sockaddr_in?] = [nil, nil, nil, nil]
        var latched: [sockaddr_in?] = [nil, nil, nil, nil]
        var quality = RTPRelay.CallQuality()
        /// Per RTP socket (0: from the caller, 1: from the agent), the payload type each type
        /// becomes on the way out (128 entries); nil: no rewriting (the usual case).
        var rewrite: [[UInt8]]?
        init(fds: [Int32]) { self.fds = fds }
        func peer(_ index: Int) -> sockaddr_in? { latched[index] ?? declared[index] }
    }

    static let batchSize = 16
    private let index: Int
    private let epoll: Int32
    private let wake: Int32
    /// Pending commands, whether the worker has been told to stop (one lock for both, so no
    /// command slips in after the stop), and whether commands wait for a deferred wake-up.
    private let commands = NIOLockedValueBox<(queue: [Command], stopped: Bool, unwoken: Bool)>(([], false, false))
    private let relayedBox = NIOLockedValueBox(0)
    private var thread: pthread_t?
    private var bridges: [Int: Bridge] = [:]
    private let setup: (@Sendable () -> Void)?

    init(index: Int, setup: (@Sendable () -> Void)? = nil) {
        self.index = index
        self.setup = setup
        epoll = epoll_create1(LinuxABI.epollCloexec)
        wake = eventfd(0, LinuxABI.efdNonblock | LinuxABI.efdCloexec)
        var event = epoll_event()
        event.events = LinuxABI.epollIn
        event.data.u64 = UInt64.max
        _ = epoll_ctl(epoll, LinuxABI.epollCtlAdd, wake, &event)
    }

    var relayed: Int { relayedBox.withLockedValue { $0 } }

    func start() {
        let box = Unmanaged.passRetained(self)
        var t = pthread_t()
        let rc = pthread_create(&t, nil, { arg in
            let worker = Unmanaged<RelayWorker>.fromOpaque(arg!).takeRetainedValue()
            worker.run()
            return nil
        }, box.toOpaque())
        if rc == 0 { thread = t } else { box.release() }
    }

    /// Queues a command; after `stop` an `.add` has its sockets closed, a barrier is signalled,
    /// the rest is dropped. With `wake: false` the thread is woken by the next `wakeIfDeferred()`.
    func send(_ command: Command, wake: Bool = true) {
        // The eventfd is written under the lock, so never after `stop` (which closes it).
        let accepted = commands.withLockedValue { state -> Bool in
            guard !state.stopped else { return false }
            state.queue.append(command)
            if wake { signal() } else { state.unwoken = true }
            return true
        }
        guard accepted else {
            if case .add(_, let fds) = command { for fd in fds { close(fd) } }
            if case .barrier(let done) = command { done.signal() }
            if case .remove(_, let closed) = command { closed?(RTPRelay.CallQuality()) }  // stop() closed (or closes) everything
            return
        }
    }

    func wakeIfDeferred() {
        commands.withLockedValue { state in
            guard state.unwoken, !state.stopped else { return }
            state.unwoken = false
            signal()
        }
    }

    private func signal() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    /// Stops the thread, waits for it, closes everything (idempotent).
    func stop() {
        let first = commands.withLockedValue { state -> Bool in
            guard !state.stopped else { return false }
            state.stopped = true
            state.queue.append(.stop)
            signal()
            return true
        }
        guard first else { return }
        if let thread { pthread_join(thread, nil) }
        close(epoll)
        close(wake)
    }

    private func run() {
        guard epoll >= 0, wake >= 0 else { return }  // no epoll/eventfd: no relay thread (opens still bind)
        _ = CNIOLinux_pthread_setname_np(pthread_self(), "rtp-relay-\(index)")  // as `top -H` and /proc show it
        setup?()
        let batch = DatagramBatch(capacity: Self.batchSize)
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        var running = true
        while running {
            let ready = Int(epoll_wait(epoll, &events, Int32(events.count), 1000))
            var relayed = 0
            for e in 0..<max(0, ready) {
                let key = events[e].data.u64
                if key == UInt64.max {
                    var drained: UInt64 = 0
                    _ = read(wake, &drained, 8)
                    running = apply(commands.withLockedValue { let c = $0.queue; $0.queue = []; return c })
                    continue
                }
                // Key: bridge id * 4 + socket index.
                guard let bridge = bridges[Int(key >> 2)] else { continue }
                relayed += forward(bridge, index: Int(key & 3), batch: batch)
            }
            if relayed > 0 { relayedBox.withLockedValue { $0 += relayed } }
        }
        for (_, b) in bridges { for fd in b.fds { close(fd) } }
        bridges = [:]
    }

    /// Everything queued on one socket goes out of its partner (the other side's RTP or RTCP
    /// socket) to that side's peer; the senders' address is latched as this socket's peer
    /// (symmetric RTP). Packets for a side with no peer yet are dropped. RTCP (on the RTCP
    /// sockets, or multiplexed on the RTP ones) is read on the way for the legs' quality.
    private func forward(_ bridge: Bridge, index: Int, batch: DatagramBatch) -> Int {
        let other = index ^ 1
        var sent = 0
        while true {
            let n = batch.receive(from: bridge.fds[index])
            if n == 0 { break }
            let source = batch.source(n - 1)
            if !Self.same(bridge.latched[index], source) { bridge.latched[index] = source }
            for i in 0..<n {
                let bytes = UnsafeRawBufferPointer(start: batch.slot(i), count: batch.length(i))
                if index >= 2 || RTCPPacket.looksLikeRTCP(bytes) {
                    observe(bytes, from: index & 1, in: bridge)
                } else if let table = bridge.rewrite?[index], bytes.count >= 12 {
                    // RTP: the marker bit stays, the payload type is the other side's number.
                    let b = batch.slot(i).assumingMemoryBound(to: UInt8.self)
                    b[1] = (b[1] & 0x80) | table[Int(b[1] & 0x7F)]
                }
            }
            if let to = bridge.peer(other) {
                for i in 0..<n { batch.prepareSend(i, length: batch.length(i), to: to) }
                sent += batch.send(n, on: bridge.fds[other])
            }
            if n < Self.batchSize { break }
        }
        return sent
    }

    /// RTCP from side `side`'s phone: its report blocks are its leg's figures; its sender report,
    /// forwarded to the other side, is what that side's reports will answer (round trip).
    private func observe(_ bytes: UnsafeRawBufferPointer, from side: Int, in bridge: Bridge) {
        guard let packet = RTCPPacket(bytes) else { return }
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let now = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        if let ntp = packet.senderReportNTP {
            if side == 0 { bridge.quality.agent.forwardedSenderReport(ntp: ntp, at: now) } else { bridge.quality.caller.forwardedSenderReport(ntp: ntp, at: now) }
        }
        if let block = packet.blocks.first {
            if side == 0 { bridge.quality.caller.received(block, at: now) } else { bridge.quality.agent.received(block, at: now) }
        }
    }

    static func same(_ a: sockaddr_in?, _ b: sockaddr_in) -> Bool {
        guard let a else { return false }
        return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr
    }

    /// Applies control commands; false once told to stop.
    private func apply(_ list: [Command]) -> Bool {
        for c in list {
            switch c {
            case .add(let id, let fds):
                let bridge = Bridge(fds: fds)
                bridges[id] = bridge
                for (leg, fd) in bridge.fds.enumerated() {
                    var event = epoll_event()
                    event.events = LinuxABI.epollIn
                    event.data.u64 = UInt64(id) << 2 | UInt64(leg)
                    _ = epoll_ctl(epoll, LinuxABI.epollCtlAdd, fd, &event)
                }
            case .peer(let id, let leg, let address):
                // A new peer from SDP (another device answered, a re-INVITE): latch afresh. Its
                // RTCP goes to the port above until its own RTCP shows where it is (RFC 3550 §11).
                var rtcp = address
                rtcp.sin_port = (UInt16(bigEndian: address.sin_port) &+ 1).bigEndian
                bridges[id]?.declared[leg] = address
                bridges[id]?.declared[leg + 2] = rtcp
                bridges[id]?.latched[leg] = nil
                bridges[id]?.latched[leg + 2] = nil
            case .payloadMap(let id, let map):
                guard let bridge = bridges[id] else { break }
                if map.isEmpty {
                    bridge.rewrite = nil
                } else {
                    var toAgent = (0..<128).map { UInt8($0) }, toCaller = toAgent
                    for (c, a) in map where (0..<128).contains(c) && (0..<128).contains(a) {
                        toAgent[c] = UInt8(a)
                        toCaller[a] = UInt8(c)
                    }
                    bridge.rewrite = [toAgent, toCaller]
                }
            case .remove(let id, let closed):
                var quality = RTPRelay.CallQuality()
                if let bridge = bridges.removeValue(forKey: id) {
                    for fd in bridge.fds {
                        _ = epoll_ctl(epoll, LinuxABI.epollCtlDel, fd, nil)
                        close(fd)
                    }
                    quality = bridge.quality
                }
                closed?(quality)
            case .barrier(let done):
                done.signal()
            case .stop:
                // Nothing can be queued after the stop (see `send`).
                return false
            }
        }
        return true
    }
}

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

    /// What to play on a leg (`play`).
    public enum Playback: Sendable {
        /// Loop this clip under any announcement (nil: no music, silence between announcements).
        case music(AudioClip?)
        /// Play these clips once, in order, after announcements already asked for, pausing the
        /// music; `finished` runs on the relay thread once the last frame has gone out (or the leg
        /// stops or goes away first).
        case announce([AudioClip], finished: (@Sendable () -> Void)?)
    }

    /// Plays to a leg's phone from the relay, in 20 ms frames of `law` numbered `payloadType`
    /// (the leg's agreed codec): the phone hears one continuous RTP stream, and what the other
    /// side sends is not relayed to this leg while anything plays (`stopPlaying` lets it through,
    /// on the same stream: see `OutboundStream`).
    public func play(call: String, leg: Leg, _ playback: Playback, law: G711.Law, payloadType: Int, wake: Bool = true) {
        guard let (worker, id) = calls.withLockedValue({ $0[call] }) else {
            if case .announce(_, let finished) = playback { finished?() }
            return
        }
        workers[worker].send(.play(id: id, leg: leg.rawValue, playback, law: law, payloadType: UInt8(truncatingIfNeeded: payloadType)), wake: wake)
    }

    /// Stops what a leg plays (music and announcements, whose `finished` then run): the other
    /// side's audio reaches it again, renumbered onto the stream it was hearing.
    public func stopPlaying(call: String, leg: Leg, wake: Bool = true) {
        guard let (worker, id) = calls.withLockedValue({ $0[call] }) else { return }
        workers[worker].send(.stopPlaying(id: id, leg: leg.rawValue), wake: wake)
    }

    /// Reports the RFC 4733 digits (telephone-event packets numbered `payloadType`) a leg's phone
    /// sends: `digit` runs on the relay thread once per key press (all its packets share one
    /// timestamp), at its first packet, with `0`-`9`, `*`, `#`, `A`-`D`. The packets are still
    /// relayed as before.
    public func detectDigits(call: String, leg: Leg, payloadType: Int, wake: Bool = true, digit: @escaping @Sendable (Character) -> Void) {
        guard let (worker, id) = calls.withLockedValue({ $0[call] }) else { return }
        workers[worker].send(.detectDigits(id: id, leg: leg.rawValue, payloadType: UInt8(truncatingIfNeeded: payloadType), digit), wake: wake)
    }

    /// Records both directions of the call from now (see `CallRecorder`) until `stopRecording` or
    /// the call's deletion; `finished` then runs on the relay thread with what was recorded (an
    /// empty recording when the call is unknown).
    public func startRecording(call: String, maxSeconds: Double, wake: Bool = true, finished: @escaping @Sendable (CallRecording) -> Void) {
        guard let (worker, id) = calls.withLockedValue({ $0[call] }) else {
            finished(CallRecording(caller: [], agent: []))
            return
        }
        workers[worker].send(.record(id: id, maxSeconds: maxSeconds, finished: finished), wake: wake)
    }

    /// Pauses or resumes a call's recording (nothing is kept while paused: silence in the file).
    public func pauseRecording(call: String, _ paused: Bool, wake: Bool = true) {
        guard let (worker, id) = calls.withLockedValue({ $0[call] }) else { return }
        workers[worker].send(.pauseRecording(id: id, paused), wake: wake)
    }

    /// Ends a call's recording now (its `finished` runs).
    public func stopRecording(call: String, wake: Bool = true) {
        guard let (worker, id) = calls.withLockedValue({ $0[call] }) else { return }
        workers[worker].send(.stopRecording(id: id), wake: wake)
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
    /// Frames the relay played (prompts, music), and timer ticks that came more than one frame
    /// late (the thread was busy: those legs got their frames in a burst, none lost).
    public var framesPlayed: Int { workers.reduce(0) { $0 + $1.played.frames } }
    public var lateTicks: Int { workers.reduce(0) { $0 + $1.played.late } }

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
        case play(id: Int, leg: Int, RTPRelay.Playback, law: G711.Law, payloadType: UInt8)
        case stopPlaying(id: Int, leg: Int)
        case record(id: Int, maxSeconds: Double, finished: @Sendable (CallRecording) -> Void)
        case detectDigits(id: Int, leg: Int, payloadType: UInt8, @Sendable (Character) -> Void)
        case pauseRecording(id: Int, Bool)
        case stopRecording(id: Int)
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
        /// Per RTP side: what the relay plays to it, and the stream that side hears once the
        /// relay has played to it (nil for a plain bridge: packets pass untouched).
        var players: [LegPlayer?] = [nil, nil]
        var outbound: [OutboundStream?] = [nil, nil]
        /// The bridge is in the worker's list of bridges with a player.
        var inPlaying = false
        /// Deleted: dropped from that list at the next tick.
        var removed = false
        /// Per RTP side: the telephone-event payload type read for digits, who hears them, and the
        /// timestamp of the last key press reported.
        var digits: [(payloadType: UInt8, report: @Sendable (Character) -> Void, last: UInt32?)?] = [nil, nil]
        /// Both directions being recorded, and who gets the recording.
        var recorder: (CallRecorder, @Sendable (CallRecording) -> Void)?
        func finishRecording() {
            guard let (recorder, finished) = recorder else { return }
            self.recorder = nil
            finished(recorder.finish())
        }
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
    private let playedBox = NIOLockedValueBox((frames: 0, late: 0))
    /// The 20 ms frame clock (a periodic timerfd, armed while anything plays) and the bridges
    /// with a player, in a stable order (each stream's frame leaves at the same point of every
    /// tick: their pacing is the timer's, whatever the number of players).
    private let frameTimer: Int32
    private var timerArmed = false
    private var playing: [Bridge] = []
    private let frame = UnsafeMutablePointer<UInt8>.allocate(capacity: 12 + LegPlayer.frameSamples)
    private var ssrcState: UInt64
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
        frameTimer = timerfd_create(CLOCK_MONOTONIC, LinuxABI.tfdNonblock | LinuxABI.tfdCloexec)
        var timerEvent = epoll_event()
        timerEvent.events = LinuxABI.epollIn
        timerEvent.data.u64 = UInt64.max - 1
        _ = epoll_ctl(epoll, LinuxABI.epollCtlAdd, frameTimer, &timerEvent)
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        ssrcState = UInt64(ts.tv_nsec) ^ UInt64(ts.tv_sec) << 20 ^ UInt64(index) << 56
    }

    deinit { frame.deallocate() }

    var relayed: Int { relayedBox.withLockedValue { $0 } }
    var played: (frames: Int, late: Int) { playedBox.withLockedValue { $0 } }

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
            if case .record(_, _, let finished) = command { finished(CallRecording(caller: [], agent: [])) }
            if case .play(_, _, .announce(_, let finished), _, _) = command { finished?() }
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
        close(frameTimer)
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
                if key == UInt64.max - 1 {
                    var ticks: UInt64 = 0
                    if read(frameTimer, &ticks, 8) == 8, ticks > 0 { tick(Int(ticks)) }
                    continue
                }
                // Key: bridge id * 4 + socket index.
                guard let bridge = bridges[Int(key >> 2)] else { continue }
                relayed += forward(bridge, index: Int(key & 3), batch: batch)
            }
            if relayed > 0 { relayedBox.withLockedValue { $0 += relayed } }
        }
        for (_, b) in bridges {
            for fd in b.fds { close(fd) }
            b.finishRecording()
            for i in 0..<2 { b.players[i]?.drain().forEach { $0() } }
        }
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
            if index < 2, bridge.digits[index] != nil {
                for i in 0..<n { readDigit(UnsafeRawBufferPointer(start: batch.slot(i), count: batch.length(i)), side: index, bridge) }
            }
            if index < 2, let (recorder, _) = bridge.recorder {
                let now = Self.monotonicNow()
                for i in 0..<n { recorder.add(side: index, UnsafeRawBufferPointer(start: batch.slot(i), count: batch.length(i)), at: now) }
            }
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
            if index < 2, bridge.outbound[other] != nil {
                sent += forwardToPlayedLeg(bridge, from: index, batch: batch, count: n)
            } else if let to = bridge.peer(other) {
                for i in 0..<n { batch.prepareSend(i, length: batch.length(i), to: to) }
                sent += batch.send(n, on: bridge.fds[other])
            }
            if n < Self.batchSize { break }
        }
        return sent
    }

    /// RTP to a side the relay has played to: dropped while it still plays (the prompt or music
    /// has the leg), else renumbered onto the stream that side hears. RTCP multiplexed on the
    /// RTP socket passes as it is.
    private func forwardToPlayedLeg(_ bridge: Bridge, from index: Int, batch: DatagramBatch, count n: Int) -> Int {
        let other = index ^ 1
        guard let to = bridge.peer(other) else { return 0 }
        let now = Self.monotonicNow()
        var kept = 0
        for i in 0..<n {
            let bytes = UnsafeRawBufferPointer(start: batch.slot(i), count: batch.length(i))
            if RTCPPacket.looksLikeRTCP(bytes) {
                kept += Self.sendOne(bridge.fds[other], batch.slot(i), batch.length(i), to: to)
            } else if bridge.players[other] == nil {
                bridge.outbound[other]?.renumber(batch.slot(i).assumingMemoryBound(to: UInt8.self), length: batch.length(i), now: now)
                kept += Self.sendOne(bridge.fds[other], batch.slot(i), batch.length(i), to: to)
            }
        }
        return kept
    }

    static func sendOne(_ fd: Int32, _ bytes: UnsafeRawPointer, _ length: Int, to address: sockaddr_in) -> Int {
        var a = address
        let rc = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes, length, LinuxABI.msgDontWait, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc >= 0 ? 1 : 0
    }

    static func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// One frame clock tick (`ticks` > 1: the thread was late by that many frames): every
    /// playing leg sends its next frames (at most 3 at once; beyond that the timeline jumps
    /// rather than flood the phone). Announcements that ended report after all are sent.
    private func tick(_ ticks: Int) {
        let now = Self.monotonicNow()
        let frames = min(ticks, 3)
        var finished: [@Sendable () -> Void] = []
        var sent = 0
        var i = 0
        while i < playing.count {
            let bridge = playing[i]
            // Players and streams are mutated in place (no copy of their state per frame).
            for leg in 0..<2 where !bridge.removed && bridge.players[leg] != nil {
                let to = bridge.peer(leg)
                for f in 0..<frames {
                    guard let pt = bridge.players[leg]?.payloadType else { break }
                    bridge.outbound[leg]?.writeHeader(into: frame, payloadType: pt, now: now + Double(f - frames + 1) * 0.02, marker: false)
                    if let done = bridge.players[leg]?.nextFrame(into: frame + 12), !done.isEmpty { finished += done }
                    if let to { sent += Self.sendOne(bridge.fds[leg], frame, 12 + LegPlayer.frameSamples, to: to) }
                }
                if bridge.players[leg]?.isIdle == true { bridge.players[leg] = nil }
            }
            if bridge.removed || (bridge.players[0] == nil && bridge.players[1] == nil) {
                bridge.inPlaying = false
                playing.swapAt(i, playing.count - 1)  // order changes for one stream only
                playing.removeLast()
            } else {
                i += 1
            }
        }
        playedBox.withLockedValue { $0.frames += sent; if ticks > 1 { $0.late += 1 } }
        if playing.isEmpty { armFrameTimer(false) }
        finished.forEach { $0() }
    }

    private func armFrameTimer(_ on: Bool) {
        guard on != timerArmed else { return }
        timerArmed = on
        // 20 ms from now, then every 20 ms (the kernel keeps the period: no drift).
        var spec = itimerspec()
        if on {
            spec.it_value = timespec(tv_sec: 0, tv_nsec: 20_000_000)
            spec.it_interval = timespec(tv_sec: 0, tv_nsec: 20_000_000)
        }
        _ = timerfd_settime(frameTimer, 0, &spec, nil)
    }

    /// A fresh SSRC (RFC 3550 §8: random; splitmix64 over a per-thread seed).
    private func nextSSRC() -> UInt32 {
        ssrcState &+= 0x9E37_79B9_7F4A_7C15
        var z = ssrcState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt32(truncatingIfNeeded: z ^ (z >> 31))
    }

    private func play(_ bridge: Bridge, id: Int, leg: Int, _ playback: RTPRelay.Playback, law: G711.Law, payloadType: UInt8) {
        if bridge.outbound[leg] == nil {
            let r = nextSSRC()
            bridge.outbound[leg] = OutboundStream(ssrc: r, sequence: UInt16(truncatingIfNeeded: r >> 7), timestamp: r &* 2654435761)
        }
        var player = bridge.players[leg] ?? LegPlayer(law: law, payloadType: payloadType)
        switch playback {
        case .music(let clip): player.setMusic(clip)
        case .announce(let clips, let finished): player.announce(clips, finished: finished)
        }
        if player.isIdle {
            bridge.players[leg] = nil
            return
        }
        bridge.players[leg] = player
        if !bridge.inPlaying {
            bridge.inPlaying = true
            playing.append(bridge)
        }
        armFrameTimer(true)
    }

    /// RFC 4733 §2.3: an event packet is 4 bytes after the RTP header: event, E|R|volume,
    /// duration; every packet of one key press has the press's RTP timestamp. The press counts at
    /// its first packet that arrives (a phone that holds the key, as baresip does until the key
    /// is released, may send no end packet for seconds), once.
    private func readDigit(_ p: UnsafeRawBufferPointer, side: Int, _ bridge: Bridge) {
        guard let d = bridge.digits[side], p.count >= 16, p[0] >> 6 == 2, p[1] & 0x7F == d.payloadType else { return }
        let start = 12 + Int(p[0] & 0x0F) * 4
        guard p.count >= start + 4 else { return }
        let ts = UInt32(p[4]) << 24 | UInt32(p[5]) << 16 | UInt32(p[6]) << 8 | UInt32(p[7])
        guard d.last != ts, let digit = Self.dtmf(p[start]) else { return }
        bridge.digits[side]?.last = ts
        d.report(digit)
    }

    /// RFC 4733 §3.2 event codes 0-15.
    static func dtmf(_ code: UInt8) -> Character? {
        switch code {
        case 0...9: Character(String(code))
        case 10: "*"
        case 11: "#"
        case 12...15: Character(UnicodeScalar(UInt8(ascii: "A") + code - 12))
        default: nil
        }
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
            case .play(let id, let leg, let playback, let law, let pt):
                guard let bridge = bridges[id] else {
                    if case .announce(_, let finished) = playback { finished?() }
                    break
                }
                play(bridge, id: id, leg: leg, playback, law: law, payloadType: pt)
            case .stopPlaying(let id, let leg):
                guard let bridge = bridges[id], var player = bridge.players[leg] else { break }
                bridge.players[leg] = nil
                player.drain().forEach { $0() }
            case .record(let id, let maxSeconds, let finished):
                guard let bridge = bridges[id] else {
                    finished(CallRecording(caller: [], agent: []))
                    break
                }
                bridge.finishRecording()  // a second start begins a new recording
                bridge.recorder = (CallRecorder(startedAt: Self.monotonicNow(), maxSeconds: maxSeconds), finished)
            case .detectDigits(let id, let leg, let pt, let report):
                bridges[id]?.digits[leg] = (pt, report, nil)
            case .pauseRecording(let id, let paused):
                bridges[id]?.recorder?.0.paused = paused
            case .stopRecording(let id):
                bridges[id]?.finishRecording()
            case .remove(let id, let closed):
                var quality = RTPRelay.CallQuality()
                if let bridge = bridges.removeValue(forKey: id) {
                    bridge.removed = true
                    bridge.finishRecording()
                    for i in 0..<2 { if var p = bridge.players[i] { p.drain().forEach { $0() } } }
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

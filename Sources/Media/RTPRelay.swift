import CNIOLinux
import Dispatch
import Glibc
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The engine's RTP relay: a UDP port per call leg (caller side, agent side, each opened when the
/// engine needs it), each with its RTCP port above it (RFC 3550 §11); what arrives on one goes out of the other to that side's peer,
/// RTP to RTP and RTCP to RTCP. Symmetric RTP (RFC 4961, common NAT practice): a leg's peer is
/// where its packets actually come from once any arrived, the address from the SDP (RTCP: the
/// port above) before that; once latched, only the SDP's address may take the latch over, and
/// packets from anyone else are dropped (`RelayWorker+Screening`). With rtcp-mux (RFC 5761) on both sides, RTCP rides the RTP ports and
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
    /// Sockets bound ahead for the next legs' ports (`prepare`), taken by `open`.
    private let spare = NIOLockedValueBox<[(port: Int, fds: [Int32])]>([])

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
        self.workers = (0..<max(1, threads)).map { RelayWorker(index: $0, logger: logger, setup: threadSetup) }
        for w in workers { w.start() }
    }

    deinit { shutdown() }

    /// Stops the worker threads and closes every socket (idempotent).
    public func shutdown() {
        for w in workers { w.stop() }
        for s in spare.withLockedValue({ s in defer { s = [] }; return s }) {
            for fd in s.fds { Glibc.close(fd) }
        }
    }

    /// Binds the sockets of the next legs' ports ahead of them, off the INVITE's path: `open`
    /// with one of these ports takes its sockets (three syscalls fewer between a customer's
    /// INVITE and the agent's). Spares for other ports are closed. Returns the ports that cannot
    /// be bound (held by another process) and why: the caller skips those.
    @discardableResult
    public func prepare(ports: [Int]) -> [(port: Int, error: OpenError)] {
        guard let address else { return [] }  // `open` reports the bad media address per call
        var failed: [(port: Int, error: OpenError)] = []
        var bound: [(port: Int, fds: [Int32])] = []
        let have = spare.withLockedValue { $0.map(\.port) }
        for port in ports where !have.contains(port) {
            do {
                bound.append((port, try Self.bindLeg(address, port: port)))
            } catch {
                if let e = error as? OpenError { failed.append((port, e)) }
            }
        }
        let dropped = spare.withLockedValue { s -> [(port: Int, fds: [Int32])] in
            let old = s.filter { !ports.contains($0.port) }
            s = s.filter { ports.contains($0.port) } + bound
            return old
        }
        for d in dropped { for fd in d.fds { Glibc.close(fd) } }
        return failed
    }

    /// One port's spare (tests and benches).
    @discardableResult
    public func prepare(port: Int) -> OpenError? { prepare(ports: [port]).first?.error }

    /// Binds one leg of a call (its RTP socket on `port`, RTCP on the port above); the call's
    /// relay session starts with its first leg. The sockets are bound here (`socket`+`bind`, no
    /// name resolution), so a taken port fails this future at once.
    public func open(call: String, leg: Leg, port: Int, wake: Bool = true) -> EventLoopFuture<Void> {
        let loop = group.next()
        guard let address else {
            return loop.makeFailedFuture(OpenError(description: "media address \(host) is not an IPv4 address"))
        }
        let fds: [Int32]
        do {
            fds = try sockets(address, port: port)
        } catch {
            return loop.makeFailedFuture(error)
        }
        if let (worker, id) = calls.withLockedValue({ $0[call] }) {
            workers[worker].send(.addLeg(id: id, leg: leg.rawValue, fds: fds), wake: wake)
            return loop.makeSucceededFuture(())
        }
        let id = nextID.withLockedValue { $0 += 1; return $0 }
        let worker = id % workers.count
        calls.withLockedValue { $0[call] = (worker, id) }
        workers[worker].send(.add(id: id, call: call), wake: wake)
        workers[worker].send(.addLeg(id: id, leg: leg.rawValue, fds: fds), wake: wake)
        return loop.makeSucceededFuture(())
    }

    /// Both legs at once (benches and tests; the engine opens the agent's at its first ring).
    public func open(call: String, callerPort: Int, agentPort: Int, wake: Bool = true) -> EventLoopFuture<Void> {
        open(call: call, leg: .caller, port: callerPort, wake: wake).flatMap { [self] in
            open(call: call, leg: .agent, port: agentPort, wake: wake)
        }
    }

    /// The prepared sockets for this port, or two bound now.
    private func sockets(_ address: in_addr, port: Int) throws -> [Int32] {
        let ready = spare.withLockedValue { s -> [Int32]? in
            guard let i = s.firstIndex(where: { $0.port == port }) else { return nil }
            return s.remove(at: i).fds
        }
        if let ready { return ready }
        return try Self.bindLeg(address, port: port)
    }

    /// A leg's two sockets: RTP on `port`, RTCP on the port above. Both or none.
    static func bindLeg(_ address: in_addr, port: Int) throws -> [Int32] {
        let rtp = try bind(address, port: port)
        do {
            return [rtp, try bind(address, port: port + 1)]
        } catch {
            Glibc.close(rtp)
            throw error
        }
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

    /// The payload types agreed in SDP for what the leg's phone sends: another one is relayed
    /// untouched but logged once per call and leg.
    public func expectPayloadTypes(call: String, leg: Leg, _ types: [Int], wake: Bool = true) {
        guard let (worker, id) = calls.withLockedValue({ $0[call] }) else { return }
        workers[worker].send(.expectPayloadTypes(id: id, leg: leg.rawValue, types.filter { (0..<128).contains($0) }.map(UInt8.init)), wake: wake)
    }

    /// Reports once (`quiet`, on the relay thread) when the leg's phone has sent no sound (no
    /// packet, or G.711 silence) for `seconds`, counted from now; checked about once a second.
    public func watchQuiet(call: String, leg: Leg, seconds: Double, wake: Bool = true, quiet: @escaping @Sendable () -> Void) {
        guard let (worker, id) = calls.withLockedValue({ $0[call] }) else { return }
        workers[worker].send(.watchQuiet(id: id, leg: leg.rawValue, seconds: seconds, quiet), wake: wake)
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
    /// with what its phones reported in RTCP. With `wake: false` the relay thread sees it at the
    /// next `wakeDeferred` (or its next wake-up).
    public func delete(call: String, wake: Bool = true, closed: (@Sendable (CallQuality) -> Void)? = nil) {
        guard let (worker, id) = calls.withLockedValue({ $0.removeValue(forKey: call) }) else {
            closed?(CallQuality())
            return
        }
        workers[worker].send(.remove(id: id, closed: closed), wake: wake)
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
    /// The latest any frame-clock sub-tick ran after it was due, in seconds (how late the relay
    /// threads woke: a frame can be no later than that).
    public var maxTickLateness: Double { workers.map(\.played.maxLateness).max() ?? 0 }

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

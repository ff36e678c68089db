import CNIOLinux
import Dispatch
import Glibc
import Logging
import NIOConcurrencyHelpers

/// One relay thread: its epoll set, its calls, its command queue. Only `send`, `stop` and
/// `relayed` are called from other threads.
final class RelayWorker: @unchecked Sendable {
    enum Command {
        /// A call's relay session, no leg yet.
        case add(id: Int, call: String)
        /// A leg's RTP and RTCP sockets.
        case addLeg(id: Int, leg: Int, fds: [Int32])
        case peer(id: Int, leg: Int, address: sockaddr_in)
        case payloadMap(id: Int, callerToAgent: [Int: Int])
        case play(id: Int, leg: Int, RTPRelay.Playback, law: G711.Law, payloadType: UInt8)
        case stopPlaying(id: Int, leg: Int)
        case record(id: Int, maxSeconds: Double, finished: @Sendable (CallRecording) -> Void)
        case detectDigits(id: Int, leg: Int, payloadType: UInt8, @Sendable (Character) -> Void)
        case pauseRecording(id: Int, Bool)
        /// The payload types agreed for what the leg's phone sends (others are logged once).
        case expectPayloadTypes(id: Int, leg: Int, [UInt8])
        /// Report once when no sound has come from the leg's phone for `seconds`.
        case watchQuiet(id: Int, leg: Int, seconds: Double, @Sendable () -> Void)
        case stopRecording(id: Int)
        case remove(id: Int, closed: (@Sendable (RTPRelay.CallQuality) -> Void)?)
        /// Signalled once every command before it has been applied.
        case barrier(DispatchSemaphore)
        case stop
    }

    /// One call's two legs, each an RTP and an RTCP socket: index caller RTP 0, agent RTP 1,
    /// caller RTCP 2, agent RTCP 3 (so the partner of index i is i ^ 1, its side i & 1); -1 for
    /// a leg not opened yet (a waiting caller has no agent side). Only touched by the worker thread.
    final class Bridge {
        var fds: [Int32] = [-1, -1, -1, -1]
        /// The engine's name for the call (log lines).
        let call: String
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
        /// The bridge is in the worker's list of bridges with a player, in this frame slot.
        var inPlaying = false
        var slot = 0
        /// Deleted: dropped from that list at the next tick.
        var removed = false
        /// Per RTP side: the telephone-event payload type read for digits, who hears them, and the
        /// timestamp of the last key press reported.
        var digits: [(payloadType: UInt8, report: @Sendable (Character) -> Void, last: UInt32?)?] = [nil, nil]
        /// Both directions being recorded, and who gets the recording.
        var recorder: (CallRecorder, @Sendable (CallRecording) -> Void)?
        /// Per RTP side: the payload types agreed (128 entries), and whether another was logged.
        var expected: [[Bool]?] = [nil, nil]
        var unexpectedLogged = [false, false]
        /// Packets from a source that is not the side's peer were dropped, and logged (once).
        var strangersLogged = false
        /// Per RTP side: how long a silence is reported, when the side's phone last sent sound.
        var quiet: [(seconds: Double, lastSound: Double, report: @Sendable () -> Void)?] = [nil, nil]
        func finishRecording() {
            guard let (recorder, finished) = recorder else { return }
            self.recorder = nil
            finished(recorder.finish())
        }
        init(call: String) { self.call = call }
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
    /// Frames played, periods late, and the latest a sub-tick ran after it was due (seconds).
    let playedBox = NIOLockedValueBox((frames: 0, late: 0, maxLateness: 0.0))
    /// The frame clock (a periodic timerfd of `FrameSlots` sub-ticks, armed while anything
    /// plays) and the bridges with a player, per slot, in a stable order (each stream's frame
    /// leaves at the same point of its slot's burst every period: their pacing is the timer's,
    /// whatever the number of players).
    let frameTimer: Int32
    var timerArmed = false
    var slots = FrameSlots()
    /// When the frame timer was armed, and its sub-ticks since: the due time of the latest.
    var armedAt = 0.0
    var ticksSinceArmed = 0
    var playing = [[Bridge]](repeating: [], count: FrameSlots.count)
    let frame = UnsafeMutablePointer<UInt8>.allocate(capacity: 12 + LegPlayer.frameSamples)
    var ssrcState: UInt64
    private var thread: pthread_t?
    private var bridges: [Int: Bridge] = [:]
    /// Bridges with a silence watch (`watchQuiet`), checked on every pass of the loop (at least
    /// once a second: epoll's timeout).
    var watching: [Bridge] = []
    private let setup: (@Sendable () -> Void)?
    let logger: Logger

    init(index: Int, logger: Logger, setup: (@Sendable () -> Void)? = nil) {
        self.index = index
        self.logger = logger
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
    var played: (frames: Int, late: Int, maxLateness: Double) { playedBox.withLockedValue { $0 } }

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
            if case .addLeg(_, _, let fds) = command { for fd in fds { close(fd) } }
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
            if !watching.isEmpty { checkQuiet() }
        }
        for (_, b) in bridges {
            for fd in b.fds where fd >= 0 { close(fd) }
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
            let received = batch.receive(from: bridge.fds[index])
            if received == 0 { break }
            let n = screen(bridge, index: index, batch: batch, count: received)
            if index < 2, bridge.quiet[index] != nil { heard(bridge, side: index, batch: batch, count: n) }
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
                    continue
                }
                guard bytes.count >= 12 else { continue }
                if let agreed = bridge.expected[index], !agreed[Int(bytes[1] & 0x7F)] {
                    unexpected(bridge, side: index, payloadType: bytes[1] & 0x7F)  // relayed untouched (no transcoding)
                }
                if let table = bridge.rewrite?[index] {
                    // RTP: the marker bit stays, the payload type is the other side's number.
                    let b = batch.slot(i).assumingMemoryBound(to: UInt8.self)
                    b[1] = (b[1] & 0x80) | table[Int(b[1] & 0x7F)]
                }
            }
            if index < 2, bridge.outbound[other] != nil {
                sent += forwardToPlayedLeg(bridge, from: index, batch: batch, count: n)
            } else if let to = bridge.peer(other), bridge.fds[other] >= 0 {
                for i in 0..<n { batch.prepareSend(i, length: batch.length(i), to: to) }
                sent += batch.send(n, on: bridge.fds[other])
            }
            if received < Self.batchSize { break }
        }
        return sent
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
            case .add(let id, let call):
                bridges[id] = Bridge(call: call)
            case .addLeg(let id, let leg, let fds):
                guard let bridge = bridges[id], bridge.fds[leg] < 0 else {
                    for fd in fds { close(fd) }  // deleted meanwhile, or opened twice: not leaked
                    break
                }
                Self.drain(fds)  // what reached prepared sockets before the leg existed is no one's
                for (index, fd) in [(leg, fds[0]), (leg + 2, fds[1])] {
                    bridge.fds[index] = fd
                    var event = epoll_event()
                    event.events = LinuxABI.epollIn
                    event.data.u64 = UInt64(id) << 2 | UInt64(index)
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
            case .expectPayloadTypes(let id, let leg, let types):
                var table = [Bool](repeating: false, count: 128)
                for t in types where t < 128 { table[Int(t)] = true }
                bridges[id]?.expected[leg] = table
            case .watchQuiet(let id, let leg, let seconds, let report):
                guard let bridge = bridges[id] else { break }
                bridge.quiet[leg] = (seconds, Self.monotonicNow(), report)
                if !watching.contains(where: { $0 === bridge }) { watching.append(bridge) }
            case .stopRecording(let id):
                bridges[id]?.finishRecording()
            case .remove(let id, let closed):
                var quality = RTPRelay.CallQuality()
                if let bridge = bridges.removeValue(forKey: id) {
                    bridge.removed = true
                    watching.removeAll { $0 === bridge }
                    bridge.finishRecording()
                    for i in 0..<2 { if var p = bridge.players[i] { p.drain().forEach { $0() } } }
                    for fd in bridge.fds where fd >= 0 {
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

import CNIOLinux
import Foundation
import Glibc
import Logging
import Media
import NIOCore
import NIOPosix

/// Music on hold to N waiting callers from one relay thread (`RTPRelay.play`), beside a bare
/// player: one thread, one periodic timerfd, N sockets, a prebuilt packet each, `sendto` per
/// frame — the least a paced player can do. One receiver measures both: every stream's
/// inter-arrival times from kernel stamps (pacing jitter = |delta - 20 ms|) and its sequence
/// gaps (lost frames).
public struct PlayerBench: Sendable {
    public var streams: Int
    public var seconds: Double
    /// Relay ports (four per stream: the relay binds a call's both legs with RTCP).
    public var ports: ClosedRange<Int>
    /// Run first on the relay's worker thread and on the bare player's thread alike (their
    /// scheduling priority: the engine's `priority`).
    public var threadSetup: (@Sendable () -> Void)?

    public init(streams: Int, seconds: Double, ports: ClosedRange<Int> = 30000...39999, threadSetup: (@Sendable () -> Void)? = nil) {
        self.streams = streams
        self.seconds = seconds
        self.ports = ports
        self.threadSetup = threadSetup
    }

    public struct PathResult: Codable, Sendable {
        public var path: String
        public var streams: Int
        public var framesExpected: Int
        public var framesReceived: Int
        public var lost: Int
        public var jitter: LatencySummary
        /// CPU the sending side used per second of run (1.0 = one core).
        public var cpuPerSecond: Double
    }

    public struct Result: Codable, Sendable {
        public var relay: PathResult
        public var bare: PathResult
        public var lateTicks: Int
        /// The latest the relay's frame clock woke after a sub-tick was due (ms): what a CPU busy
        /// in the kernel (loopback softirq work) did to the thread, whatever its priority.
        public var maxWakeLatenessMS: Double?

        public func textTable() -> String {
            func row(_ r: PathResult) -> String {
                String(format: "%-6@ %7d %10d %10d %6d %9.3f %9.3f %9.3f %7.1f%%", r.path as NSString, r.streams, r.framesExpected, r.framesReceived, r.lost,
                       Double(r.jitter.p50Nanos) / 1e6, Double(r.jitter.p99Nanos) / 1e6, Double(r.jitter.maxNanos) / 1e6, r.cpuPerSecond * 100)
            }
            return """
                path   streams   expected   received   lost  jitter50  jitter99 jitterMax     cpu
                \(row(relay))
                \(row(bare))
                jitter = |inter-arrival - 20 ms| per stream, ms (kernel receive stamps); relay late ticks: \(lateTicks); relay woke at most \(String(format: "%.2f", maxWakeLatenessMS ?? .nan)) ms late
                ratio relay/bare: jitter p99 \(String(format: "%.2f", Double(relay.jitter.p99Nanos) / Double(max(bare.jitter.p99Nanos, 1)))), cpu \(String(format: "%.2f", relay.cpuPerSecond / max(bare.cpuPerSecond, 1e-9)))
                """
        }
    }

    public func run(log: (String) -> Void) throws -> Result {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let music = AudioClip(name: "bench-tone", samples: (0..<16000).map { Int16(sin(2 * Double.pi * 440 * Double($0) / 8000) * 8000) })

        // The relay: one thread, N calls each playing the music to its caller leg.
        let receiver = try PlayerReceiver()
        let relay = RTPRelay(group: group, host: "127.0.0.1", threads: 1, logger: Logger(label: "bench-relay"), threadSetup: threadSetup)
        defer { relay.shutdown() }
        var opened = 0
        var port = ports.lowerBound
        while opened < streams, port + 3 <= ports.upperBound {
            let call = "player-\(opened)"
            if (try? relay.open(call: call, callerPort: port, agentPort: port + 2).wait()) != nil {
                relay.setPeer(call: call, leg: .caller, host: "127.0.0.1", port: receiver.port)
                opened += 1
            }
            port += 4
        }
        guard opened == streams else { throw RTPBenchError.invalidOption("only \(opened) of \(streams) streams got relay ports in \(ports)") }
        log("relay: \(streams) streams playing for \(seconds) s")
        let cpu0 = BenchClock.processCPUNanos()
        for i in 0..<streams { relay.play(call: "player-\(i)", leg: .caller, .music(music), law: .muLaw, payloadType: 0) }
        let relayStats = receiver.measure(seconds: seconds)
        let relayCPU = Double(BenchClock.processCPUNanos() - cpu0) / 1e9 / seconds - relayStats.receiverCPU
        let late = relay.lateTicks, woke = relay.maxTickLateness * 1000
        for i in 0..<streams { relay.delete(call: "player-\(i)") }
        relay.settle()

        // The bare player, same receiver.
        log("bare: \(streams) streams for \(seconds) s")
        let bare = try BarePlayer(streams: streams, to: receiver.port)
        let bareStats = receiver.measure(seconds: seconds) { bare.start(setup: threadSetup) }
        let bareCPU = bare.stop() / seconds
        receiver.close()
        return Result(relay: relayStats.result(path: "relay", streams: streams, seconds: seconds, cpu: relayCPU),
                      bare: bareStats.result(path: "bare", streams: streams, seconds: seconds, cpu: bareCPU), lateTicks: late, maxWakeLatenessMS: woke)
    }
}

/// The bench's receiving side: one socket for every stream, told apart by SSRC.
final class PlayerReceiver: @unchecked Sendable {
    struct Stats {
        var received = 0
        var lost = 0
        var streams = 0
        var jitter = LatencyRecorder()
        var receiverCPU = 0.0

        func result(path: String, streams: Int, seconds: Double, cpu: Double) -> PlayerBench.PathResult {
            PlayerBench.PathResult(path: path, streams: streams, framesExpected: Int((seconds - 0.5) * 50) * streams, framesReceived: received,
                                   lost: lost, jitter: jitter.summary, cpuPerSecond: max(0, cpu))
        }
    }

    let fd: Int32
    let port: Int

    init() throws(RTPBenchError) {
        (fd, port) = try BenchUDPSocket.bind(port: 0, receiveBuffer: 64 << 20)
        BenchUDPSocket.enableReceiveTimestamps(fd)
    }

    func close() { Glibc.close(fd) }

    /// Receives for `seconds` (after `start` runs), each stream's first packet and the first
    /// half second unmeasured (streams starting).
    func measure(seconds: Double, start: () -> Void = {}) -> Stats {
        let batch = DatagramBatch(capacity: 64, receiveTimestamps: true)
        while batch.receive(from: fd) > 0 {}  // what an earlier run left
        var last: [UInt32: (arrival: Int64, seq: UInt16)] = [:]
        var stats = Stats()
        let cpu0 = BenchClock.threadCPUNanos()
        start()
        let begin = monotonicNanos()
        let warm = begin + 500_000_000, end = begin + UInt64(seconds * 1e9)
        var now = begin
        while now < end {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&p, 1, 50)
            let n = batch.receive(from: fd)
            now = monotonicNanos()
            for i in 0..<n where batch.length(i) >= 12 {
                let b = batch.slot(i).assumingMemoryBound(to: UInt8.self)
                let seq = UInt16(b[2]) << 8 | UInt16(b[3])
                let ssrc = UInt32(b[8]) << 24 | UInt32(b[9]) << 16 | UInt32(b[10]) << 8 | UInt32(b[11])
                let arrival = batch.receiveTimestamp(i) ?? 0
                if let prior = last[ssrc], now >= warm {
                    stats.received += 1
                    let step = Int(seq &- prior.seq)
                    if step > 1, step < 1000 { stats.lost += step - 1 }
                    stats.jitter.record(UInt64(abs(arrival - prior.arrival - 20_000_000)))
                } else if last[ssrc] == nil {
                    stats.streams += 1
                }
                last[ssrc] = (arrival, seq)
            }
        }
        stats.receiverCPU = Double(BenchClock.threadCPUNanos() - cpu0) / 1e9 / seconds
        return stats
    }
}

/// The reference: the plainest paced player.
final class BarePlayer: @unchecked Sendable {
    private let sockets: [Int32]
    private let destination: sockaddr_in
    private let stopFlag = BenchFlag()
    private var thread: BenchThread?
    private let cpu = SharedSeconds()

    init(streams: Int, to port: Int) throws(RTPBenchError) {
        var fds: [Int32] = []
        for _ in 0..<streams {
            do { fds.append(try BenchUDPSocket.bind(port: 0).fd) } catch {
                fds.forEach { _ = Glibc.close($0) }
                throw error
            }
        }
        sockets = fds
        destination = BenchUDPSocket.loopback(port: port)
    }

    func start(setup: (@Sendable () -> Void)? = nil) {
        let sockets = self.sockets, destination = self.destination, stop = stopFlag, cpu = self.cpu
        thread = BenchThread(name: "bare-player") {
            setup?()
            let cpu0 = BenchClock.threadCPUNanos()
            let timer = timerfd_create(CLOCK_MONOTONIC, LinuxABI.tfdNonblock | LinuxABI.tfdCloexec)
            var spec = itimerspec(it_interval: timespec(tv_sec: 0, tv_nsec: 20_000_000), it_value: timespec(tv_sec: 0, tv_nsec: 20_000_000))
            _ = timerfd_settime(timer, 0, &spec, nil)
            var packets = sockets.indices.map { i -> [UInt8] in
                [0x80, 0, 0, 0, 0, 0, 0, 0, UInt8(i >> 8), UInt8(i & 0xFF), 0xBE, 0xEF] + [UInt8](repeating: 0xFF, count: 160)
            }
            var seq: UInt16 = 0
            var to = destination
            while !stop.isRaised {
                var p = pollfd(fd: timer, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 100) > 0 else { continue }
                var ticks: UInt64 = 0
                _ = read(timer, &ticks, 8)
                seq &+= 1
                for i in sockets.indices {
                    packets[i][2] = UInt8(seq >> 8)
                    packets[i][3] = UInt8(seq & 0xFF)
                    _ = packets[i].withUnsafeBytes { b in
                        withUnsafePointer(to: &to) {
                            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(sockets[i], b.baseAddress, b.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                        }
                    }
                }
            }
            Glibc.close(timer)
            cpu.set(Double(BenchClock.threadCPUNanos() - cpu0) / 1e9)
        }
    }

    /// Stops the thread; the CPU seconds it used.
    func stop() -> Double {
        stopFlag.raise()
        thread?.join()
        sockets.forEach { _ = Glibc.close($0) }
        return cpu.get()
    }
}

/// A Double shared between the bare player's thread and the bench.
final class SharedSeconds: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0.0
    func set(_ v: Double) { lock.withLock { value = v } }
    func get() -> Double { lock.withLock { value } }
}

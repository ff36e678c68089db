import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What an operator watches while something hammers an engine (`ccbench flood`): an OPTIONS
/// probe every `interval` from a socket of its own, answered or not, and the engine's resident
/// memory (when its PID is known), on a thread of its own so the load's sender never delays it.
/// "Answered throughout" becomes a figure: the longest stretch with no probe answered.
public final class EngineWatch: @unchecked Sendable {
    public struct Summary: Codable, Sendable {
        public var probesSent: Int
        public var probesAnswered: Int
        /// The longest time with no probe answered (from the start, between answers, to the stop).
        public var longestSilenceSeconds: Double
        /// Each probe's OPTIONS -> 200, ms.
        public var answer: LatencySummary
        /// Resident memory (MB) when the watch started, its highest, and its last sample.
        public var rssStartMB: Double?
        public var rssPeakMB: Double?
        public var rssLastMB: Double?
    }

    private let fd: Int32
    private var destination: sockaddr_in
    private let interval: Double
    private let pid: Int32?
    private let stopFlag = BenchFlag()
    private var thread: BenchThread?
    private let lock = NSLock()
    private var sent = 0, answered = 0
    private var latencies = LatencyRecorder()
    private var startedAt: UInt64 = 0
    private var lastAnswerAt: UInt64 = 0
    private var longestSilence: UInt64 = 0
    private var rss: (start: Double, peak: Double, last: Double)?
    /// Sets this watch's branches and Call-IDs apart from an earlier watch's (the engine keeps an
    /// OPTIONS transaction 32 s: a repeated branch is a retransmission, answered to the old socket).
    private let tag = UInt32.random(in: 0...UInt32.max)

    /// `host` must be a loopback address (127.0.0.0/8), as for the flood itself.
    public init(host: String, port: Int, interval: Double = 0.1, pid: Int32? = nil) throws {
        guard host.hasPrefix("127.") else { throw SIPFlood.FloodError.notLoopback(host) }
        do {
            fd = try BenchUDPSocket.bind(port: 0).fd
        } catch {
            throw SIPFlood.FloodError.socket("\(error)")
        }
        destination = BenchUDPSocket.loopback(port: port)
        destination.sin_addr.s_addr = inet_addr(host)
        self.interval = interval
        self.pid = pid
    }

    deinit { close(fd) }

    /// The engine's resident memory now (MB), nil when the process is gone or none was given.
    public var residentMB: Double? { pid.flatMap { ProcessMemory.residentMB(pid: $0) } }

    public func start() {
        startedAt = monotonicNanos()
        lastAnswerAt = startedAt
        if let mb = residentMB { rss = (mb, mb, mb) }
        thread = BenchThread(name: "engine-watch") { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            var sentAt: [Int: UInt64] = [:]
            var next = monotonicNanos()
            while !stopFlag.isRaised {
                let now = monotonicNanos()
                if now >= next {
                    let n = lock.withLock { sent += 1; return sent }
                    let options = Array(Self.options(probe: n, tag: tag, port: destination.sin_port.bigEndian).utf8)
                    _ = withUnsafePointer(to: &destination) { a in
                        a.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, options, options.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                    }
                    sentAt[n] = now
                    next += UInt64(interval * 1e9)
                    if let mb = residentMB { lock.withLock { rss = rss.map { ($0.start, max($0.peak, mb), mb) } ?? (mb, mb, mb) } }
                }
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&p, 1, Int32(max(1, min(50, (Int64(next) - Int64(monotonicNanos())) / 1_000_000))))
                while true {
                    let got = recv(fd, &buffer, buffer.count, 0)
                    guard got > 0 else { break }
                    let text = String(decoding: buffer[..<got], as: UTF8.self)
                    guard text.hasPrefix("SIP/2.0 200"), let n = Self.probeNumber(in: text), let at = sentAt.removeValue(forKey: n) else { continue }
                    let t = monotonicNanos()
                    lock.withLock {
                        answered += 1
                        latencies.record(t - at)
                        longestSilence = max(longestSilence, t - lastAnswerAt)
                        lastAnswerAt = t
                    }
                }
            }
        }
    }

    /// Stops probing and sums up.
    public func stop() -> Summary {
        stopFlag.raise()
        thread?.join()
        thread = nil
        return lock.withLock {
            let silence = max(longestSilence, monotonicNanos() - lastAnswerAt)
            return Summary(probesSent: sent, probesAnswered: answered, longestSilenceSeconds: Double(silence) / 1e9,
                           answer: latencies.summary, rssStartMB: rss?.start, rssPeakMB: rss?.peak, rssLastMB: rss?.last)
        }
    }

    static func options(probe n: Int, tag: UInt32, port: UInt16) -> String {
        "OPTIONS sip:127.0.0.1:\(port) SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-watch\(tag)-\(n);rport\r\nMax-Forwards: 70\r\n"
            + "From: <sip:watch@127.0.0.1>;tag=watch\(tag)\r\nTo: <sip:127.0.0.1:\(port)>\r\nCall-ID: watch-\(n)-\(tag)@ccbench\r\nCSeq: \(n) OPTIONS\r\nContent-Length: 0\r\n\r\n"
    }

    static func probeNumber(in response: String) -> Int? {
        guard let r = response.range(of: "Call-ID: watch-") ?? response.range(of: "i: watch-") else { return nil }
        return Int(response[r.upperBound...].prefix { $0.isNumber })
    }
}

/// A process's resident memory from /proc (VmRSS), in MB.
public enum ProcessMemory {
    public static func residentMB(pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kb / 1024
    }
}

/// The CPU time of each of a process's threads, from /proc/<pid>/task/<tid>/stat (utime + stime,
/// in clock ticks): which thread of an engine is busy, and how busy, over a bench phase.
public enum ProcessThreads {
    public struct Sample: Sendable {
        /// Ticks used so far, and the name, by thread id.
        public var ticks: [Int32: (name: String, ticks: Int)]
        public var at: Double
    }

    public static func sample(pid: Int32) -> Sample {
        var out: [Int32: (name: String, ticks: Int)] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
            guard let tid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            // After "(comm) ": state is field 3, utime and stime fields 14 and 15.
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { continue }
            out[tid] = (String(stat[stat.index(after: open)..<close]), user + system)
        }
        return Sample(ticks: out, at: Date().timeIntervalSince1970)
    }

    /// The thread that used the most CPU between two samples: its name and its share of one core.
    public static func busiest(from a: Sample, to b: Sample) -> (name: String, share: Double)? {
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        let wall = b.at - a.at
        guard wall > 0, hz > 0 else { return nil }
        let used = b.ticks.map { tid, t in (t.name, t.ticks - (a.ticks[tid]?.ticks ?? 0)) }
        return used.max { $0.1 < $1.1 }.map { ($0.0, Double($0.1) / hz / wall) }
    }
}

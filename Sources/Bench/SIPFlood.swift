import Foundation
import Workload
#if canImport(Glibc)
import Glibc
#endif

/// A bounded flood of random and mutated SIP datagrams at one loopback address, to show that the
/// engine's single network entry point survives anything (issue: datagram flood). Seeded, so a
/// crash replays. Only loopback (127.0.0.0/8) targets are accepted.
public struct SIPFlood: Sendable {
    public struct Result: Codable, Sendable, Equatable {
        public var sent: Int
        public var randomBytes: Int
        public var mutated: Int
        public var seconds: Double
        public var responsesSeen: Int
    }

    public enum FloodError: Error, CustomStringConvertible {
        case notLoopback(String)
        case socket(String)
        public var description: String {
            switch self {
            case .notLoopback(let h): "refusing to flood \(h): only loopback addresses (127.0.0.0/8) are allowed"
            case .socket(let s): "socket error: \(s)"
            }
        }
    }

    public var host: String
    public var port: Int
    public var count: Int
    /// Datagrams per second at most (0: as fast as the socket takes them).
    public var rate: Int
    public var seed: UInt64

    public init(host: String = "127.0.0.1", port: Int, count: Int = 100_000, rate: Int = 20_000, seed: UInt64 = 1) {
        self.host = host
        self.port = port
        self.count = count
        self.rate = rate
        self.seed = seed
    }

    /// Templates the mutations start from: requests that never create a call (unknown queue and
    /// user), so the flood measures parsing and transactions, not queued calls.
    static let templates: [String] = [
        "INVITE sip:flood-nosuch@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-%ID%;rport\r\nMax-Forwards: 70\r\nFrom: \"F\" <sip:f@127.0.0.1>;tag=%ID%\r\nTo: <sip:flood-nosuch@127.0.0.1>\r\nCall-ID: %ID%@flood\r\nCSeq: 1 INVITE\r\nContact: <sip:f@127.0.0.1:9>\r\nContent-Type: application/sdp\r\nContent-Length: 68\r\n\r\nv=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n",
        "REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-%ID%\r\nFrom: <sip:nobody-%ID%@127.0.0.1>;tag=%ID%\r\nTo: <sip:nobody-%ID%@127.0.0.1>\r\nCall-ID: %ID%@flood\r\nCSeq: 7 REGISTER\r\nContact: <sip:nobody@127.0.0.1:9>;expires=60\r\nContent-Length: 0\r\n\r\n",
        "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-%ID%\r\nFrom: <sip:f@127.0.0.1>;tag=%ID%\r\nTo: <sip:127.0.0.1>\r\nCall-ID: %ID%@flood\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
        "BYE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-%ID%\r\nFrom: <sip:f@127.0.0.1>;tag=%ID%\r\nTo: <sip:x@127.0.0.1>;tag=zz\r\nCall-ID: %ID%@flood\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-%ID%\r\nFrom: <sip:f@127.0.0.1>;tag=%ID%\r\nTo: <sip:x@127.0.0.1>;tag=zz\r\nCall-ID: %ID%@flood\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
    ]

    /// Sends the flood; returns when every datagram is out (bounded by count and rate).
    public func run() throws -> Result {
        guard host.hasPrefix("127.") else { throw FloodError.notLoopback(host) }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw FloodError.socket(String(cString: strerror(errno))) }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr(host)
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var rng = SplitMix(seed: seed)
        var result = Result(sent: 0, randomBytes: 0, mutated: 0, seconds: 0, responsesSeen: 0)
        let start = Date()
        var drain = [UInt8](repeating: 0, count: 65536)
        for i in 0..<count {
            let datagram: [UInt8]
            if rng.next() % 5 == 0 {
                datagram = (0..<Int(rng.next() % 1400 + 1)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                result.randomBytes += 1
            } else {
                let t = Self.templates[Int(rng.next() % UInt64(Self.templates.count))].replacingOccurrences(of: "%ID%", with: "f\(seed)-\(i)")
                datagram = Self.mutate(Array(t.utf8), &rng)
                result.mutated += 1
            }
            var sentOK = false
            while !sentOK {
                let n = withUnsafePointer(to: &addr) { a in
                    a.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, datagram, datagram.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                sentOK = n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS)
                if !sentOK { usleep(100) }
            }
            result.sent += 1
            while recv(fd, &drain, drain.count, 0) > 0 { result.responsesSeen += 1 }
            if rate > 0 {
                let due = Double(i + 1) / Double(rate)
                let ahead = due - Date().timeIntervalSince(start)
                if ahead > 0.001 { usleep(useconds_t(ahead * 1_000_000)) }
            }
        }
        usleep(200_000)
        while recv(fd, &drain, drain.count, 0) > 0 { result.responsesSeen += 1 }
        result.seconds = Date().timeIntervalSince(start)
        return result
    }

    /// One to four mutations: flip bytes, truncate, duplicate or drop a line, inflate a header,
    /// insert NULs or non-UTF-8 bytes.
    static func mutate(_ input: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        var b = input
        for _ in 0..<Int(rng.next() % 4 + 1) where !b.isEmpty {
            let at = Int(rng.next() % UInt64(b.count))
            switch rng.next() % 7 {
            case 0: b[at] = UInt8(truncatingIfNeeded: rng.next())
            case 1: b = Array(b[..<at])
            case 2:
                if let end = b[at...].firstIndex(of: 0x0A) { b.insert(contentsOf: b[at...end], at: at) }
            case 3:
                if let end = b[at...].firstIndex(of: 0x0A) { b.removeSubrange(at...end) }
            case 4: b.insert(contentsOf: Array(repeating: UInt8(ascii: "A"), count: Int(rng.next() % 20_000)), at: at)
            case 5: b.insert(0, at: at)
            default: b.insert(contentsOf: [0xC3, 0x28, 0xFF], at: at)
            }
        }
        return b
    }
}

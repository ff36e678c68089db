import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The bare reference for end-to-end routing latency: the same two loopback hops a routed INVITE
/// takes (customer -> engine -> agent), done by the plainest forwarder — one thread that
/// `recvfrom`s a datagram and `sendto`s it on — with an INVITE-sized payload, timed by one clock.
public enum UDPEchoReference {
    /// Nanoseconds from send to arrival at the far socket, `count` datagrams at `rate` per second.
    /// `threadSetup` runs first on the forwarder thread (the engine's thread priority, for a fair reference).
    public static func measure(count: Int = 2000, rate: Int = 100, size: Int = 900,
                               threadSetup: (@Sendable () -> Void)? = nil) -> [UInt64] {
        let forwarderFD = udpSocket(), sender = udpSocket(), receiver = udpSocket()
        defer { close(forwarderFD); close(sender); close(receiver) }
        let forwarderPort = port(of: forwarderFD), receiverPort = port(of: receiver)
        let stop = StopFlag()
        let forwarder = Thread {
            threadSetup?()
            var buf = [UInt8](repeating: 0, count: 65536)
            var tv = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(forwarderFD, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            while true {
                if stop.isSet { return }
                let n = recv(forwarderFD, &buf, buf.count, 0)
                if n > 0 { send(forwarderFD, Array(buf[..<n]), to: receiverPort) }
            }
        }
        forwarder.start()
        var tv = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(receiver, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        var out: [UInt64] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<count {
            let t0 = DispatchTime.now().uptimeNanoseconds
            payload[0] = UInt8(truncatingIfNeeded: t0)
            send(sender, payload, to: forwarderPort)
            if recv(receiver, &buf, buf.count, 0) > 0 { out.append(DispatchTime.now().uptimeNanoseconds - t0) }
            usleep(useconds_t(1_000_000 / max(rate, 1)))
        }
        stop.set()
        while !forwarder.isFinished { usleep(10_000) }
        return out
    }

    static func udpSocket() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        return fd
    }

    static func port(of fd: Int32) -> Int {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func send(_ fd: Int32, _ bytes: [UInt8], to port: Int) {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        _ = withUnsafePointer(to: &addr) { a in
            a.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

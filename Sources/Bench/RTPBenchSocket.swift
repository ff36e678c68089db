import Media
import Glibc

/// What can stop the RTP bench before it measures anything. Each message names the input and
/// what to do about it.
public enum RTPBenchError: Error, Equatable, CustomStringConvertible {
    case socket(operation: String, port: Int, errno: Int32)
    case noFreePorts(from: Int, through: Int, needed: Int)
    case relayOpen(call: String, reason: String)
    case invalidOption(String)

    public var description: String {
        switch self {
        case .socket(let operation, let port, let errno):
            "\(operation) on 127.0.0.1:\(port) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        case .noFreePorts(let from, let through, let needed):
            "only found fewer than \(needed) free UDP ports in \(from)-\(through) on 127.0.0.1; "
                + "lower the call count or move the port range (basePort)"
        case .relayOpen(let call, let reason):
            "RTPRelay.open for \(call) failed: \(reason)"
        case .invalidOption(let text):
            text
        }
    }
}

/// Plain non-blocking UDP sockets on 127.0.0.1, through the C API (the generator and the bare
/// relay must cost as little as a C program would).
enum BenchUDPSocket {
    static let timestampOption = LinuxABI.soTimestampNS

    /// Binds a non-blocking UDP socket; port 0 lets the kernel choose. Returns the bound port.
    static func bind(port: Int, receiveBuffer: Int? = nil) throws(RTPBenchError) -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .socket(operation: "socket", port: port, errno: errno) }
        if let receiveBuffer { setReceiveBuffer(fd, bytes: receiveBuffer) }
        var address = loopback(port: port)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let e = errno
            Glibc.close(fd)
            throw .socket(operation: "bind", port: port, errno: e)
        }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: bound.sin_port)))
    }

    /// Whether a UDP port on 127.0.0.1 can be bound right now (a probe; the caller binds for real
    /// right after and handles the rare race).
    static func isFree(port: Int) -> Bool {
        guard let (fd, _) = try? bind(port: port) else { return false }
        Glibc.close(fd)
        return true
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// As root, `SO_RCVBUFFORCE` passes `net.core.rmem_max`; otherwise `SO_RCVBUF` up to it.
    static func setReceiveBuffer(_ fd: Int32, bytes: Int) {
        var value = Int32(bytes)
        let size = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &value, size) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, size)
        }
    }

    static func enableReceiveTimestamps(_ fd: Int32) {
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, timestampOption, &on, socklen_t(MemoryLayout<Int32>.size))
    }
}

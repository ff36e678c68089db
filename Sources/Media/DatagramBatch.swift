// Glibc's module has no epoll, timerfd or sendmmsg/recvmmsg (GNU extensions); swift-nio's
// CNIOLinux shim declares them, and comes with NIOPosix, which this target already uses.
//
// A file that imports CNIOLinux must not name C constants that glibc declares as an enum plus a
// same-named macro (SOCK_DGRAM, MSG_DONTWAIT, EPOLLIN, TFD_*): in a whole-module (release) build
// the importer then hides them from this module's files that import only Glibc. Such constants
// are spelled out in `LinuxABI` instead.
import CNIOLinux
import Glibc

/// Linux ABI values of enum-macro constants (include/uapi: socket.h, eventpoll.h, timerfd.h,
/// eventfd.h), shared by the engine's relay and the benches' bare loops.
public enum LinuxABI {
    public static let msgDontWait: Int32 = 0x40
    public static let epollIn: UInt32 = 0x001
    public static let epollCloexec: Int32 = 0o2_000_000
    public static let epollCtlAdd: Int32 = 1
    public static let epollCtlDel: Int32 = 2
    public static let tfdNonblock: Int32 = 0o4_000
    public static let tfdCloexec: Int32 = 0o2_000_000
    public static let tfdTimerAbstime: Int32 = 1
    public static let efdNonblock: Int32 = 0o4_000
    public static let efdCloexec: Int32 = 0o2_000_000
    public static let sockDgram: Int32 = 2
    public static let sockNonblock: Int32 = 0o4_000
    public static let sockCloexec: Int32 = 0o2_000_000
    /// `SO_TIMESTAMPNS` (`SO_TIMESTAMPNS_OLD` on x86-64 and arm64): the kernel stamps each
    /// datagram with CLOCK_REALTIME when it is queued on the socket.
    public static let soTimestampNS: Int32 = 35
}

/// A reusable vector of datagrams for `recvmmsg`/`sendmmsg`: one buffer, iovec, address and
/// (optionally) control block per message, allocated once. Used by one thread at a time.
public final class DatagramBatch: @unchecked Sendable {
    public let capacity: Int
    public let slotSize: Int
    private let buffers: UnsafeMutableRawPointer
    private let iovecs: UnsafeMutablePointer<iovec>
    private let messages: UnsafeMutablePointer<CNIOLinux_mmsghdr>
    private let addresses: UnsafeMutablePointer<sockaddr_in>
    private let controls: UnsafeMutableRawPointer?
    private static let controlSize = 64

    public init(capacity: Int, slotSize: Int = 2048, receiveTimestamps: Bool = false) {
        self.capacity = capacity
        self.slotSize = slotSize
        buffers = .allocate(byteCount: capacity * slotSize, alignment: 16)
        buffers.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * slotSize)
        iovecs = .allocate(capacity: capacity)
        messages = .allocate(capacity: capacity)
        addresses = .allocate(capacity: capacity)
        addresses.initialize(repeating: sockaddr_in(), count: capacity)
        controls = receiveTimestamps ? .allocate(byteCount: capacity * Self.controlSize, alignment: 16) : nil
        for i in 0..<capacity {
            iovecs[i] = iovec(iov_base: buffers + i * slotSize, iov_len: slotSize)
            var header = msghdr()
            header.msg_name = UnsafeMutableRawPointer(addresses + i)
            header.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
            header.msg_iov = iovecs + i
            header.msg_iovlen = 1
            header.msg_control = controls.map { $0 + i * Self.controlSize }
            header.msg_controllen = controls == nil ? 0 : Self.controlSize
            messages[i] = CNIOLinux_mmsghdr(msg_hdr: header, msg_len: 0)
        }
    }

    deinit {
        buffers.deallocate()
        iovecs.deallocate()
        messages.deallocate()
        addresses.deallocate()
        controls?.deallocate()
    }

    public func slot(_ i: Int) -> UnsafeMutableRawPointer { buffers + i * slotSize }

    /// Bytes of message `i` after `receive`.
    public func length(_ i: Int) -> Int { Int(messages[i].msg_len) }

    /// One non-blocking `recvmmsg`; 0 when nothing is queued.
    public func receive(from fd: Int32) -> Int {
        for i in 0..<capacity {
            iovecs[i].iov_len = slotSize
            messages[i].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
            messages[i].msg_hdr.msg_controllen = controls == nil ? 0 : Self.controlSize
            messages[i].msg_hdr.msg_flags = 0
        }
        let n = CNIOLinux_recvmmsg(fd, messages, UInt32(capacity), LinuxABI.msgDontWait, nil)
        return n > 0 ? Int(n) : 0
    }

    /// The source address of message `i` after `receive`.
    public func source(_ i: Int) -> sockaddr_in { addresses[i] }

    /// Keeps the received messages `keep` says yes to, moved to the front in order (bytes, length,
    /// source); returns how many. For the rare batch with messages to drop.
    public func compact(_ count: Int, keep: (Int) -> Bool) -> Int {
        var m = 0
        for i in 0..<count where keep(i) {
            if m != i {
                (buffers + m * slotSize).copyMemory(from: buffers + i * slotSize, byteCount: length(i))
                messages[m].msg_len = messages[i].msg_len
                addresses[m] = addresses[i]
                if let controls { (controls + m * Self.controlSize).copyMemory(from: controls + i * Self.controlSize, byteCount: Self.controlSize) }
            }
            m += 1
        }
        return m
    }

    /// Readies message `i` (its bytes already in `slot(i)`) to go to `address`.
    public func prepareSend(_ i: Int, length: Int, to address: sockaddr_in) {
        iovecs[i].iov_len = length
        addresses[i] = address
        messages[i].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
        messages[i].msg_hdr.msg_controllen = 0
    }

    /// Sends messages `0..<count` with `sendmmsg`, resuming after partial sends; gives up on a
    /// message after a few full-buffer retries. Returns how many went out.
    public func send(_ count: Int, on fd: Int32) -> Int {
        var next = 0
        var dropped = 0
        var retries = 0
        while next < count {
            let n = CNIOLinux_sendmmsg(fd, messages + next, UInt32(count - next), 0)
            if n > 0 {
                next += Int(n)
                retries = 0
            } else if n < 0, errno == EAGAIN || errno == ENOBUFS || errno == EINTR, retries < 8 {
                retries += 1
                sched_yield()
            } else {
                next += 1  // drop this one (e.g. ECONNREFUSED from a closed port) and go on
                dropped += 1
            }
        }
        return count - dropped
    }

    /// The kernel's receive stamp of message `i` (CLOCK_REALTIME ns), when timestamps are on.
    public func receiveTimestamp(_ i: Int) -> Int64? {
        guard controls != nil, messages[i].msg_hdr.msg_controllen > 0 else { return nil }
        let header = UnsafeMutableRawPointer(messages + i).assumingMemoryBound(to: msghdr.self)
        guard let cmsg = CNIOLinux_CMSG_FIRSTHDR(header),
            cmsg.pointee.cmsg_level == SOL_SOCKET, cmsg.pointee.cmsg_type == LinuxABI.soTimestampNS,
            let data = CNIOLinux_CMSG_DATA(cmsg)
        else { return nil }
        let ts = UnsafeRawPointer(data).loadUnaligned(as: timespec.self)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

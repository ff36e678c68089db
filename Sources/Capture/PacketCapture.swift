import CPCAP
import Foundation

/// Captures UDP traffic on the loopback interface into a classic pcap file through libpcap, on
/// its own thread, until `stop()`. Needs root (or CAP_NET_RAW) for `lo`.
public final class PacketCapture: @unchecked Sendable {
    public enum CaptureError: Error, CustomStringConvertible {
        case open(String)
        case filter(String)
        case dump(String)
        public var description: String {
            switch self {
            case .open(let s): "cannot capture on the loopback interface: \(s) (capturing needs root or CAP_NET_RAW)"
            case .filter(let s): "bad capture filter: \(s)"
            case .dump(let s): "cannot write the capture file: \(s)"
            }
        }
    }

    private let handle: OpaquePointer
    private let dumper: OpaquePointer
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopping = false
    /// The dumper and the count of packets written, for the capture callback (capture thread only
    /// until `stop` has joined it).
    private final class Sink: @unchecked Sendable {
        let dumper: UnsafeMutablePointer<UInt8>
        var written: UInt64 = 0
        init(_ dumper: OpaquePointer) { self.dumper = UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self) }
    }
    private var sink: Sink?
    public let path: String

    /// - Parameters:
    ///   - filter: a BPF filter, e.g. `udp and host 127.0.0.1`.
    public init(path: String, interface: String = "lo", filter: String = "udp") throws {
        self.path = path
        var err = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let h = pcap_create(interface, &err) else { throw CaptureError.open(String(cString: err)) }
        pcap_set_snaplen(h, 65535)
        pcap_set_promisc(h, 0)
        // Immediate mode: packets are delivered as they come, not when the kernel buffer fills.
        pcap_set_immediate_mode(h, 1)
        pcap_set_buffer_size(h, 64 << 20)
        pcap_set_timeout(h, 100)
        let rc = pcap_activate(h)
        if rc < 0 {
            let msg = String(cString: pcap_geterr(h))
            pcap_close(h)
            throw CaptureError.open(msg)
        }
        var program = bpf_program()
        guard pcap_compile(h, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0, pcap_setfilter(h, &program) == 0 else {
            let msg = String(cString: pcap_geterr(h))
            pcap_close(h)
            throw CaptureError.filter(msg)
        }
        pcap_freecode(&program)
        guard let d = pcap_dump_open(h, path) else {
            let msg = String(cString: pcap_geterr(h))
            pcap_close(h)
            throw CaptureError.dump(msg)
        }
        handle = h
        dumper = d
    }

    public func start() {
        let sink = Sink(dumper)
        self.sink = sink
        let t = Thread { [self] in
            let user = Unmanaged.passUnretained(sink).toOpaque().assumingMemoryBound(to: UInt8.self)
            while true {
                // Counted in the callback: pcap_dispatch returns -2 after a breakloop even when it
                // wrote packets first.
                let n = pcap_dispatch(handle, -1, { user, header, bytes in
                    let sink = Unmanaged<Sink>.fromOpaque(UnsafeRawPointer(user!)).takeUnretainedValue()
                    pcap_dump(sink.dumper, header, bytes)
                    sink.written += 1
                }, user)
                if n < 0 { break }  // breakloop or error
                lock.lock()
                let s = stopping
                lock.unlock()
                if s && n == 0 { break }
            }
            done.signal()
        }
        t.name = "pcap"
        thread = t
        t.start()
    }

    /// Drains what the kernel already holds, then closes the file. Returns the packets written
    /// to the file (the frames tshark will count) and those the kernel dropped (its buffer full).
    /// libpcap's own `ps_recv` is not reported: on Linux it counts each loopback packet as seen
    /// both ways, twice the frames in the file.
    public func stop() -> (written: UInt64, dropped: UInt32) {
        lock.lock()
        stopping = true
        lock.unlock()
        if thread != nil {
            // In immediate mode packets are read as they arrive; give the last ones a moment,
            // then wake the capture thread (libpcap >= 1.10 interrupts its poll).
            if done.wait(timeout: .now() + .milliseconds(300)) == .timedOut {
                pcap_breakloop(handle)
                done.wait()
            }
        }
        var stats = pcap_stat()
        pcap_stats(handle, &stats)
        pcap_dump_flush(dumper)
        pcap_dump_close(dumper)
        pcap_close(handle)
        return (sink?.written ?? 0, stats.ps_drop)
    }
}

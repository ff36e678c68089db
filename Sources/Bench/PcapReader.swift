#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One captured frame, valid only inside the `forEachPacket` closure (it points into the
/// reader's buffer, so reading packets allocates nothing).
public struct CapturedPacket {
    /// 1-based frame number, as tshark numbers frames.
    public let number: Int
    /// Capture time in nanoseconds since the Unix epoch.
    public let timestampNanos: Int64
    /// The interface's link type (DLT_*/LINKTYPE_* value).
    public let linkType: UInt32
    /// The captured bytes (possibly fewer than were on the wire).
    public let bytes: UnsafeRawBufferPointer
}

/// Reads classic pcap (either byte order, microsecond or nanosecond magic) and pcapng (SHB, IDB,
/// EPB, SPB and the obsolete PB) from memory. A truncated last record ends the file quietly.
public struct PcapReader: Sendable {
    public enum Format: String, Sendable, Codable {
        case pcap, pcapng
    }

    public let bytes: [UInt8]
    public let format: Format

    public init(bytes: [UInt8]) throws(CaptureFileError) {
        guard bytes.count >= 4 else { throw .notACapture(magic: 0) }
        let magic = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        switch magic {
        case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1: format = .pcap
        case 0x0A0D_0D0A: format = .pcapng
        default: throw .notACapture(magic: magic)
        }
        self.bytes = bytes
    }

    /// Reads the whole file into memory with one `read` loop.
    public init(contentsOf path: String) throws(CaptureFileError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let size = Int(info.st_size)
        var failure: Int32 = 0
        let data = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var done = 0
            while done < size {
                let n = read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    failure = n < 0 ? errno : 0
                    break
                }
                done += n
            }
            count = done
        }
        if failure != 0 { throw .unreadable(path: path, reason: String(cString: strerror(failure))) }
        try self.init(bytes: data)
    }

    /// Calls `body` for every frame in file order.
    public func forEachPacket(_ body: (CapturedPacket) -> Void) {
        bytes.withUnsafeBytes { raw in
            switch format {
            case .pcap: Self.readClassic(raw, body)
            case .pcapng: Self.readNextGeneration(raw, body)
            }
        }
    }

    /// Number of frames (one pass over the records).
    public var packetCount: Int {
        var count = 0
        forEachPacket { _ in count += 1 }
        return count
    }

    private static func readClassic(_ raw: UnsafeRawBufferPointer, _ body: (CapturedPacket) -> Void) {
        guard raw.count >= 24 else { return }
        let magic = raw.loadUnaligned(as: UInt32.self)
        let swapped = magic == 0xD4C3_B2A1 || magic == 0x4D3C_B2A1
        let nanos = magic == 0xA1B2_3C4D || magic == 0x4D3C_B2A1
        let word = ByteOrderReader(raw: raw, swapped: swapped)
        // The link type's upper bits may carry FCS information (pcap spec, LinkType field).
        let linkType = word.u32(20) & 0x0FFF_FFFF
        var offset = 24
        var number = 0
        while offset + 16 <= raw.count {
            let seconds = Int64(word.u32(offset))
            let fraction = Int64(word.u32(offset + 4))
            let captured = Int(word.u32(offset + 8))
            let start = offset + 16
            guard captured <= raw.count - start else { return }
            number += 1
            let time = seconds * 1_000_000_000 + (nanos ? fraction : fraction * 1_000)
            body(CapturedPacket(
                number: number, timestampNanos: time, linkType: linkType,
                bytes: UnsafeRawBufferPointer(rebasing: raw[start..<(start + captured)])))
            offset = start + captured
        }
    }
}

/// Loads fixed-width fields in the file's byte order.
struct ByteOrderReader {
    let raw: UnsafeRawBufferPointer
    let swapped: Bool

    @inline(__always) func u32(_ offset: Int) -> UInt32 {
        let v = raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return swapped ? v.byteSwapped : v
    }

    @inline(__always) func u64(_ offset: Int) -> UInt64 {
        let v = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        return swapped ? v.byteSwapped : v
    }

    @inline(__always) func u16(_ offset: Int) -> UInt16 {
        let v = raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        return swapped ? v.byteSwapped : v
    }
}

import Foundation

/// A small capture writer for tests: builds frames (Ethernet, Linux cooked v1/v2 or raw IPv4
/// around IPv4/UDP) and writes them as classic pcap (either byte order, micro or nanosecond
/// timestamps) or pcapng. Independent of the reader under test.
struct CaptureWriter {
    enum Link: UInt32 {
        case ethernet = 1, linuxCooked = 113, linuxCookedV2 = 276, rawIPv4 = 101
    }

    struct Frame {
        var nanos: Int64
        var bytes: [UInt8]
    }

    var link: Link = .ethernet
    var frames: [Frame] = []

    /// Capture times are `base + offset`.
    static let base: Int64 = 1_700_000_000 * 1_000_000_000

    mutating func udp(at offsetNanos: Int64, from: (String, UInt16), to: (String, UInt16), payload: [UInt8]) {
        frames.append(Frame(nanos: Self.base + offsetNanos, bytes: frame(from: from, to: to, payload: payload)))
    }

    func frame(from: (String, UInt16), to: (String, UInt16), payload: [UInt8]) -> [UInt8] {
        var udp = be16(from.1) + be16(to.1) + be16(UInt16(8 + payload.count)) + [0, 0]
        udp += payload
        var ip: [UInt8] = [0x45, 0] + be16(UInt16(20 + udp.count)) + [0, 1, 0x40, 0, 64, 17, 0, 0]
        ip += address(from.0) + address(to.0)
        let sum = checksum(ip)
        ip[10] = UInt8(sum >> 8)
        ip[11] = UInt8(sum & 0xFF)
        let packet = ip + udp
        switch link {
        case .ethernet:
            return [0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00] + packet
        case .linuxCooked:
            return [0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00] + packet
        case .linuxCookedV2:
            return [0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 0, 0, 0, 0, 0, 1, 0, 0] + packet
        case .rawIPv4:
            return packet
        }
    }

    // MARK: Files

    func classicPcap(bigEndian: Bool = false, nanosecond: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        func u32(_ v: UInt32) { out += bigEndian ? be32(v) : le32(v) }
        func u16(_ v: UInt16) { out += bigEndian ? be16(v) : le16(v) }
        u32(nanosecond ? 0xA1B2_3C4D : 0xA1B2_C3D4)
        u16(2)
        u16(4)
        u32(0)
        u32(0)
        u32(262_144)
        u32(link.rawValue)
        for f in frames {
            u32(UInt32(f.nanos / 1_000_000_000))
            let fraction = f.nanos % 1_000_000_000
            u32(UInt32(nanosecond ? fraction : fraction / 1_000))
            u32(UInt32(f.bytes.count))
            u32(UInt32(f.bytes.count))
            out += f.bytes
        }
        return out
    }

    /// Little-endian pcapng: SHB, one IDB with `if_tsresol` = 10^-9, EPBs; optionally one
    /// Simple Packet Block at the end (no timestamp) and an unknown block to skip.
    func pcapng(withSimpleBlock simple: [UInt8]? = nil) -> [UInt8] {
        var out: [UInt8] = []
        func block(_ type: UInt32, _ body: [UInt8]) {
            var padded = body
            while padded.count % 4 != 0 { padded.append(0) }
            let length = UInt32(12 + padded.count)
            out += le32(type) + le32(length) + padded + le32(length)
        }
        block(0x0A0D_0D0A, le32(0x1A2B_3C4D) + le16(1) + le16(0) + [UInt8](repeating: 0xFF, count: 8))
        let tsresol: [UInt8] = le16(9) + le16(1) + [9, 0, 0, 0]
        block(1, le16(UInt16(link.rawValue)) + le16(0) + le32(262_144) + tsresol + le16(0) + le16(0))
        block(0xBAD0_0001, [1, 2, 3, 4])
        for f in frames {
            let ts = UInt64(f.nanos)
            var body = le32(0) + le32(UInt32(ts >> 32)) + le32(UInt32(ts & 0xFFFF_FFFF))
            body += le32(UInt32(f.bytes.count)) + le32(UInt32(f.bytes.count)) + f.bytes
            block(6, body)
        }
        if let simple { block(3, le32(UInt32(simple.count)) + simple) }
        return out
    }

    func write(_ bytes: [UInt8], name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-tests-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
func le32(_ v: UInt32) -> [UInt8] { be32(v).reversed() }

func address(_ text: String) -> [UInt8] { text.split(separator: ".").map { UInt8($0)! } }

func checksum(_ bytes: [UInt8]) -> UInt16 {
    var sum: UInt32 = 0
    for i in stride(from: 0, to: bytes.count, by: 2) {
        sum += UInt32(bytes[i]) << 8 | UInt32(i + 1 < bytes.count ? bytes[i + 1] : 0)
    }
    while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
    return ~UInt16(sum)
}

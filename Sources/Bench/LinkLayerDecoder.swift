/// Finds the IPv4/UDP datagram in a frame of a supported link type. Anything else (IPv6, TCP,
/// ARP, IP fragments, truncated headers) gives nil and is counted by the caller.
enum LinkLayerDecoder {
    static let ethernet: UInt32 = 1  // DLT_EN10MB, also what Linux `lo` captures give
    static let linuxCooked: UInt32 = 113  // DLT_LINUX_SLL
    static let linuxCookedV2: UInt32 = 276  // DLT_LINUX_SLL2
    static let rawIP: UInt32 = 101  // LINKTYPE_RAW
    static let rawIPv4: UInt32 = 228  // LINKTYPE_IPV4
    static let bsdLoopback: UInt32 = 0  // DLT_NULL: 4-byte address family in host order

    static func udp(in packet: CapturedPacket) -> UDPDatagram? {
        let b = packet.bytes
        switch packet.linkType {
        case ethernet:
            guard b.count >= 14 else { return nil }
            var type = be16(b, 12)
            var offset = 14
            // 802.1Q / 802.1ad tags, possibly stacked.
            while type == 0x8100 || type == 0x88A8 || type == 0x9100 {
                guard b.count >= offset + 4 else { return nil }
                type = be16(b, offset + 2)
                offset += 4
            }
            return type == 0x0800 ? ipv4(b, at: offset) : nil
        case linuxCooked:
            guard b.count >= 16, be16(b, 14) == 0x0800 else { return nil }
            return ipv4(b, at: 16)
        case linuxCookedV2:
            guard b.count >= 20, be16(b, 0) == 0x0800 else { return nil }
            return ipv4(b, at: 20)
        case rawIP, rawIPv4, 12, 14:  // 12/14: DLT_RAW on some BSDs
            return ipv4(b, at: 0)
        case bsdLoopback:
            guard b.count >= 4 else { return nil }
            let family = b.loadUnaligned(as: UInt32.self)
            return family == 2 || family.byteSwapped == 2 ? ipv4(b, at: 4) : nil
        default:
            return nil
        }
    }

    @inline(__always) static func be16(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt16 {
        UInt16(b[at]) << 8 | UInt16(b[at + 1])
    }

    @inline(__always) static func be32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(bigEndian: b.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    private static func ipv4(_ b: UnsafeRawBufferPointer, at ip: Int) -> UDPDatagram? {
        guard b.count >= ip + 20, b[ip] >> 4 == 4 else { return nil }
        let headerLength = Int(b[ip] & 0x0F) * 4
        let totalLength = Int(be16(b, ip + 2))
        let fragment = be16(b, ip + 6)
        // More-fragments set or a non-zero offset: a fragment (skipped, not reassembled).
        guard headerLength >= 20, fragment & 0x3FFF == 0, b[ip + 9] == 17 else { return nil }
        let udp = ip + headerLength
        // Trust the IP length over the frame length (Ethernet pads short frames).
        let end = min(b.count, totalLength >= headerLength ? ip + totalLength : b.count)
        guard end >= udp + 8 else { return nil }
        let udpLength = Int(be16(b, udp + 4))
        let payloadEnd = udpLength >= 8 ? min(end, udp + udpLength) : end
        return UDPDatagram(
            source: UDPEndpoint(address: IPv4Address(be32(b, ip + 12)), port: be16(b, udp)),
            destination: UDPEndpoint(address: IPv4Address(be32(b, ip + 16)), port: be16(b, udp + 2)),
            payload: UnsafeRawBufferPointer(rebasing: b[(udp + 8)..<payloadEnd]))
    }
}

/// pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks `type, total length, body, total
/// length`. Each Section Header Block sets the byte order and starts a fresh interface list.
extension PcapReader {
    private struct Interface {
        var linkType: UInt32
        /// Timestamp units per second and the `if_tsoffset` seconds.
        var unitsPerSecond: UInt64 = 1_000_000
        var offsetSeconds: Int64 = 0
    }

    static func readNextGeneration(_ raw: UnsafeRawBufferPointer, _ body: (CapturedPacket) -> Void) {
        var offset = 0
        var word = ByteOrderReader(raw: raw, swapped: false)
        var interfaces: [Interface] = []
        var number = 0
        while offset + 12 <= raw.count {
            var type = word.u32(offset)
            if type == 0x0A0D_0D0A {
                // Section Header Block: the byte-order magic decides how to read the rest.
                guard offset + 28 <= raw.count else { return }
                let magic = raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
                guard magic == 0x1A2B_3C4D || magic == 0x4D3C_2B1A else { return }
                word = ByteOrderReader(raw: raw, swapped: magic == 0x4D3C_2B1A)
                interfaces.removeAll()
                type = 0x0A0D_0D0A
            }
            let length = Int(word.u32(offset + 4))
            guard length >= 12, length % 4 == 0, length <= raw.count - offset else { return }
            let blockBody = offset + 8
            let bodyEnd = offset + length - 4
            switch type {
            case 1:  // Interface Description Block
                guard bodyEnd - blockBody >= 8 else { break }
                var interface = Interface(linkType: UInt32(word.u16(blockBody)))
                readInterfaceOptions(word, from: blockBody + 8, to: bodyEnd, into: &interface)
                interfaces.append(interface)
            case 6, 2:  // Enhanced Packet Block, obsolete Packet Block
                guard bodyEnd - blockBody >= 20 else { break }
                let id = type == 6 ? Int(word.u32(blockBody)) : Int(word.u16(blockBody))
                guard id < interfaces.count else { break }
                let units = UInt64(word.u32(blockBody + 4)) << 32 | UInt64(word.u32(blockBody + 8))
                let captured = Int(word.u32(blockBody + 12))
                let start = blockBody + 20
                guard captured <= bodyEnd - start else { break }
                number += 1
                body(CapturedPacket(
                    number: number, timestampNanos: nanoseconds(units, interfaces[id]),
                    linkType: interfaces[id].linkType,
                    bytes: UnsafeRawBufferPointer(rebasing: raw[start..<(start + captured)])))
            case 3:  // Simple Packet Block: interface 0, no timestamp
                guard bodyEnd - blockBody >= 4, !interfaces.isEmpty else { break }
                let original = Int(word.u32(blockBody))
                let start = blockBody + 4
                let captured = min(original, bodyEnd - start)
                number += 1
                body(CapturedPacket(
                    number: number, timestampNanos: 0, linkType: interfaces[0].linkType,
                    bytes: UnsafeRawBufferPointer(rebasing: raw[start..<(start + captured)])))
            default:
                break  // name resolution, statistics, custom and unknown blocks
            }
            offset += length
        }
    }

    private static func readInterfaceOptions(
        _ word: ByteOrderReader, from start: Int, to end: Int, into interface: inout Interface
    ) {
        var at = start
        while at + 4 <= end {
            let code = word.u16(at)
            let length = Int(word.u16(at + 2))
            let value = at + 4
            guard code != 0, value + length <= end else { return }
            if code == 9, length >= 1 {
                // if_tsresol: high bit clear = 10^-n seconds, set = 2^-n seconds.
                let v = word.raw[value]
                let exponent = UInt64(v & 0x7F)
                if v & 0x80 == 0 {
                    if exponent <= 19 {
                        var p: UInt64 = 1
                        for _ in 0..<exponent { p *= 10 }
                        interface.unitsPerSecond = p
                    }
                } else if exponent < 64 {
                    interface.unitsPerSecond = 1 << exponent
                }
            } else if code == 14, length >= 8 {
                interface.offsetSeconds = Int64(bitPattern: word.u64(value))
            }
            at = value + (length + 3) / 4 * 4
        }
    }

    private static func nanoseconds(_ units: UInt64, _ interface: Interface) -> Int64 {
        let perSecond = interface.unitsPerSecond
        let seconds = units / perSecond
        let rest = units % perSecond
        let (high, low) = rest.multipliedFullWidth(by: 1_000_000_000)
        let fraction = perSecond.dividingFullWidth((high, low)).quotient
        return (Int64(truncatingIfNeeded: seconds) &+ interface.offsetSeconds) &* 1_000_000_000
            &+ Int64(truncatingIfNeeded: fraction)
    }
}

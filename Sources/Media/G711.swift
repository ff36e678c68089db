/// G.711 µ-law (PCMU) coding, ITU-T G.711 §A/µ with the usual bias-and-segment method.
public enum G711 {
    public static func encodeMuLaw(_ sample: Int16) -> UInt8 {
        let bias = 0x84
        let clip = 32635
        var s = Int(sample)
        let sign = s < 0 ? 0x80 : 0
        if s < 0 { s = -s }
        if s > clip { s = clip }
        s += bias
        var exponent = 7
        var mask = 0x4000
        while exponent > 0 && (s & mask) == 0 {
            exponent -= 1
            mask >>= 1
        }
        let mantissa = (s >> (exponent + 3)) & 0x0F
        return ~UInt8(sign | (exponent << 4) | mantissa)
    }

    public static func decodeMuLaw(_ byte: UInt8) -> Int16 {
        let u = Int(~byte)
        let sign = u & 0x80
        let exponent = (u >> 4) & 0x07
        let mantissa = u & 0x0F
        var s = ((mantissa << 3) + 0x84) << exponent
        s -= 0x84
        return Int16(sign != 0 ? -s : s)
    }
}

/// G.711 A-law (PCMA), ITU-T G.711 Table 1/2: 13-bit linear in eight segments, even bits inverted.
extension G711 {
    public static func encodeALaw(_ sample: Int16) -> UInt8 {
        var pcm = Int(sample) >> 3  // 13 significant bits
        let invert: Int
        if pcm >= 0 {
            invert = 0xD5  // sign bit set for positive values, then the even bits inverted
        } else {
            invert = 0x55
            pcm = -pcm - 1
        }
        // Segment s holds magnitudes up to 2^(s+5) - 1 (0x1F, 0x3F, ... 0xFFF).
        var segment = 0
        while segment < 8 && pcm >= (0x20 << segment) { segment += 1 }
        guard segment < 8 else { return UInt8(0x7F ^ invert) }  // clipped
        let mantissa = segment < 2 ? (pcm >> 1) & 0x0F : (pcm >> segment) & 0x0F
        return UInt8(((segment << 4) | mantissa) ^ invert)
    }

    public static func decodeALaw(_ byte: UInt8) -> Int16 {
        let a = Int(byte) ^ 0x55
        let segment = (a >> 4) & 0x07
        var t = (a & 0x0F) << 4
        switch segment {
        case 0: t += 8
        case 1: t += 0x108
        default: t = (t + 0x108) << (segment - 1)
        }
        return Int16((a & 0x80) != 0 ? t : -t)
    }

    /// Which of the two G.711 laws a stream uses: its RTP payload type (RFC 3551) and SDP name.
    public enum Law: Sendable, Equatable, CaseIterable {
        case muLaw, aLaw

        public init?(codec name: String) {
            switch name.uppercased() {
            case "PCMU": self = .muLaw
            case "PCMA": self = .aLaw
            default: return nil
            }
        }

        public init?(payloadType: Int) {
            switch payloadType {
            case 0: self = .muLaw
            case 8: self = .aLaw
            default: return nil
            }
        }

        public var codec: String { self == .muLaw ? "PCMU" : "PCMA" }
        public var payloadType: Int { self == .muLaw ? 0 : 8 }
        public func encode(_ sample: Int16) -> UInt8 { self == .muLaw ? G711.encodeMuLaw(sample) : G711.encodeALaw(sample) }
        public func decode(_ byte: UInt8) -> Int16 { self == .muLaw ? G711.decodeMuLaw(byte) : G711.decodeALaw(byte) }
    }
}

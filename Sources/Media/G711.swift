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

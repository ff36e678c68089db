import Media
import Testing

/// G.711 A-law against ITU-T G.711's tables, and a tone through each law found by Goertzel.
@Suite struct G711Tests {
    @Test func aLawMatchesTheTableAtItsEdges() {
        #expect(G711.encodeALaw(0) == 0xD5)  // +0 is segment 0, even bits inverted
        #expect(G711.encodeALaw(-8) == 0x55)
        #expect(G711.encodeALaw(Int16.max) == 0xAA)  // clipped to the top of segment 7
        #expect(G711.encodeALaw(Int16.min) == 0x2A)
        #expect(G711.decodeALaw(0xD5) == 8)
        #expect(G711.decodeALaw(0x55) == -8)
        #expect(G711.decodeALaw(0xAA) == 32256)
    }

    /// Reference values from CPython's `audioop.lin2alaw` / `alaw2lin` (an independent G.711 coder).
    @Test func aLawMatchesAnIndependentCoder() {
        let encoded: [(Int16, UInt8)] = [(0, 0xD5), (-8, 0x55), (1, 0xD5), (100, 0xD3), (-100, 0x53), (1000, 0xFA), (-1000, 0x7A),
                                         (5000, 0x86), (-5000, 0x06), (20000, 0xA6), (-20000, 0x26), (255, 0xDA), (256, 0xC5),
                                         (511, 0xCA), (512, 0xF5), (4095, 0x9A), (4096, 0x85)]
        for (sample, byte) in encoded { #expect(G711.encodeALaw(sample) == byte, "\(sample)") }
        let decoded: [(UInt8, Int16)] = [(0x80, 5504), (0x00, -5504), (0xFF, 848), (0x7F, -848), (0x2A, -32256)]
        for (byte, sample) in decoded { #expect(G711.decodeALaw(byte) == sample, "\(byte)") }
    }

    @Test func aLawRoundTripStaysWithinItsStep() {
        for sample in stride(from: -32000, through: 32000, by: 97) {
            let back = Int(G711.decodeALaw(G711.encodeALaw(Int16(sample))))
            // The quantisation step doubles per segment: 1/32 of the value at most (16 below 512).
            #expect(abs(back - sample) <= max(16, abs(sample) / 32 + 1), "\(sample) -> \(back)")
        }
    }

    @Test(arguments: G711.Law.allCases) func aToneIsHeardThroughEitherLaw(law: G711.Law) {
        var tone = ToneGenerator(frequency: 1000, law: law)
        var detector = ToneDetector(frequencies: [400, 1000, 2000])
        for _ in 0..<20 { detector.add(tone.nextFrame(), law: law) }
        #expect(detector.dominantFrequency == 1000)
        #expect(G711.Law(codec: law.codec) == law && G711.Law(payloadType: law.payloadType) == law)
    }
}

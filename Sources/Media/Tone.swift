import Foundation

/// A steady sine tone as G.711 frames (µ-law or A-law): each side of a simulated call sends its own
/// frequency, and the receiver proves it heard the other side by measuring that frequency.
/// One second of the tone is encoded once; frames are slices of it (a whole number of periods for
/// whole-Hz tones, so the loop is seamless), which keeps a thousand streams cheap.
public struct ToneGenerator: Sendable {
    public let frequency: Double
    public let sampleRate: Double
    public let law: G711.Law
    private let table: [UInt8]
    private var offset = 0

    public init(frequency: Double, sampleRate: Double = 8000, law: G711.Law = .muLaw) {
        self.frequency = frequency
        self.sampleRate = sampleRate
        self.law = law
        let step = 2 * Double.pi * frequency / sampleRate
        table = (0..<Int(sampleRate)).map { law.encode(Int16(sin(Double($0) * step) * 8000)) }
    }

    /// The next `samples` samples (160 = 20 ms at 8 kHz) as G.711 bytes.
    public mutating func nextFrame(samples: Int = 160) -> [UInt8] {
        withNextFrame(samples: samples) { Array($0) }
    }

    /// The next frame without copying it.
    public mutating func withNextFrame<R>(samples: Int = 160, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if offset + samples > table.count { offset = 0 }
        defer { offset += samples }
        return table.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[offset..<offset + samples])) }
    }
}

/// Goertzel power of one frequency over G.711 or linear audio: cheap single-bin DFT.
public struct ToneDetector: Sendable {
    public let frequencies: [Double]
    public let sampleRate: Double
    private var power: [Double]
    public private(set) var frames = 0

    public init(frequencies: [Double], sampleRate: Double = 8000) {
        self.frequencies = frequencies
        self.sampleRate = sampleRate
        self.power = Array(repeating: 0, count: frequencies.count)
    }

    public mutating func add(muLaw frame: [UInt8]) {
        add(frame, law: .muLaw)
    }

    public mutating func add(_ frame: [UInt8], law: G711.Law) {
        add(linear: frame.map { law.decode($0) })
    }

    /// 16-bit linear samples (e.g. a WAV file a real phone recorded).
    public mutating func add(linear frame: [Int16]) {
        let samples = frame.map { Double($0) }
        for (i, f) in frequencies.enumerated() {
            let coeff = 2 * cos(2 * Double.pi * f / sampleRate)
            var s1 = 0.0, s2 = 0.0
            for x in samples {
                let s0 = x + coeff * s1 - s2
                s2 = s1
                s1 = s0
            }
            power[i] += (s1 * s1 + s2 * s2 - coeff * s1 * s2) / Double(max(samples.count, 1))
        }
        frames += 1
    }

    /// The frequency with the most energy, nil before any audio.
    public var dominantFrequency: Double? {
        guard frames > 0, let i = power.indices.max(by: { power[$0] < power[$1] }), power[i] > 0 else { return nil }
        return frequencies[i]
    }
}

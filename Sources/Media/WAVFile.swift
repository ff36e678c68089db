import Foundation

/// A telephone-quality WAV file (RIFF/WAVE, RFC 2361 format tags): 8 kHz mono, 16-bit linear PCM
/// (tag 1), A-law (6) or µ-law (7), the formats phones and peers (Asterisk's `.wav`/`.ulaw`,
/// FreeSWITCH) use. Read for prompts (anything else is refused with what to run to convert it),
/// written for recordings and voicemail (stereo allowed: caller left, agent right).
public struct WAVFile: Sendable, Equatable {
    public enum Encoding: UInt16, Sendable { case linear16 = 1, aLaw = 6, muLaw = 7 }

    public struct FormatError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public var encoding: Encoding
    public var channels: Int
    public var sampleRate: Int
    /// Interleaved samples, 16-bit linear (G.711 files are decoded on reading).
    public var samples: [Int16]

    public init(encoding: Encoding = .linear16, channels: Int = 1, sampleRate: Int = 8000, samples: [Int16]) {
        self.encoding = encoding
        self.channels = channels
        self.sampleRate = sampleRate
        self.samples = samples
    }

    public var duration: Double { Double(samples.count / max(channels, 1)) / Double(sampleRate) }

    static let conversion = "convert it with: sox IN.wav -r 8000 -c 1 -e signed-integer -b 16 OUT.wav"

    /// Reads a prompt: 8 kHz, mono, 16-bit linear or G.711, at least one sample.
    public static func readPrompt(_ path: String) throws(FormatError) -> WAVFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FormatError(description: "cannot read \(path)")
        }
        let wav = try parse([UInt8](data), name: path)
        guard wav.sampleRate == 8000, wav.channels == 1 else {
            throw FormatError(description: "\(path) is \(wav.sampleRate) Hz, \(wav.channels) channel(s); prompts must be 8000 Hz mono; \(conversion)")
        }
        guard !wav.samples.isEmpty else { throw FormatError(description: "\(path) has no audio") }
        return wav
    }

    /// Parses RIFF/WAVE bytes (chunks in any order, unknown chunks skipped).
    public static func parse(_ b: [UInt8], name: String) throws(FormatError) -> WAVFile {
        func u16(_ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
        func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }
        guard b.count >= 12, b[0..<4] == [0x52, 0x49, 0x46, 0x46], b[8..<12] == [0x57, 0x41, 0x56, 0x45] else {
            throw FormatError(description: "\(name) is not a WAV file (no RIFF/WAVE header); \(conversion)")
        }
        var format: (tag: UInt16, channels: Int, rate: Int, bits: Int)?
        var data: Range<Int>?
        var i = 12
        while i + 8 <= b.count {
            let id = String(decoding: b[i..<i + 4], as: UTF8.self)
            let size = Int(u32(i + 4))
            let body = i + 8
            guard body + size <= b.count || id == "data" else { break }
            if id == "fmt ", size >= 16 {
                format = (u16(body), Int(u16(body + 2)), Int(u32(body + 4)), Int(u16(body + 14)))
            } else if id == "data" {
                data = body..<min(body + size, b.count)  // a truncated last chunk: what is there
            }
            i = body + size + (size & 1)  // chunks are padded to even sizes
        }
        guard let format, let data else { throw FormatError(description: "\(name) has no fmt or data chunk; \(conversion)") }
        let encoding: Encoding
        switch (format.tag, format.bits) {
        case (1, 16): encoding = .linear16
        case (6, 8): encoding = .aLaw
        case (7, 8): encoding = .muLaw
        default:
            throw FormatError(description: "\(name) is encoded as format \(format.tag) with \(format.bits) bits; prompts must be 16-bit linear, A-law or µ-law; \(conversion)")
        }
        guard format.channels >= 1 else { throw FormatError(description: "\(name) has no channels") }
        let samples: [Int16]
        switch encoding {
        case .linear16: samples = stride(from: data.lowerBound, to: data.upperBound - 1, by: 2).map { Int16(bitPattern: u16($0)) }
        case .aLaw: samples = b[data].map(G711.decodeALaw)
        case .muLaw: samples = b[data].map(G711.decodeMuLaw)
        }
        return WAVFile(encoding: encoding, channels: format.channels, sampleRate: format.rate, samples: samples)
    }

    /// The file's bytes: a 44-byte canonical header and the samples in `encoding`.
    public var bytes: [UInt8] {
        let width = encoding == .linear16 ? 2 : 1
        let dataSize = samples.count * width
        var out: [UInt8] = []
        out.reserveCapacity(44 + dataSize)
        func put32(_ v: Int) { out += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)] }
        func put16(_ v: Int) { out += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        out += Array("RIFF".utf8); put32(36 + dataSize); out += Array("WAVE".utf8)
        out += Array("fmt ".utf8); put32(16); put16(Int(encoding.rawValue)); put16(channels); put32(sampleRate)
        put32(sampleRate * channels * width); put16(channels * width); put16(width * 8)
        out += Array("data".utf8); put32(dataSize)
        switch encoding {
        case .linear16: for s in samples { put16(Int(UInt16(bitPattern: s))) }
        case .aLaw: out += samples.map(G711.encodeALaw)
        case .muLaw: out += samples.map(G711.encodeMuLaw)
        }
        return out
    }
}

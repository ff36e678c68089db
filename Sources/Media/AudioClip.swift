/// A prompt or a music file ready to play: its samples encoded once in both G.711 laws, so a
/// thousand callers hearing the same music cost one copy and no encoding per frame.
public final class AudioClip: Sendable {
    /// What the clip is called in logs (its file).
    public let name: String
    public let muLaw: [UInt8]
    public let aLaw: [UInt8]

    public init(name: String, samples: [Int16]) {
        self.name = name
        self.muLaw = samples.map(G711.encodeMuLaw)
        self.aLaw = samples.map(G711.encodeALaw)
    }

    /// A prompt file (8 kHz mono, see `WAVFile.readPrompt`).
    public convenience init(prompt path: String) throws(WAVFile.FormatError) {
        self.init(name: path, samples: try WAVFile.readPrompt(path).samples)
    }

    public func bytes(_ law: G711.Law) -> [UInt8] { law == .muLaw ? muLaw : aLaw }

    public var duration: Double { Double(muLaw.count) / 8000 }
}

extension G711.Law {
    /// The code of silence (linear 0) in this law.
    public var silence: UInt8 { encode(0) }
}

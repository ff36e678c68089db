/// Both directions of a bridged call as the relay hears them, from the moment recording starts:
/// each side's G.711 audio decoded and placed on the call's timeline by its RTP timestamps,
/// anchored to the arrival time of the side's first packet (and again at a new SSRC, another
/// device), so a lost packet leaves 20 ms of silence instead of shifting what follows. Kept in
/// memory (16 bits a sample, 32 KB a second for both sides) up to `maxSamples` per side; lives on
/// its relay thread.
final class CallRecorder {
    struct Side {
        var samples: [Int16] = []
        var anchor: (ssrc: UInt32, offset: Int64)?
    }

    let startedAt: Double
    let maxSamples: Int
    var paused = false
    private(set) var sides = [Side(), Side()]
    private(set) var truncated = false

    init(startedAt: Double, maxSeconds: Double) {
        self.startedAt = startedAt
        self.maxSamples = Int(maxSeconds * 8000)
    }

    /// An RTP packet from `side` (0 caller, 1 agent) arriving at `now`: PCMU or PCMA (static
    /// payload types 0 and 8, RFC 3551); anything else (telephone-event, another codec) is left out.
    func add(side: Int, _ p: UnsafeRawBufferPointer, at now: Double) {
        guard !paused, p.count > 12, p[0] >> 6 == 2 else { return }
        let pt = p[1] & 0x7F
        guard pt == 0 || pt == 8 else { return }
        let csrc = Int(p[0] & 0x0F) * 4
        let start = 12 + csrc
        guard p.count > start else { return }
        let ts = Int64(UInt32(p[4]) << 24 | UInt32(p[5]) << 16 | UInt32(p[6]) << 8 | UInt32(p[7]))
        let ssrc = UInt32(p[8]) << 24 | UInt32(p[9]) << 16 | UInt32(p[10]) << 8 | UInt32(p[11])
        if sides[side].anchor?.ssrc != ssrc {
            let at = Int64(((now - startedAt) * 8000).rounded())
            sides[side].anchor = (ssrc, at - ts)
        }
        guard let anchor = sides[side].anchor else { return }
        // The timestamp wraps at 2^32 (about 6 days at 8 kHz): unwrapped against the anchor.
        var index = ts + anchor.offset
        if index < -(1 << 31) { index += 1 << 32 }
        let count = p.count - start
        guard index >= 0 else { return }
        guard Int(index) + count <= maxSamples else {
            truncated = true
            return
        }
        let end = Int(index) + count
        if sides[side].samples.count < end {
            sides[side].samples.append(contentsOf: repeatElement(0, count: end - sides[side].samples.count))
        }
        let law: G711.Law = pt == 0 ? .muLaw : .aLaw
        let at = Int(index)
        sides[side].samples.withUnsafeMutableBufferPointer { out in
            for i in 0..<count { out[at + i] = law.decode(p[start + i]) }
        }
    }

    func finish() -> CallRecording {
        CallRecording(caller: sides[0].samples, agent: sides[1].samples, truncated: truncated)
    }
}

/// A finished call recording: each side's audio on one timeline (8 kHz, 16-bit), from when
/// recording started.
public struct CallRecording: Sendable, Equatable {
    public var caller: [Int16]
    public var agent: [Int16]
    /// The maximum length was reached: the rest was not kept.
    public var truncated: Bool

    public init(caller: [Int16], agent: [Int16], truncated: Bool = false) {
        self.caller = caller
        self.agent = agent
        self.truncated = truncated
    }

    public var duration: Double { Double(max(caller.count, agent.count)) / 8000 }

    /// The caller's side from its first sound to its last (a voicemail message: the silence
    /// between the beep and the caller's first packet, and after its last, is not kept).
    public var callerSound: [Int16] {
        guard let first = caller.firstIndex(where: { $0 != 0 }), let last = caller.lastIndex(where: { $0 != 0 }) else { return [] }
        return Array(caller[first...last])
    }

    /// One stereo file: the caller left, the agent right (the shorter side padded with silence).
    public var stereo: WAVFile {
        let n = max(caller.count, agent.count)
        var samples = [Int16](repeating: 0, count: n * 2)
        for i in 0..<caller.count { samples[2 * i] = caller[i] }
        for i in 0..<agent.count { samples[2 * i + 1] = agent[i] }
        return WAVFile(channels: 2, samples: samples)
    }

    /// Two mono files of the same length.
    public var split: (caller: WAVFile, agent: WAVFile) {
        let n = max(caller.count, agent.count)
        return (WAVFile(samples: caller + [Int16](repeating: 0, count: n - caller.count)),
                WAVFile(samples: agent + [Int16](repeating: 0, count: n - agent.count)))
    }
}

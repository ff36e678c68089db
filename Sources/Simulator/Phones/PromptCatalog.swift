import Engine
import Media

/// The prompts and music an engine plays, indexed by their 20 ms frames as the relay sends them
/// (`LegPlayer`: a prompt from its first sample in 160-sample frames, its last frame padded with
/// silence; music looped, a frame running over the end into the start), so a caller's received
/// audio tells which file each frame came from. Built from the engine configuration ccsim starts
/// the engine with, whose clips are read and encoded by the same code as the engine's.
public final class PromptCatalog: Sendable {
    /// A frame of a clip: which clip, and the sample it starts at.
    public struct Position: Hashable, Sendable {
        public var clip: Int
        public var sample: Int
    }

    struct Clip: Sendable {
        let name: String
        let looped: Bool
        let samples: Int
    }

    static let frame = 160
    let clips: [Clip]
    private let muLaw: [Int: [Position]]
    private let aLaw: [Int: [Position]]
    /// Frames with no sound (a pause inside a prompt), which a received silent frame continues.
    private let silent: Set<Position>

    /// `music`: the prompts played looped (queues' music on hold).
    public init(prompts: [MediaPrompt: AudioClip], music: Set<MediaPrompt>) {
        var clips: [Clip] = [], mu: [Int: [Position]] = [:], a: [Int: [Position]] = [:], silent: Set<Position> = []
        for (prompt, clip) in prompts.sorted(by: { Self.name($0.key) < Self.name($1.key) }) where !clip.muLaw.isEmpty {
            let index = clips.count, looped = music.contains(prompt), n = clip.muLaw.count
            clips.append(Clip(name: Self.name(prompt), looped: looped, samples: n))
            // Where a frame can start: every 160th sample of a prompt; of looped music, every
            // sample the relay's frames reach as they wrap (multiples of gcd(160, length)).
            let step = looped ? Self.gcd(Self.frame, n) : Self.frame
            for start in stride(from: 0, to: min(n, 600_000 * step), by: step) {
                let p = Position(clip: index, sample: start)
                let m = Self.window(clip.muLaw, at: start, looped: looped, silence: G711.Law.muLaw.silence)
                guard MediaEngine.hasSound(m, law: .muLaw) else {
                    silent.insert(p)
                    continue
                }
                mu[Self.key(m), default: []].append(p)
                a[Self.key(Self.window(clip.aLaw, at: start, looped: looped, silence: G711.Law.aLaw.silence)), default: []].append(p)
            }
        }
        self.clips = clips
        self.muLaw = mu
        self.aLaw = a
        self.silent = silent
    }

    /// The clips a received frame could be.
    func positions(of payload: [UInt8], law: G711.Law) -> [Position] {
        guard payload.count == Self.frame else { return [] }
        return (law == .muLaw ? muLaw : aLaw)[Self.key(payload)] ?? []
    }

    /// The frame the relay plays after `p` (nil after a prompt's last).
    func next(_ p: Position) -> Position? {
        let c = clips[p.clip]
        let s = p.sample + Self.frame
        if c.looped { return Position(clip: p.clip, sample: s % c.samples) }
        return s < c.samples ? Position(clip: p.clip, sample: s) : nil
    }

    func isSilent(_ p: Position) -> Bool { silent.contains(p) }

    func name(of p: Position) -> String { clips[p.clip].name }

    /// How the configuration names a prompt: a word of the prompt set, or a file's path.
    static func name(_ prompt: MediaPrompt) -> String {
        switch prompt {
        case .word(let w): w
        case .file(let path): path
        }
    }

    private static func window(_ bytes: [UInt8], at start: Int, looped: Bool, silence: UInt8) -> [UInt8] {
        (0..<frame).map { i in
            let s = start + i
            return s < bytes.count ? bytes[s] : looped ? bytes[s % bytes.count] : silence
        }
    }

    private static func key(_ bytes: [UInt8]) -> Int {
        var h = Hasher()
        bytes.withUnsafeBytes { h.combine(bytes: $0) }
        return h.finalize()
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}

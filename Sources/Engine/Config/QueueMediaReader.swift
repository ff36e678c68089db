import CallCenter
import EngineCore
import Foundation
import Media
import YAMLConfig

/// The sounds a configuration plays, loaded when it is read: a file that is missing or not
/// 8 kHz mono 16-bit/G.711 WAV is an error at the line that names it, never a silent call.
public struct PromptSet: Sendable, Equatable {
    public private(set) var clips: [MediaPrompt: AudioClip] = [:]
    /// The prompt set's folder (`media.prompts`, else the shipped one), for words.
    public var directory: String?

    public init() {}

    public subscript(_ prompt: MediaPrompt) -> AudioClip? { clips[prompt] }

    mutating func load(_ prompt: MediaPrompt, at v: YAMLValue) throws(ConfigError) {
        guard clips[prompt] == nil else { return }
        let path: String
        switch prompt {
        case .file(let p): path = p
        case .word(let w):
            guard let directory else {
                throw v.error("the prompt '\(w)' is a word of the prompt set, and no prompt folder was found", fix: "set media.prompts to a folder of WAV files (the shipped one is Prompts/)")
            }
            path = directory + "/" + w + ".wav"
        }
        do {
            clips[prompt] = try AudioClip(prompt: path)
        } catch {
            guard !FileManager.default.fileExists(atPath: path) else { throw v.error(error.description) }
            if case .word(let w) = prompt {
                throw v.error("the prompt folder \(directory ?? "") has no \(w).wav", fix: "record it, or copy it from the shipped set (Prompts/)")
            }
            throw v.error(error.description, fix: "check the path (relative to the folder ccengine runs in)")
        }
    }

    public static func == (a: PromptSet, b: PromptSet) -> Bool {
        a.directory == b.directory && a.clips.mapValues(\.name) == b.clips.mapValues(\.name)
    }

    /// The shipped prompt set: `share/ccengine/prompts` beside an installed program, else the
    /// source tree's `Prompts` (a build in `.build/<triple>/<config>/`).
    public static func shippedDirectory() -> String? {
        InstalledFolder.find(installed: "prompts", source: "Prompts", containing: "caller-number.wav")
    }
}

/// Reads a queue's `media:` (see docs/configuration.md, "Queue media").
enum QueueMediaReader {
    static let keys: Set<String> = ["answer", "music", "entry", "position", "periodic", "record", "record_max", "voicemail"]

    static func read(_ v: YAMLValue, queue: String, prompts: inout PromptSet) throws(ConfigError) -> QueueMedia {
        let m = try v.mapping(allowed: keys)
        var media = QueueMedia()
        // Early media by default when there is something to hear; a queue that only records answers on the agent's answer.
        media.answer = ["music", "entry", "position", "periodic"].contains { m[$0] != nil } ? .early : .agent
        if let r = m["record"] {
            guard let format = RecordingFormat(rawValue: try r.string()) else {
                throw r.error("unknown record format '\(try r.string())'", fix: "use stereo (one file: caller left, agent right) or split (two mono files)")
            }
            media.record = format
        }
        if let x = m["record_max"] {
            let d = try RoutingReader.positive(x)
            guard d <= .seconds(4 * 3600) else { throw x.error("record_max must be at most 4h (a recording is kept in memory until the call ends: 32 KB a second)") }
            media.recordMax = d
        }
        if let a = m["answer"] {
            guard let answer = QueueMedia.Answer(rawValue: try a.string()) else {
                throw a.error("unknown answer '\(try a.string())'", fix: "use early (183 + early media, billed from the agent's answer), queued (200 on entry, billed from entry) or agent (no queue media)")
            }
            media.answer = answer
        }
        func prompt(_ x: YAMLValue) throws(ConfigError) -> MediaPrompt {
            let p = MediaPrompt(named: try x.string())
            try prompts.load(p, at: x)
            return p
        }
        if let x = m["music"] { media.music = try prompt(x) }
        if let x = m["entry"] { media.entry = try prompt(x) }
        if let x = m["position"] {
            let p = try x.mapping(allowed: ["every", "first_after", "limit", "holdtime", "round_seconds"])
            var position = QueueMedia.Position()
            if let e = p["every"] { position.every = try RoutingReader.positive(e) }
            if let f = p["first_after"] { position.firstAfter = try f.duration() }
            if let l = p["limit"] { position.limit = try RoutingReader.positiveInt(l) }
            if let h = p["holdtime"] {
                let text = try h.string()
                guard let mode = QueueMedia.HoldTime(rawValue: text) ?? (text == "true" ? .yes : text == "false" ? .no : nil) else {
                    throw h.error("unknown holdtime '\(text)'", fix: "use yes, no or once")
                }
                position.holdTime = mode
            }
            if let r = p["round_seconds"] {
                let n = try r.int()
                guard [0, 5, 10, 15, 20, 30, 60].contains(n) else { throw r.error("round_seconds must be 0 (minutes), 5, 10, 15, 20, 30 or 60") }
                position.roundSeconds = n
            }
            media.position = position
        }
        if let x = m["periodic"] {
            let p = try x.mapping(allowed: ["prompt", "every", "first_after"])
            var periodic = QueueMedia.Periodic(prompt: try prompt(try p.required("prompt")))
            if let e = p["every"] { periodic.every = try RoutingReader.positive(e) }
            periodic.firstAfter = try p["first_after"].map { e throws(ConfigError) in try e.duration() } ?? periodic.every
            media.periodic = periodic
        }
        if let x = m["voicemail"] {
            let vm = try x.mapping(allowed: ["greeting", "max", "silence"])
            var box = QueueMedia.Voicemail()
            if let g = vm["greeting"] { box.greeting = try prompt(g) }
            if let mx = vm["max"] {
                box.max = try RoutingReader.positive(mx)
                guard box.max <= .seconds(3600) else { throw mx.error("a voicemail message is at most 1h (kept in memory until it ends)") }
            }
            if let s = vm["silence"] {
                let d = try s.duration()
                guard d == .zero || d >= .seconds(1) else { throw s.error("silence is checked about once a second", fix: "use 1s or more, or 0s to never end a message on silence") }
                box.silence = d == .zero ? nil : d
            }
            try prompts.load(box.greeting, at: x)
            media.voicemail = box
        }
        if media.answer == .agent, media.music != nil || media.entry != nil || media.position != nil || media.periodic != nil {
            throw (m["answer"] ?? v).error("queue '\(queue)': answer: agent gives the caller no media before an agent answers, so its music and announcements would never be heard",
                                           fix: "use answer: early or queued, or remove the media")
        }
        for word in media.wordsNeeded.sorted() { try prompts.load(.word(word), at: m["position"] ?? v) }
        return media
    }

    /// The recipes' `announce` prompts, loaded so a missing one fails at start, not mid-call.
    static func loadRecipePrompts(_ routing: CallCenterConfig, at v: YAMLValue, prompts: inout PromptSet) throws(ConfigError) {
        let recipes = [routing.defaultRecipe] + routing.queues.map(\.recipe) + routing.queueGroups.map(\.recipe)
        for step in recipes.joined() {
            for case .announce(let name) in step.operations {
                try prompts.load(MediaPrompt(named: name), at: v)
            }
        }
    }
}

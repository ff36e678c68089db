/// What a queue's waiting callers hear (`queues[].media` in the configuration): the peers'
/// options, Asterisk's `queues.conf` names in the comments. The core decides what plays when;
/// the relay plays it (`CoreAction.playMedia`).
public struct QueueMedia: Sendable, Equatable {
    /// When the caller is answered, which decides what a carrier bills.
    public enum Answer: String, Sendable, CaseIterable {
        /// Nothing until an agent answers (the caller hears its own ringback, then the agent):
        /// no queue media; billing starts when the agent answers.
        case agent
        /// A 183 Session Progress with our SDP on entry (RFC 3960 early media): the caller hears
        /// the queue's media unanswered and is billed only from the agent's answer. Some networks
        /// cut unanswered calls after a few minutes (a proxy's Timer C, RFC 3261 §16.6).
        case early
        /// A 200 OK on entry: the caller is billed from entering the queue, and nothing cuts it.
        case queued
    }

    /// `announce-holdtime`: say the estimated wait with the position.
    public enum HoldTime: String, Sendable, CaseIterable { case no, yes, once }

    /// `announce-position` and `announce-frequency`.
    public struct Position: Sendable, Equatable {
        public var every: Duration = .seconds(30)
        /// The first after this long in the queue (Asterisk: at once, after the entry prompt).
        public var firstAfter: Duration = .zero
        /// `announce-position=limit`: only to callers at this position or better.
        public var limit: Int?
        public var holdTime: HoldTime = .no
        /// `announce-round-seconds`: the wait rounded up to this many seconds; 0: whole minutes.
        public var roundSeconds = 0
        public init() {}
    }

    /// `periodic-announce`, `-frequency`, `-startdelay`.
    public struct Periodic: Sendable, Equatable {
        public var prompt: MediaPrompt
        public var every: Duration = .seconds(60)
        public var firstAfter: Duration = .seconds(60)
        public init(prompt: MediaPrompt) { self.prompt = prompt }
    }

    public var answer: Answer = .agent
    /// Looped under the announcements (`musicclass`).
    public var music: MediaPrompt?
    /// Played once on entry (`announce`).
    public var entry: MediaPrompt?
    public var position: Position?
    public var periodic: Periodic?
    /// Record answered calls from the bridge to the end (`record`).
    public var record: RecordingFormat?
    /// The longest recording kept (`record_max`); the rest of a longer call is not recorded.
    public var recordMax: Duration = .seconds(3600)
    /// Where the recipe's `voicemail` and `on_max_wait: voicemail` send callers; nil: they get 480.
    public var voicemail: Voicemail?

    /// A voicemail box: the greeting, a beep, then the caller's message until it hangs up,
    /// presses `#`, is silent for `silence` or `max` passes.
    public struct Voicemail: Sendable, Equatable {
        public var greeting: MediaPrompt = .word("voicemail-greeting")
        public var max: Duration = .seconds(120)
        /// This long without sound from the caller ends the message (Asterisk's `maxsilence`,
        /// 10 s); nil: never.
        public var silence: Duration? = .seconds(10)
        public init() {}
    }

    public init() {}

    /// Whether the caller hears anything from the queue.
    public var plays: Bool { answer != .agent && (music != nil || entry != nil || position != nil || periodic != nil) }

    /// The words of the prompt set these settings need (`SpokenPrompts`).
    public var wordsNeeded: Set<String> {
        var words: Set<String> = voicemail == nil ? [] : [SpokenPrompts.beep]
        guard let position else { return words }
        words.formUnion(SpokenPrompts.numberWords)
        words.insert(SpokenPrompts.callerNumber)
        if position.holdTime != .no { words.formUnion(SpokenPrompts.waitWords) }
        return words
    }
}

/// How a call is recorded: one stereo WAV (caller left, agent right) or two mono files.
public enum RecordingFormat: String, Sendable, CaseIterable { case stereo, split }

/// A sound the core asks the relay to play: a file named in the configuration, or a word of the
/// prompt set (`media.prompts`), e.g. "7" or "caller-number".
public enum MediaPrompt: Hashable, Sendable {
    case file(String)
    case word(String)

    /// As the configuration names one: a path (a `/` or `.wav` in it), else a word.
    public init(named name: String) {
        self = name.contains("/") || name.hasSuffix(".wav") ? .file(name) : .word(name)
    }
}

/// What a leg is to play (`CoreAction.playMedia`).
public enum MediaPlayback: Hashable, Sendable {
    /// Loop this under announcements (nil: stop the music).
    case music(MediaPrompt?)
    /// Play these once, in order, pausing the music.
    case announce([MediaPrompt])
    /// As `announce`, and report `promptPlayed` with `token` when they have played or were
    /// stopped (a menu's prompt).
    case prompt([MediaPrompt], token: Int)
    /// A voicemail message (a WAV the engine saved, read when played), reported as `prompt` is.
    case message(file: String, token: Int)
}

/// The leg's agreed audio codec, which the relay encodes prompts to (PCMU or PCMA).
public struct AudioFormat: Hashable, Sendable {
    public var codec: String
    public var payloadType: Int
    public init(codec: String, payloadType: Int) {
        self.codec = codec
        self.payloadType = payloadType
    }
}

/// The position and wait announcements as words of the prompt set.
public enum SpokenPrompts {
    public static let callerNumber = "caller-number"
    public static let estimatedWait = "estimated-wait"
    public static let beep = "beep"
    /// 0-20 and the tens to 90: every number below 100 is one or two of them.
    public static let numberWords = (0...20).map(String.init) + stride(from: 30, through: 90, by: 10).map(String.init)
    public static let waitWords = [estimatedWait, "minute", "minutes", "seconds"]

    /// A number as words: 0-20 as they are, 21-99 as tens and units, larger ones digit by digit.
    public static func number(_ n: Int) -> [MediaPrompt] {
        switch n {
        case ..<0: return []
        case 0...20: return [.word(String(n))]
        case 21...99: return [.word(String(n / 10 * 10))] + (n % 10 == 0 ? [] : [.word(String(n % 10))])
        default: return String(n).compactMap { Int(String($0)) }.map { .word(String($0)) }
        }
    }

    /// "You are caller number N".
    public static func position(_ n: Int) -> [MediaPrompt] { [.word(callerNumber)] + number(n) }

    /// "Your estimated wait is ..." for `seconds`, rounded up to `round` seconds (0: minutes).
    public static func wait(seconds: Int, round: Int) -> [MediaPrompt] {
        let step = round > 0 ? round : 60
        let rounded = max(step, (seconds + step - 1) / step * step)
        var words: [MediaPrompt] = [.word(estimatedWait)]
        let minutes = rounded / 60, rest = rounded % 60
        if minutes > 0 { words += number(minutes) + [.word(minutes == 1 ? "minute" : "minutes")] }
        if rest > 0 { words += number(rest) + [.word("seconds")] }
        return words
    }
}

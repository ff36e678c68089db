import Media

/// What a caller heard, as a timeline of the engine's prompts: each received 20 ms frame is
/// matched to the clip and place it came from (`PromptCatalog`), and frames that follow one
/// another in a clip make one segment ("music" from 0.6 s to 1.0 s, then "caller-number", "2").
/// Sound that is none of the engine's clips (another party, a ringback) is "sound". Pure: fed
/// frames with their arrival times.
struct HeardTimeline {
    private(set) var segments: [HeardSegment] = []
    /// The frames the current segment's last frame could have been (several while clips share frames).
    private var candidates: [PromptCatalog.Position] = []
    private var open = false

    /// A received frame, `at` seconds after the call was placed.
    mutating func add(_ payload: [UInt8], law: G711.Law, at t: Double, catalog: PromptCatalog) {
        let sound = MediaEngine.hasSound(payload, law: law)
        if open {
            let advanced = candidates.compactMap(catalog.next)
            let kept: [PromptCatalog.Position]
            if sound {
                let here = Set(catalog.positions(of: payload, law: law))
                kept = advanced.filter(here.contains)
            } else {
                kept = advanced.filter(catalog.isSilent)
            }
            if !kept.isEmpty || (candidates.isEmpty && sound && catalog.positions(of: payload, law: law).isEmpty) {
                // The clip goes on (or unknown sound goes on).
                candidates = kept
                extend(to: t, catalog: catalog)
                return
            }
            open = false
        }
        guard sound else { return }
        let matches = catalog.positions(of: payload, law: law)
        // A prompt starts at its first frame; music (or a frame after a lost one) anywhere.
        let starts = matches.filter { $0.sample == 0 }
        candidates = starts.isEmpty ? matches : starts
        let what = Self.label(candidates, catalog: catalog)
        // A lost packet splits a clip: the same clip going on right after is one segment.
        if starts.isEmpty, let last = segments.last, last.what == what, t - last.until < 0.1 {
            segments[segments.count - 1].until = t + 0.02
        } else {
            segments.append(HeardSegment(at: t, until: t + 0.02, what: what))
        }
        open = true
    }

    private mutating func extend(to t: Double, catalog: PromptCatalog) {
        segments[segments.count - 1].until = t + 0.02
        if !candidates.isEmpty { segments[segments.count - 1].what = Self.label(candidates, catalog: catalog) }
    }

    /// The clip's name, or the names of the clips it could still be ("3|4|5" for identical prompts).
    static func label(_ positions: [PromptCatalog.Position], catalog: PromptCatalog) -> String {
        guard !positions.isEmpty else { return HeardSegment.unknown }
        var names: [String] = []
        for p in positions { let n = catalog.name(of: p); if !names.contains(n) { names.append(n) } }
        return names.sorted().joined(separator: "|")
    }
}

/// A stretch of what a caller heard: one prompt or music file of the engine (named as the
/// configuration names it: a word of the prompt set, or a file's path), or `sound` that was none
/// of them. Times are real seconds after the call's INVITE.
public struct HeardSegment: Sendable, Equatable, Codable {
    public static let unknown = "sound"
    public var at: Double
    public var until: Double
    public var what: String

    public init(at: Double, until: Double, what: String) {
        self.at = at
        self.until = until
        self.what = what
    }

    /// Whether this could be the clip named `name` (a segment of identical clips is any of them).
    public func `is`(_ name: String) -> Bool { what == name || what.split(separator: "|").contains { $0 == name } }
}

import Engine

/// `queue_media_heard`: whether each caller that waited in a queue with media heard, in the audio
/// it received (`HeardSegment`s), what its queue's `media` section plays and when: the entry
/// prompt first, its position said at `first_after` and then every `every` while it waited for
/// an agent (not while one rang), the periodic announcement at its times, and the music on hold
/// between announcements. Times are the engine's, in real seconds after the INVITE.
enum QueueMediaHeard {
    /// How late an announcement may start after it is due (the relay's frame, the loopback, a
    /// busy machine), and how early (the engine's timer runs from the INVITE's arrival).
    static let late = 0.5, early = 0.15
    /// Sound that is none of the engine's clips tolerated (a frame of the agent's audio at the end).
    static let strayAllowed = 0.2

    struct Judgement {
        var judged = 0
        var problems: [(call: String, problem: String)] = []
    }

    static func judge(_ result: SimulationRun.Result) -> Judgement {
        var out = Judgement()
        let scale = result.scenario.timeScale
        for call in result.calls {
            // A call the engine moved to another queue (recipe, overflow) heard two queues' media,
            // switched at a time ccsim does not see: not judged.
            guard let media = result.scenario.engine.queueMedia[call.queue], media.plays, let heard = call.heardTimeline,
                  call.finalQueue == nil else { continue }
            let rung = result.inviteToAgentInviteByCall[call.callID].map { Double($0) / 1e9 }
            let left = [call.answeredAt, call.endedAt].compactMap { $0.map { ($0 - call.offeredAt) / scale } }
            guard let waitEnd = (left + [rung].compactMap { $0 }).min(), waitEnd > 0.5 else { continue }
            // Callers of the same queue waiting ahead of this one, `t` seconds after its INVITE: offered
            // before it, or up to `overtake` after it (two phones' INVITEs sent a few ms apart reach the
            // engine in either order: a parallel test run offered two calls 1.7 ms apart and the later
            // one was queued first, so the earlier one was rightly told position 3 of 3).
            let overtake = 0.05 * scale
            let earlier = result.calls.filter { $0.queue == call.queue && $0.callID != call.callID && $0.offeredAt < call.offeredAt + overtake }
            let ahead: (Double) -> Int = { t in
                let now = call.offeredAt + t * scale
                return earlier.filter { o in (o.answeredAt ?? o.endedAt ?? .infinity) > now }.count
            }
            out.judged += 1
            for p in problems(heard: heard, media: media, waitEnd: waitEnd, ahead: ahead) { out.problems.append((call.callID, p)) }
        }
        return out
    }

    /// What is wrong with one caller's wait of `waitEnd` seconds (empty: all as configured).
    static func problems(heard: [HeardSegment], media: QueueMedia, waitEnd: Double, ahead: (Double) -> Int) -> [String] {
        var out: [String] = []
        let waiting = heard.filter { $0.at < waitEnd - 0.05 }
        let music = media.music.map(PromptCatalog.name)
        let isMusic: (HeardSegment) -> Bool = { s in music.map { s.is($0) } ?? false }
        let announcements = waiting.filter { !isMusic($0) && $0.what != HeardSegment.unknown }
        if let entry = media.entry.map(PromptCatalog.name) {
            if let first = waiting.first {
                if !first.is(entry) || first.at > 2 * late { out.append("the entry prompt was not the first sound (heard \(first.what) at \(fmt(first.at)) s)") }
            } else {
                out.append("heard nothing while waiting \(fmt(waitEnd)) s")
            }
        }
        if music != nil {
            let said = announcements.reduce(0) { $0 + min($1.until, waitEnd) - $1.at }
            let between = waitEnd - 0.3 - said
            let heardMusic = waiting.filter(isMusic).reduce(0) { $0 + min($1.until, waitEnd) - $1.at }
            if between > 1, heardMusic < 0.5 * between {
                out.append("music on hold heard for \(fmt(heardMusic)) s of the \(fmt(between)) s between announcements")
            }
        }
        let stray = waiting.filter { $0.what == HeardSegment.unknown }.reduce(0) { $0 + min($1.until, waitEnd) - $1.at }
        if stray > strayAllowed, let s = waiting.first(where: { $0.what == HeardSegment.unknown }) {
            out.append("\(fmt(stray)) s of sound that is none of the queue's prompts (first at \(fmt(s.at)) s)")
        }
        if let p = media.position {
            let starts = announcements.filter { $0.is(SpokenPrompts.callerNumber) }
            let (problems, said) = schedule("position", starts: starts.map(\.at), first: p.firstAfter.seconds, every: p.every.seconds,
                                            waitEnd: waitEnd, announcements: announcements, mustHear: p.limit == nil)
            out += problems
            // The number is the caller's position when the announcement came due (it may play
            // later, behind another); callers ahead only leave, so the count a little before is
            // the most it can be.
            for (due, at) in said {
                guard let s = starts.first(where: { $0.at == at }), let n = number(after: s, in: announcements) else { continue }
                let most = ahead(max(0, due - 0.25)) + 1
                if n < 1 || n > most { out.append("position \(n) said at \(fmt(at)) s (due at \(fmt(due)) s) with at most \(most - 1) of the run's callers ahead") }
            }
        }
        if let p = media.periodic {
            let name = PromptCatalog.name(p.prompt)
            out += schedule("periodic announcement", starts: announcements.filter { $0.is(name) }.map(\.at), first: p.firstAfter.seconds,
                            every: p.every.seconds, waitEnd: waitEnd, announcements: announcements, mustHear: true).problems
        }
        return out
    }

    /// Announcements due at `first`, `first + every`... before `waitEnd`: each heard when due (or
    /// right after the announcements playing then), none at another time. Returns the problems
    /// (announcements heard at other times first: the clearest sign of a wrong schedule, and the
    /// verdict shows only the first few) and each heard announcement with the time it was due.
    static func schedule(_ what: String, starts: [Double], first: Double, every: Double, waitEnd: Double,
                         announcements: [HeardSegment], mustHear: Bool) -> (problems: [String], heard: [(due: Double, at: Double)]) {
        var missing: [String] = [], unmatched = starts, heard: [(due: Double, at: Double)] = []
        var due = first
        // Every due time up to the wait's end may have been said; those well before it must have.
        while due < waitEnd + early {
            // Queued behind the announcements playing (or queued) when it came due.
            let after = chainEnd(from: due, announcements)
            if let i = unmatched.firstIndex(where: { $0 >= due - early && $0 <= after + late }) {
                heard.append((due, unmatched.remove(at: i)))
            } else if mustHear, after < waitEnd - late {
                missing.append("\(what) due at \(fmt(due)) s not heard")
            }
            if every <= 0 { break }
            due += every
        }
        return (unmatched.map { "\(what) heard at \(fmt($0)) s, not at a configured time" } + missing, heard)
    }

    /// When the announcements playing back to back from `t` end (`t` when none plays).
    static func chainEnd(from t: Double, _ announcements: [HeardSegment]) -> Double {
        var end = t
        for s in announcements where s.at <= end + 0.1 && s.until > end { end = s.until }
        return end
    }

    /// The number said after "caller number" (the words that follow it without a gap).
    static func number(after start: HeardSegment, in announcements: [HeardSegment]) -> Int? {
        var words: [Int] = [], end = start.until
        for s in announcements where s.at >= start.until - 0.01 {
            guard s.at - end < 0.1, let n = Int(s.what) else { break }
            words.append(n)
            end = s.until
        }
        guard !words.isEmpty else { return nil }
        // Tens and units ("20" "2"), or digit by digit above 99.
        if words.count == 2, words[0] >= 20, words[0] % 10 == 0, words[1] < 10 { return words[0] + words[1] }
        if words.count == 1 { return words[0] }
        return words.allSatisfy { $0 < 10 } ? words.reduce(0) { $0 * 10 + $1 } : nil
    }

    /// One line of a caller's timeline, for a failure's detail.
    static func describe(_ heard: [HeardSegment], until: Double) -> String {
        heard.filter { $0.at < until }.prefix(12).map { "\($0.what) \(fmt($0.at))-\(fmt($0.until))" }.joined(separator: ", ")
    }
}

import YAMLConfig

/// `expect:` a mapping of expectations, each checked after the run (see docs/scenarios.md).
enum ExpectationReader {
    static let keys: Set<String> = ["all_answered", "no_failed", "media_verified", "service_level", "max_wait", "asa", "abandon_rate", "answered", "records_match", "never_rung", "agent_answered", "agent_rung", "final_queue", "fairness", "dtmf_received", "heard_while_waiting", "voicemails_heard", "queue_media_heard"]

    /// The names an expectation may refer to: a misspelt one is refused here, at its line, rather
    /// than matching nothing and passing.
    struct Names {
        var agents: Set<String>
        var queues: Set<String>
        var groups: Set<String>
    }

    /// Figure expectations that take `queue:` (and which also take `group:`); each may be given
    /// as a list to check several queues or groups.
    static let scoped: Set<String> = ["service_level", "max_wait", "asa", "abandon_rate", "answered"]
    static let groupScoped: Set<String> = ["max_wait", "asa", "answered"]

    /// `queue: Q` or `group: G` of a figure expectation's mapping, checked against the names.
    static func scope(_ m: YAMLMapping, key: String, names: Names) throws(ConfigError) -> Expectation.Scope? {
        if let q = m["queue"], let g = m["group"] { _ = q; throw g.error("give either queue: or group:, not both") }
        if let q = m["queue"] { return .queue(try q.name(in: names.queues, what: "queue")) }
        if let g = m["group"] {
            guard groupScoped.contains(key) else {
                throw g.error("\(key) is a figure of the calls a queue received, not of a group", fix: "use queue: NAME (group: is for \(groupScoped.sorted().joined(separator: ", ")))")
            }
            return .group(try g.name(in: names.groups, what: "agent group"))
        }
        return nil
    }

    /// `asa: 10s`, or `asa: {at_most: 10s, queue: support}`: the limit and the scope.
    static func limit(_ x: YAMLValue, key: String, limitKey: String, names: Names) throws(ConfigError) -> (YAMLValue, Expectation.Scope?) {
        guard case .mapping = x.node else { return (x, nil) }
        let m = try x.mapping(allowed: [limitKey, "queue", "group"])
        return (try m.required(limitKey, fix: "e.g. {\(limitKey): ..., queue: NAME}"), try scope(m, key: key, names: names))
    }

    static func read(_ v: YAMLValue, names: Names) throws(ConfigError) -> [Expectation] {
        let m = try v.mapping(allowed: keys)
        var out: [Expectation] = []
        for key in m.keys {
            guard let value = m[key] else { continue }
            let items: [YAMLValue]
            if scoped.contains(key), case .sequence = value.node { items = try value.array() } else { items = [value] }
            for x in items {
            switch key {
            case "dtmf_received":
                if try x.bool() { out.append(Expectation(kind: .dtmfReceived, line: x.line)) }
            case "heard_while_waiting":
                if try x.bool() { out.append(Expectation(kind: .heardWhileWaiting, line: x.line)) }
            case "queue_media_heard":
                if try x.bool() { out.append(Expectation(kind: .queueMediaHeard, line: x.line)) }
            case "voicemails_heard":
                let n = try x.int()
                guard n >= 1 else { throw x.error("voicemails_heard is a number of messages, at least 1") }
                out.append(Expectation(kind: .voicemailsHeard(n), line: x.line))
            case "all_answered", "no_failed", "media_verified", "records_match":
                guard try x.bool() else { continue }
                let kind: Expectation.Kind = switch key {
                case "all_answered": .allAnswered
                case "no_failed": .noFailed
                case "media_verified": .mediaVerified
                default: .recordsMatch
                }
                out.append(Expectation(kind: kind, line: x.line))
            case "service_level":
                let s = try x.mapping(allowed: ["within", "at_least", "queue", "group"])
                let within = try s.required("within").duration().seconds
                let atLeast = try s.required("at_least").double()
                guard (0...1).contains(atLeast) else { throw x.error("at_least is a fraction between 0 and 1") }
                out.append(Expectation(kind: .serviceLevel(seconds: within, atLeast: atLeast), line: x.line, scope: try scope(s, key: key, names: names)))
            case "never_rung": out.append(Expectation(kind: .neverRung(try x.names(in: names.agents, what: "agent")), line: x.line))
            case "agent_answered", "agent_rung":
                let am = try x.mapping(allowed: Set(x.mappingKeys))
                var counts: [String: Int] = [:]
                for k in try am.keys(in: names.agents, what: "agent") { counts[k] = try am.required(k).int() }
                out.append(Expectation(kind: key == "agent_rung" ? .agentRung(counts) : .agentAnswered(counts), line: x.line))
            case "fairness":
                let f = try x.mapping(allowed: ["agents", "min_answered", "max_answered", "max_ratio"])
                let minA = try f["min_answered"]?.int(), maxA = try f["max_answered"]?.int(), ratio = try f["max_ratio"]?.double()
                guard minA != nil || maxA != nil || ratio != nil else {
                    throw x.error("fairness needs at least one bound", fix: "min_answered: N, max_answered: N and/or max_ratio: R (busiest / least busy agent)")
                }
                if let r = ratio, r < 1 { throw x.error("max_ratio compares the busiest agent with the least busy one, so it is at least 1") }
                if let a = minA, let b = maxA, a > b { throw x.error("min_answered (\(a)) is above max_answered (\(b))") }
                out.append(Expectation(kind: .fairness(agents: try f["agents"]?.names(in: names.agents, what: "agent"), minAnswered: minA, maxAnswered: maxA, maxRatio: ratio), line: x.line))
            case "final_queue": out.append(Expectation(kind: .finalQueue(try x.name(in: names.queues, what: "queue")), line: x.line))
            case "max_wait":
                let (v, scope) = try limit(x, key: key, limitKey: "at_most", names: names)
                out.append(Expectation(kind: .maxWait(try v.duration().seconds), line: x.line, scope: scope))
            case "asa":
                let (v, scope) = try limit(x, key: key, limitKey: "at_most", names: names)
                out.append(Expectation(kind: .asaAtMost(try v.duration().seconds), line: x.line, scope: scope))
            case "abandon_rate":
                let (v, scope) = try limit(x, key: key, limitKey: "at_most", names: names)
                let r = try v.double()
                guard (0...1).contains(r) else { throw v.error("abandon_rate is a fraction between 0 and 1") }
                out.append(Expectation(kind: .abandonRateAtMost(r), line: x.line, scope: scope))
            default:
                let (v, scope) = try limit(x, key: key, limitKey: "count", names: names)
                out.append(Expectation(kind: .answered(try v.int()), line: x.line, scope: scope))
            }
            }
        }
        return out
    }
}

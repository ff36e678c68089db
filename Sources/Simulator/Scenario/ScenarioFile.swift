import Engine
import Foundation
import Media
import SIP
import YAMLConfig
import Yams

/// Reads and checks scenario files. Every problem is reported as `file:line: problem (fix: ...)`.
public enum ScenarioFile {
    static let keys: Set<String> = ["name", "engine", "engine_config", "agents", "customers", "duration", "warm_up", "time_scale", "seed", "media", "expect"]

    public static func load(_ path: String) throws(ConfigError) -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: nil, problem: "cannot read the scenario file", fix: "check the path")
        }
        let root = try YAMLValue.parse(String(decoding: data, as: UTF8.self), file: path)
        return try read(root, path: path)
    }

    static func read(_ root: YAMLValue, path: String) throws(ConfigError) -> Scenario {
        if case .mapping(let raw) = root.node, raw["engine"] == nil, raw["engine_config"] == nil, raw["queues"] != nil || raw["sip"] != nil {
            throw root.error("this is an engine configuration, not a scenario", fix: "run it with ccengine --config, or reference it from a scenario with 'engine_config: \((path as NSString).lastPathComponent)'")
        }
        let m = try root.mapping(allowed: keys)
        let generated = try generatedAgents(m["agents"])
        let engine: EngineConfig
        let engineYAML: String
        if let inline = m["engine"] {
            let node = try withAgents(generated, in: inline)
            engine = try EngineConfig.read(node)
            engineYAML = (try? Yams.serialize(node: node.node)) ?? ""
        } else if let ref = m["engine_config"] {
            let rel = try ref.string()
            let full = rel.hasPrefix("/") ? rel : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(rel)
            guard let data = FileManager.default.contents(atPath: full) else {
                throw ref.error("cannot read the engine configuration '\(full)'", fix: "give a path relative to the scenario file")
            }
            let node = try withAgents(generated, in: YAMLValue.parse(String(decoding: data, as: UTF8.self), file: full))
            engine = try EngineConfig.read(node)
            engineYAML = (try? Yams.serialize(node: node.node)) ?? ""
        } else {
            throw root.error("missing 'engine' (inline engine configuration) or 'engine_config' (a file)", fix: "see Scenarios/quickstart.yaml")
        }
        let name = try m["name"]?.string() ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var s = Scenario(name: name, file: path, engine: engine)
        s.engineYAML = engineYAML
        s.agentPasswords = passwords(inEngineYAML: engineYAML)
        if let x = m["duration"] { s.maxDuration = try positiveSeconds(x) }
        if let x = m["warm_up"] {
            s.warmUp = try x.duration().seconds
            guard s.warmUp < s.maxDuration else { throw x.error("warm_up (\(s.warmUp) s) must end before the duration (\(s.maxDuration) s)") }
        }
        if let x = m["time_scale"] { s.timeScale = try positiveNumber(x) }
        if let x = m["seed"] { s.seed = UInt64(try x.int()) }
        if let x = m["media"] { s.media = try x.bool() }
        let known = Set(engine.agents.map(\.login))
        for (i, g) in (try m["agents"]?.array() ?? []).enumerated() { s.agentGroups.append(try agentGroup(g, index: i, known: known)) }
        if let g = s.agentGroups.first(where: { $0.wrapUp != nil }), engine.routing.wrapUpTime == .zero {
            throw ConfigError(file: path, line: g.line, problem: "agents with wrap_up need the engine to put agents in wrap-up",
                              fix: "set the engine's routing.wrap_up to the longest wrap-up allowed (the engine ends wrap-up then at the latest)")
        }
        for g in s.agentGroups where g.transport.isReliable && !engine.streams.transports.contains(g.transport) {
            throw ConfigError(file: path, line: g.line, problem: "agents over \(g.transport) need the engine to serve \(g.transport)",
                              fix: g.transport == .tcp ? "set the engine's sip.tcp: true" : "give the engine sip.tls: {port, certificate, key}")
        }
        var seen = Set<String>(), names = Set<String>()
        for g in s.agentGroups where !names.insert(g.name).inserted {
            throw ConfigError(file: path, line: g.line, problem: "two agent groups are named '\(g.name)'", fix: "give each group its own name (default g1, g2...)")
        }
        for g in s.agentGroups {
            for l in g.logins where !seen.insert(l).inserted {
                throw ConfigError(file: path, line: g.line, problem: "agent '\(l)' appears in two agent groups", fix: "list each login once")
            }
        }
        for c in try m["customers"]?.array() ?? [] {
            // A customer may call a menu as it calls a queue (menus: in the engine's configuration),
            // or a number that leads to either (numbers:).
            let stream = try customers(c, queues: engine.queueNames.union(engine.menus.map(\.name)).union(engine.numbers.keys))
            if stream.transport.isReliable, !engine.streams.transports.contains(stream.transport) {
                throw c.error("customers over \(stream.transport) need the engine to serve \(stream.transport)",
                              fix: stream.transport == .tcp ? "set the engine's sip.tcp: true" : "give the engine sip.tls: {port, certificate, key}")
            }
            // Calls arrive only before the duration (and the stream's stop): a fixed series that
            // cannot fit would silently lose its last calls.
            if case .every(let dt, let start) = stream.arrival, let n = stream.calls {
                let last = start + Double(n - 1) * dt, end = min(stream.stop ?? .infinity, s.maxDuration)
                if last >= end {
                    throw c.error("the last of \(n) calls every \(fmt(dt)) s would arrive at \(fmt(last)) s, not before the \(stream.stop.map { _ in "stream's stop" } ?? "scenario's duration") (\(fmt(end)) s)",
                                  fix: "lengthen duration, or lower calls to \(Int(((end - start) / dt).rounded(.up)))")
                }
            }
            s.customerStreams.append(stream)
        }
        if let e = m["expect"] {
            let agents = s.agentGroups.isEmpty ? known : Set(s.agentGroups.flatMap(\.logins))
            s.expectations = try ExpectationReader.read(e, names: .init(agents: agents, queues: engine.queueNames, groups: Set(s.agentGroups.map(\.name))))
        }
        return s
    }

    static func passwords(inEngineYAML text: String) -> [String: String] {
        guard let node = try? Yams.compose(yaml: text), case .mapping(let m) = node, case .sequence(let agents)? = m["agents"] else { return [:] }
        var out: [String: String] = [:]
        for a in agents {
            if case .mapping(let am) = a, let login = am["login"]?.string, let pw = am["password"]?.string { out[login] = pw }
        }
        return out
    }

    static let agentGroupKeys: Set<String> = [
        "name", "logins", "count", "login_prefix", "skills", "answer_delay", "talk_time", "reject_probability",
        "no_answer_probability", "login_at", "logout_at", "breaks", "wrap_up", "transport"]

    /// Agents of groups given by `count`: `PREFIX1...PREFIXn` with password `LOGIN-secret` and the
    /// group's skills, added to the engine configuration (inline or referenced) before it is read.
    static func generatedAgents(_ groups: YAMLValue?) throws(ConfigError) -> [Node] {
        var out: [Node] = []
        for (n, g) in (try groups?.array() ?? []).enumerated() {
            let m = try g.mapping(allowed: agentGroupKeys)
            guard let countValue = m["count"] else {
                if let sk = m["skills"] {
                    throw sk.error("'skills' belongs to groups given by 'count'", fix: "give these agents their skills in the engine configuration's agents")
                }
                continue
            }
            if m["logins"] != nil { throw countValue.error("give either 'logins' or 'count', not both") }
            let count = try countValue.int()
            guard (1...10_000).contains(count) else { throw countValue.error("count must be between 1 and 10000") }
            let prefix = try m["login_prefix"]?.string() ?? "g\(n + 1)a"
            let skills = try m["skills"]?.strings() ?? []
            for i in 1...count {
                let login = "\(prefix)\(i)"
                var pairs: [(Node, Node)] = [(Node("login"), Node(login)), (Node("password"), Node("\(login)-secret"))]
                if !skills.isEmpty { pairs.append((Node("skills"), Node.sequence(Node.Sequence(skills.map { Node($0) })))) }
                out.append(Node.mapping(Node.Mapping(pairs, Tag(.implicit), .flow, g.node.mark)))
            }
        }
        return out
    }

    static func withAgents(_ agents: [Node], in engine: YAMLValue) throws(ConfigError) -> YAMLValue {
        guard !agents.isEmpty else { return engine }
        guard case .mapping(var m) = engine.node else { throw engine.error("expected a mapping (the engine configuration)") }
        var list: [Node] = []
        if let existing = m["agents"] {
            guard case .sequence(let seq) = existing else { throw engine.child(existing, "agents").error("expected a list of agents") }
            list = Array(seq)
        }
        m["agents"] = Node.sequence(Node.Sequence(list + agents))
        return YAMLValue(node: .mapping(m), file: engine.file, path: engine.path)
    }

    static func agentGroup(_ v: YAMLValue, index: Int, known: Set<String>) throws(ConfigError) -> AgentGroup {
        let m = try v.mapping(allowed: agentGroupKeys)
        var g = AgentGroup(logins: [])
        g.name = try m["name"]?.string() ?? "g\(index + 1)"
        if let count = m["count"] {
            let prefix = try m["login_prefix"]?.string() ?? "g\(index + 1)a"
            g.logins = (1...(try count.int())).map { "\(prefix)\($0)" }
        } else {
            let logins = try m.required("logins", fix: "list the agent logins, e.g. logins: [alice, bob], or give count: N to generate them")
            g.logins = try logins.names(in: known, what: "engine agent")
        }
        if let x = m["answer_delay"] { g.answerDelay = try DistributionReader.read(x) }
        if let x = m["talk_time"] { g.talkTime = try DistributionReader.read(x) }
        if let x = m["wrap_up"] { g.wrapUp = try DistributionReader.read(x) }
        if let x = m["reject_probability"] { g.rejectProbability = try probability(x) }
        if let x = m["no_answer_probability"] { g.noAnswerProbability = try probability(x) }
        if let x = m["login_at"] { g.loginAt = try x.duration().seconds }
        if let x = m["transport"] { g.transport = try transport(x) }
        if let x = m["logout_at"] {
            let t = try x.duration().seconds
            guard t > g.loginAt else { throw x.error("logout_at must come after login_at (\(g.loginAt) s)") }
            g.logoutAt = t
        }
        for b in try m["breaks"]?.array() ?? [] {
            let bm = try b.mapping(allowed: ["at", "duration", "reason"])
            let reason = try bm["reason"]?.string() ?? "break"
            guard !reason.isEmpty, !reason.contains(" ") else { throw b.error("a break reason is one word", fix: "e.g. reason: lunch") }
            g.breaks.append(.init(at: try bm["at"]?.duration().seconds ?? 0, duration: try bm["duration"]?.duration().seconds, reason: reason))
        }
        g.line = v.line
        return g
    }

    static func transport(_ v: YAMLValue) throws(ConfigError) -> Transport {
        guard let t = Transport(rawValue: try v.string().lowercased()) else { throw v.error("unknown transport", fix: "use udp, tcp or tls (the engine's sip.tcp or sip.tls must be on)") }
        return t
    }

    static func customers(_ v: YAMLValue, queues: Set<String>) throws(ConfigError) -> CustomerStream {
        let m = try v.mapping(allowed: ["queue", "calls", "arrival", "stop", "hold_time", "patience", "caller_prefix", "client", "dtmf", "codecs", "transport"])
        let qv = try m.required("queue")
        let queue = try qv.name(in: queues, what: "queue")
        var s = CustomerStream(queue: queue, calls: nil, arrival: .every(1, start: 0))
        if let callsValue = m["calls"] {
            let calls = try callsValue.int()
            guard calls > 0 else { throw callsValue.error("must be at least 1") }
            s.calls = calls
        }
        if let a = m["arrival"] { s.arrival = try arrival(a) }
        if s.calls == nil, case .every = s.arrival {
            throw v.error("a stream arriving 'every' interval needs 'calls'", fix: "add calls: N, or use a poisson rate or a profile, which run until the scenario's duration")
        }
        if let x = m["stop"] { s.stop = try positiveSeconds(x) }
        if let x = m["hold_time"] { s.holdTime = try DistributionReader.read(x) }
        if let x = m["patience"] { s.patience = try DistributionReader.read(x) }
        if let x = m["caller_prefix"] { s.callerPrefix = try x.string() }
        if let x = m["client"] { s.client = try x.string() }
        if let x = m["dtmf"] { s.dtmf = try dtmf(x) }
        if let x = m["transport"] { s.transport = try transport(x) }
        if let x = m["codecs"] {
            let names = try x.names(in: Set(G711.Law.allCases.map(\.codec)), what: "codec")
            s.codecs = names.compactMap(G711.Law.init(codec:))
            guard Set(s.codecs).count == s.codecs.count else { throw x.error("a codec is listed twice", fix: "list each of PCMU, PCMA once, preferred first") }
        }
        s.line = v.line
        return s
    }

    /// `arrival: {every: 2s, start: 1s}`, `{poisson: 0.5, start: 0s}` (calls per second), a rate
    /// profile over the day, and bursts on top of a Poisson rate or a profile:
    ///
    ///     arrival: {profile: [{at: 0s, per_hour: 120}, {at: 1h, per_hour: 600}, {at: 2h, per_hour: 0}]}
    ///     arrival: {profile: {interval: 15m, per_hour: [120, 300, 600, 0]}}
    ///     arrival: {poisson: 0.2, bursts: [{at: 60s, calls: 20, within: 10s}]}
    static func arrival(_ v: YAMLValue) throws(ConfigError) -> Arrival {
        let m = try v.mapping(allowed: ["every", "poisson", "start", "profile", "bursts"])
        let start = try m["start"]?.duration().seconds ?? 0
        let kinds = ["every", "poisson", "profile"].filter { m[$0] != nil }
        guard kinds.count == 1 else {
            throw v.error(kinds.isEmpty ? "arrival needs 'every' (an interval), 'poisson' (calls per second) or 'profile' (rates over the day)"
                                        : "arrival has both '\(kinds[0])' and '\(kinds[1])'", fix: "keep one of them")
        }
        if let e = m["every"] {
            if let b = m["bursts"] { throw b.error("bursts add to a poisson rate or a profile, not to 'every'") }
            return .every(try positiveSeconds(e), start: start)
        }
        var segments: [RateProfile.Segment]
        if let p = m["poisson"] {
            segments = [.init(start: start, rate: try positiveNumber(p))]
        } else {
            segments = try profile(m["profile"]!, start: start)
        }
        if let b = m["bursts"] {
            var bursts: [(at: Double, calls: Double, window: Double)] = []
            for item in try b.array() {
                let bm = try item.mapping(allowed: ["at", "calls", "within"])
                let at = try bm.required("at", fix: "when the burst starts, e.g. at: 60s").duration().seconds
                let calls = try positiveNumber(try bm.required("calls", fix: "expected calls in the burst, e.g. calls: 20"))
                let window = try bm["within"].map { x throws(ConfigError) in try positiveSeconds(x) } ?? 1
                bursts.append((at, calls, window))
            }
            segments = RateProfile(segments).adding(bursts: bursts).segments
        } else if m["poisson"] != nil {
            return .poisson(rate: segments[0].rate, start: start)
        }
        return .profile(RateProfile(segments))
    }

    static func profile(_ v: YAMLValue, start: Double) throws(ConfigError) -> [RateProfile.Segment] {
        if case .mapping = v.node {
            let m = try v.mapping(allowed: ["interval", "per_hour"])
            let interval = try positiveSeconds(try m.required("interval", fix: "the length of each rate, e.g. interval: 15m"))
            let rates = try m.required("per_hour", fix: "calls per hour for each interval, e.g. per_hour: [120, 300, 0]")
            var out: [Double] = []
            for r in try rates.array() {
                let x = try r.double()
                guard x >= 0 else { throw r.error("a rate cannot be negative") }
                out.append(x)
            }
            guard !out.isEmpty else { throw rates.error("give at least one rate") }
            return RateProfile(perHour: out, interval: interval, start: start).segments
        }
        var out: [RateProfile.Segment] = []
        for item in try v.array() {
            let im = try item.mapping(allowed: ["at", "per_hour", "per_second"])
            let at = try im.required("at", fix: "when this rate starts, e.g. at: 1h").duration().seconds
            let rate: Double
            if let h = im["per_hour"] { rate = try h.double() / 3600 } else if let s = im["per_second"] { rate = try s.double() } else {
                throw item.error("each profile entry needs per_hour or per_second", fix: "e.g. {at: 1h, per_hour: 600}")
            }
            guard rate >= 0 else { throw item.error("a rate cannot be negative") }
            if let last = out.last, at <= last.start { throw item.error("profile entries must be in time order") }
            out.append(.init(start: start + at, rate: rate))
        }
        guard !out.isEmpty else { throw v.error("give at least one rate") }
        return out
    }

    /// `dtmf: "1234#"`, `dtmf: {digits: "1234#", after: 1s, gap: 200ms}`, or a list of such
    /// steps (a menu, then the next one): `dtmf: [{digits: "2", after: 1s}, {digits: "1", after: 3s}]`.
    static func dtmf(_ v: YAMLValue) throws(ConfigError) -> DTMF {
        if case .sequence = v.node {
            let steps = try v.array().map { s throws(ConfigError) in try dtmfStep(s) }
            guard !steps.isEmpty else { throw v.error("give at least one step", fix: "e.g. dtmf: [{digits: \"2\", after: 1s}, {digits: \"1\", after: 3s}]") }
            return DTMF(steps: steps)
        }
        return DTMF(steps: [try dtmfStep(v)])
    }

    static func dtmfStep(_ v: YAMLValue) throws(ConfigError) -> DTMF.Step {
        var d: DTMF.Step
        if case .mapping = v.node {
            let m = try v.mapping(allowed: ["digits", "after", "gap"])
            d = DTMF.Step(digits: try m.required("digits", fix: "e.g. digits: \"1234#\"").string())
            if let a = m["after"] { d.after = try a.duration().seconds }
            if let g = m["gap"] { d.gap = try positiveSeconds(g) }
        } else {
            d = DTMF.Step(digits: try v.string())
        }
        guard !d.digits.isEmpty, d.digits.allSatisfy({ DTMF.alphabet.contains($0) }) else {
            throw v.error("DTMF digits are 0-9, *, # and A-D", fix: "e.g. dtmf: \"1234#\" (quote it so YAML keeps it a string)")
        }
        return d
    }

    static func probability(_ v: YAMLValue) throws(ConfigError) -> Double {
        let p = try v.double()
        guard (0...1).contains(p) else { throw v.error("a probability must be between 0 and 1") }
        return p
    }

    static func positiveNumber(_ v: YAMLValue) throws(ConfigError) -> Double {
        let x = try v.double()
        guard x > 0 else { throw v.error("must be greater than zero") }
        return x
    }

    static func positiveSeconds(_ v: YAMLValue) throws(ConfigError) -> Double {
        let x = try v.duration().seconds
        guard x > 0 else { throw v.error("must be greater than zero") }
        return x
    }
}

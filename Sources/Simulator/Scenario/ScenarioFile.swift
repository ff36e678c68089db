import Engine
import Foundation
import YAMLConfig
import Yams

/// Reads and checks scenario files. Every problem is reported as `file:line: problem (fix: ...)`.
public enum ScenarioFile {
    static let keys: Set<String> = ["name", "engine", "engine_config", "agents", "customers", "duration", "time_scale", "seed", "media", "expect"]

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
        let engine: EngineConfig
        let engineYAML: String
        if let inline = m["engine"] {
            engine = try EngineConfig.read(inline)
            engineYAML = (try? Yams.serialize(node: inline.node)) ?? ""
        } else if let ref = m["engine_config"] {
            let rel = try ref.string()
            let full = rel.hasPrefix("/") ? rel : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(rel)
            engine = try EngineConfig.load(file: full)
            engineYAML = (try? String(contentsOfFile: full, encoding: .utf8)) ?? ""
        } else {
            throw root.error("missing 'engine' (inline engine configuration) or 'engine_config' (a file)", fix: "see Scenarios/quickstart.yaml")
        }
        let name = try m["name"]?.string() ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var s = Scenario(name: name, file: path, engine: engine)
        s.engineYAML = engineYAML
        s.agentPasswords = passwords(inEngineYAML: engineYAML)
        if let x = m["duration"] { s.maxDuration = try positiveSeconds(x) }
        if let x = m["time_scale"] { s.timeScale = try positiveNumber(x) }
        if let x = m["seed"] { s.seed = UInt64(try x.int()) }
        if let x = m["media"] { s.media = try x.bool() }
        let known = Set(engine.agents.map(\.login))
        for g in try m["agents"]?.array() ?? [] { s.agentGroups.append(try agentGroup(g, known: known)) }
        var seen = Set<String>()
        for g in s.agentGroups {
            for l in g.logins where !seen.insert(l).inserted {
                throw ConfigError(file: path, line: g.line, problem: "agent '\(l)' appears in two agent groups", fix: "list each login once")
            }
        }
        for c in try m["customers"]?.array() ?? [] { s.customerStreams.append(try customers(c, queues: engine.queueNames)) }
        if let e = m["expect"] { s.expectations = try ExpectationReader.read(e) }
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

    static func agentGroup(_ v: YAMLValue, known: Set<String>) throws(ConfigError) -> AgentGroup {
        let m = try v.mapping(allowed: ["logins", "answer_delay", "talk_time", "reject_probability", "no_answer_probability", "login_at", "breaks"])
        var g = AgentGroup(logins: [])
        let logins = try m.required("logins", fix: "list the agent logins, e.g. logins: [alice, bob]")
        g.logins = try logins.strings()
        for l in g.logins where !known.contains(l) {
            throw logins.error("agent '\(l)' is not an agent of the engine configuration", fix: "add it under engine.agents or use one of: \(known.sorted().joined(separator: ", "))")
        }
        if let x = m["answer_delay"] { g.answerDelay = try DistributionReader.read(x) }
        if let x = m["talk_time"] { g.talkTime = try DistributionReader.read(x) }
        if let x = m["reject_probability"] { g.rejectProbability = try probability(x) }
        if let x = m["no_answer_probability"] { g.noAnswerProbability = try probability(x) }
        if let x = m["login_at"] { g.loginAt = try x.duration().seconds }
        for b in try m["breaks"]?.array() ?? [] {
            let bm = try b.mapping(allowed: ["at", "duration", "reason"])
            let reason = try bm["reason"]?.string() ?? "break"
            guard !reason.isEmpty, !reason.contains(" ") else { throw b.error("a break reason is one word", fix: "e.g. reason: lunch") }
            g.breaks.append(.init(at: try bm["at"]?.duration().seconds ?? 0, duration: try bm["duration"]?.duration().seconds, reason: reason))
        }
        g.line = v.line
        return g
    }

    static func customers(_ v: YAMLValue, queues: Set<String>) throws(ConfigError) -> CustomerStream {
        let m = try v.mapping(allowed: ["queue", "calls", "arrival", "hold_time", "patience", "caller_prefix", "client"])
        let qv = try m.required("queue")
        let queue = try qv.string()
        guard queues.contains(queue) else {
            throw qv.error("queue '\(queue)' does not exist in the engine configuration", fix: "use one of: \(queues.sorted().joined(separator: ", "))")
        }
        let callsValue = try m.required("calls")
        let calls = try callsValue.int()
        guard calls > 0 else { throw callsValue.error("must be at least 1") }
        var s = CustomerStream(queue: queue, calls: calls, arrival: .every(1, start: 0))
        if let a = m["arrival"] { s.arrival = try arrival(a) }
        if let x = m["hold_time"] { s.holdTime = try DistributionReader.read(x) }
        if let x = m["patience"] { s.patience = try DistributionReader.read(x) }
        if let x = m["caller_prefix"] { s.callerPrefix = try x.string() }
        if let x = m["client"] { s.client = try x.string() }
        s.line = v.line
        return s
    }

    /// `arrival: {every: 2s, start: 1s}` or `arrival: {poisson: 0.5, start: 0s}` (calls per second).
    static func arrival(_ v: YAMLValue) throws(ConfigError) -> Arrival {
        let m = try v.mapping(allowed: ["every", "poisson", "start"])
        let start = try m["start"]?.duration().seconds ?? 0
        if let e = m["every"] { return .every(try e.duration().seconds, start: start) }
        if let p = m["poisson"] { return .poisson(rate: try positiveNumber(p), start: start) }
        throw v.error("arrival needs 'every' (an interval) or 'poisson' (calls per second)")
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

extension Duration {
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

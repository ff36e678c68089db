import Foundation
import CallCenter
import SIP
import YAMLConfig

/// Reads the routing parts of a configuration (settings, queues, queue groups, agents, recipes)
/// into the routing core's types. Recipe syntax is documented in docs/configuration.md.
enum RoutingReader {
    /// Every key a queue, queue group or agent may have (for locating items by name).
    static let allKeys: Set<String> = queueKeys.union(["login", "order", "node"])
    /// A queue's keys; `media` is the engine's (read by `QueueMediaReader`), not the routing core's.
    static let queueKeys: Set<String> = ["name", "weight", "skills", "recipe", "strategy", "group", "max_wait", "on_max_wait", "max_length", "aging_step", "media"]

    static func readSettings(_ v: YAMLValue, into r: inout CallCenterConfig) throws(ConfigError) {
        let m = try v.mapping(allowed: [
            "node", "tick", "ring_timeout", "wrap_up", "max_ring_failures", "requeue_priority_bump",
            "max_attempts", "retry_backoff", "dispatch", "seed", "calls_require_node", "default_recipe", "utc_offset",
        ])
        if let x = m["node"] { r.node = try x.string() }
        if let x = m["tick"] { r.tickLength = try positive(x) }
        if let x = m["ring_timeout"] { r.ringTimeout = try positive(x) }
        if let x = m["wrap_up"] { r.wrapUpTime = try x.duration() }
        if let x = m["max_ring_failures"] { r.maxRingFailures = try positiveInt(x) }
        if let x = m["requeue_priority_bump"] { r.requeuePriorityBump = try x.int() }
        if let x = m["max_attempts"] { r.maxAttempts = try positiveInt(x) }
        if let x = m["retry_backoff"] { r.retryBackoff = try x.duration() }
        if let x = m["dispatch"] {
            guard let d = DispatchMode(rawValue: try x.string()) else {
                throw x.error("unknown dispatch mode", fix: "use " + DispatchMode.allCases.map(\.rawValue).joined(separator: " or "))
            }
            r.dispatch = d
        }
        if let x = m["seed"] { r.seed = UInt64(try x.int()) }
        if let x = m["calls_require_node"] { r.callsRequireNode = try x.bool() }
        if let x = m["utc_offset"] { r.utcOffsetSeconds = Int(try x.duration().components.seconds) }
        if let x = m["default_recipe"] { r.defaultRecipe = try recipe(x, context: "default recipe") }
    }

    static func queue(_ v: YAMLValue) throws(ConfigError) -> QueueConfig {
        let m = try v.mapping(allowed: queueKeys)
        let name = try m.required("name").string()
        var q = QueueConfig(name: name)
        if let x = m["weight"] { q.weight = try positiveInt(x) }
        if let x = m["skills"] { q.skills = try x.strings().map { Skill($0) } }
        if let x = m["recipe"] { q.recipe = try recipe(x, context: "queue '\(name)' recipe") }
        if let x = m["strategy"] {
            guard let s = RoutingStrategy(rawValue: try x.string()) else {
                throw x.error("unknown strategy '\(try x.string())'", fix: "use one of " + RoutingStrategy.allCases.map(\.rawValue).joined(separator: ", "))
            }
            q.strategy = s
        }
        if let x = m["group"] { q.group = try x.string() }
        if let x = m["max_wait"] { q.maxWait = try positive(x) }
        if let x = m["on_max_wait"] {
            let s = try x.string()
            switch s {
            case "voicemail": q.onMaxWait = .voicemail
            case "hangup": q.onMaxWait = .hangup
            default:
                guard s.hasPrefix("overflow:") else { throw x.error("unknown max-wait action '\(s)'", fix: "use voicemail, hangup or overflow:QUEUE") }
                q.onMaxWait = .overflow(String(s.dropFirst("overflow:".count)))
            }
        }
        if let x = m["max_length"] { q.maxLength = try positiveInt(x) }
        if let x = m["aging_step"] { q.agingStep = try positive(x) }
        return q
    }

    static func queueGroup(_ v: YAMLValue) throws(ConfigError) -> QueueGroupConfig {
        let m = try v.mapping(allowed: ["name", "recipe"])
        let name = try m.required("name").string()
        return QueueGroupConfig(name: name, recipe: try m["recipe"].map { x throws(ConfigError) in try recipe(x, context: "queue group '\(name)' recipe") } ?? [])
    }

    static let agentKeys: Set<String> = ["login", "skills", "order", "node", "password", "ha1_md5", "ha1_sha256", "record"]

    /// An agent; `password` is turned into HA1 values here and never kept (RFC 7616 §3.4.2);
    /// `ha1_md5`/`ha1_sha256` give them directly.
    static func agent(_ v: YAMLValue, realm: String, requireAuth: Bool) throws(ConfigError) -> (AgentAccount, AgentConfig) {
        let m = try v.mapping(allowed: agentKeys)
        let login = try m.required("login").string()
        guard !login.isEmpty, login.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw v.error("agent login '\(login)' must be letters, digits, '-', '_' or '.' (it is the SIP user part)")
        }
        var a = AgentConfig(login: login)
        if let x = m["skills"] { a.skills = try x.strings().map { Skill($0) } }
        if let x = m["order"] { a.order = try x.int() }
        if let x = m["node"] { a.node = try x.string() }
        var account = AgentAccount(login: login)
        if let p = m["password"] {
            let password = try p.string()
            account.ha1MD5 = DigestAlgorithm.md5.ha1(username: login, realm: realm, password: password)
            account.ha1SHA256 = DigestAlgorithm.sha256.ha1(username: login, realm: realm, password: password)
        }
        if let h = m["ha1_md5"] { account.ha1MD5 = try h.string().lowercased() }
        if let h = m["ha1_sha256"] { account.ha1SHA256 = try h.string().lowercased() }
        if requireAuth && account.ha1MD5 == nil && account.ha1SHA256 == nil {
            throw v.error("agent '\(login)' has no credentials", fix: "add 'password: ...' (or ha1_sha256/ha1_md5), or set sip.require_auth: false")
        }
        return (account, a)
    }

    /// A recipe: a list of steps, each either a mapping
    /// `{conditions: [...], operations: [...], run: once|many, comment: ...}` or the seed's
    /// shorthand list `[TICKS, operation, [args], run_once|run_many]`.
    static func recipe(_ v: YAMLValue, context: String) throws(ConfigError) -> [RecipeStep] {
        var steps: [RecipeStep] = []
        for (i, s) in try v.array().enumerated() {
            steps.append(try step(s, context: "\(context) step \(i + 1)"))
        }
        return steps
    }

    static func step(_ v: YAMLValue, context: String) throws(ConfigError) -> RecipeStep {
        if case .sequence = v.node { return try shorthand(v, context: context) }
        let m = try v.mapping(allowed: ["conditions", "operations", "run", "comment"])
        var conditions: [RecipeCondition] = []
        for c in try m["conditions"]?.array() ?? [] { conditions.append(try condition(c, context: context)) }
        var operations: [RecipeOperation] = []
        for o in try m.required("operations", fix: "add 'operations: [...]' to the step").array() {
            operations.append(try operation(o, context: context))
        }
        var mode = RunMode.runOnce
        if let r = m["run"] {
            switch try r.string() {
            case "once", "run_once": mode = .runOnce
            case "many", "run_many": mode = .runMany
            case let s: throw r.error("unknown run mode '\(s)'", fix: "use once or many")
            }
        }
        return RecipeStep(conditions: conditions, operations: operations, runMode: mode, comment: try m["comment"]?.string() ?? "")
    }

    static func shorthand(_ v: YAMLValue, context: String) throws(ConfigError) -> RecipeStep {
        let items = try v.array()
        guard items.count >= 3 else { throw v.error("shorthand step needs [TICKS, operation, [args], run_once|run_many]") }
        let ticks = try items[0].int()
        let op = try items[1].string()
        var args: [String] = []
        var mode = RunMode.runOnce
        for x in items.dropFirst(2) {
            if case .scalar = x.node, let m = RunMode(rawValue: try x.string()) { mode = m; continue }
            args += try x.strings()
        }
        do {
            return try RecipeStep.shorthand(ticks: ticks, operation: op, args: args, runMode: mode)
        } catch {
            throw v.error(error.description)
        }
    }

    /// Conditions as one-key mappings: `ticks: 5`, `available_agents: "= 0"`, `client: "!= acme"`,
    /// `caller_id: "^555"`, `media: voice`, `hour: "> 17"`, `weekday: "= 6"`.
    static func condition(_ v: YAMLValue, context: String) throws(ConfigError) -> RecipeCondition {
        let m = try v.mapping(allowed: ["ticks", "available_agents", "eligible_agents", "calls_queued", "queue_position", "client", "hour", "weekday", "media", "caller_id", "caller_name"])
        guard m.keys.count == 1, let key = m.keys.first, let x = m[key] else { throw v.error("a condition is one 'name: value' pair") }
        func compared() throws(ConfigError) -> (Comparison, Int) {
            let s = try x.string().replacingOccurrences(of: " ", with: "")
            guard let first = s.first, let cmp = Comparison(rawValue: String(first)), let n = Int(s.dropFirst()) else {
                throw x.error("expected a comparison like '< 3', '> 0' or '= 1'")
            }
            return (cmp, n)
        }
        do {
            switch key {
            case "ticks": return .ticks(try positiveInt(x))
            case "available_agents": let (c, n) = try compared(); return .availableAgents(c, n)
            case "eligible_agents": let (c, n) = try compared(); return .eligibleAgents(c, n)
            case "calls_queued": let (c, n) = try compared(); return .callsQueued(c, n)
            case "queue_position": let (c, n) = try compared(); return .queuePosition(c, n)
            case "hour": let (c, n) = try compared(); return .hour(c, n)
            case "weekday": let (c, n) = try compared(); return .weekday(c, n)
            case "client":
                let s = try x.string()
                if s.hasPrefix("!=") { return .client(equals: false, String(s.dropFirst(2)).trimmed) }
                return .client(equals: true, (s.hasPrefix("=") ? String(s.dropFirst()) : s).trimmed)
            case "media":
                guard let t = MediaType(rawValue: try x.string()) else { throw x.error("unknown media type", fix: "use " + MediaType.allCases.map(\.rawValue).joined(separator: ", ")) }
                return .mediaType(t)
            case "caller_id": return .callerID(try CallerPattern(try x.string()))
            default: return .callerName(try CallerPattern(try x.string()))
            }
        } catch let e as ConfigError {
            throw e
        } catch let e as CallCenterConfigError {
            throw x.error("\(context): \(e.description)")
        } catch {
            throw x.error("\(error)")
        }
    }

    /// Operations: a bare name (`prioritize`) or a one-key mapping (`add_skills: [x]`, `new_queue: q`).
    static func operation(_ v: YAMLValue, context: String) throws(ConfigError) -> RecipeOperation {
        let name: String
        var args: [String] = []
        if case .scalar = v.node {
            name = try v.string()
        } else {
            let m = try v.mapping(allowed: Set(RecipeOperation.names))
            guard m.keys.count == 1, let key = m.keys.first, let x = m[key] else { throw v.error("an operation is one 'name: arguments' pair") }
            name = key
            if case .sequence = x.node, key == "add_recipe" {
                let step = try shorthand(x, context: context)
                return .addRecipe(step)
            }
            args = try x.strings()
        }
        do {
            return try RecipeOperation.parse(name: name, args: args, context: context)
        } catch {
            throw v.error(error.description, fix: "operations are " + RecipeOperation.names.joined(separator: ", "))
        }
    }

    static func positive(_ v: YAMLValue) throws(ConfigError) -> Duration {
        let d = try v.duration()
        guard d > .zero else { throw v.error("must be greater than zero") }
        return d
    }

    static func positiveInt(_ v: YAMLValue) throws(ConfigError) -> Int {
        let n = try v.int()
        guard n > 0 else { throw v.error("must be greater than zero") }
        return n
    }
}

extension String {
    var trimmed: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}

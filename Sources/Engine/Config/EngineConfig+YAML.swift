import CallCenter
import SIP
import Foundation
import YAMLConfig

extension EngineConfig {
    public static let topLevelKeys: Set<String> = ["sip", "media", "state_dir", "routing", "queues", "queue_groups", "agents", "priority", "shutdown", "overload", "time_scale", "api", "queue_log", "menus", "numbers"]

    /// Loads a configuration file; every problem names the file and line.
    public static func load(file: String) throws(ConfigError) -> EngineConfig {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(file: file, line: nil, problem: "cannot read the file", fix: "check the path given to --config")
        }
        let root = try YAMLValue.parse(String(decoding: data, as: UTF8.self), file: file)
        return try read(root)
    }

    /// Reads a configuration from a YAML mapping (also used by scenarios that embed one).
    public static func read(_ root: YAMLValue, extraKeys: Set<String> = []) throws(ConfigError) -> EngineConfig {
        let m = try root.mapping(allowed: topLevelKeys.union(extraKeys))
        var c = EngineConfig()
        if let sip = m["sip"] {
            let s = try sip.mapping(allowed: ["address", "advertised_host", "nat", "realm", "require_auth", "digest_algorithms", "devices", "tcp", "tls", "connections"])
            c.streams = try readStreams(s)
            if let d = s["digest_algorithms"] {
                var algs: [DigestAlgorithm] = []
                for name in try d.strings() {
                    guard let a = DigestAlgorithm(rawValue: name.uppercased()) else { throw d.error("unknown digest algorithm '\(name)'", fix: "use SHA-256 and/or MD5") }
                    algs.append(a)
                }
                guard !algs.isEmpty else { throw d.error("offer at least one algorithm") }
                c.digestAlgorithms = algs
            }
            if let r = s["realm"] { c.realm = try r.string() }
            if let r = s["require_auth"] { c.requireAuth = try r.bool() }
            if let a = s["address"] {
                guard let e = Endpoint(try a.string(), defaultPort: 5060) else { throw a.error("expected HOST:PORT, e.g. 127.0.0.1:5060") }
                c.sip = e
            }
            if let h = s["advertised_host"] { c.advertisedHost = try h.string() }
            if let n = s["nat"] {
                guard let p = NATPolicy(rawValue: try n.string()) else { throw n.error("unknown NAT policy", fix: "use auto, never or always") }
                c.natPolicy = p
            }
            if let d = s["devices"] {
                guard let p = DevicePolicy(rawValue: try d.string()) else { throw d.error("unknown device policy", fix: "use most-recent or ring-all") }
                c.devices = p
            }
        }
        c.prompts.directory = PromptSet.shippedDirectory()
        if let media = m["media"] {
            let s = try media.mapping(allowed: ["address", "rtp_ports", "codecs", "relay_threads", "prompts"])
            if let p = s["prompts"] {
                let dir = try p.string()
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw p.error("no folder '\(dir)'", fix: "name a folder of 8 kHz mono WAV prompts (the shipped set is Prompts/ in the source tree, share/ccengine/prompts when installed)")
                }
                c.prompts.directory = dir
            }
            if let t = s["relay_threads"] {
                let n = try t.int()
                guard (1...64).contains(n) else { throw t.error("relay_threads must be between 1 and 64") }
                c.relayThreads = n
            }
            if let a = s["address"] { c.mediaHost = try a.string() }
            if let r = s["rtp_ports"] { c.rtpPorts = try portRange(r) }
            if let k = s["codecs"] { c.codecs = Set(try k.strings().map { $0.uppercased() }) }
        }
        if let d = m["state_dir"] { c.stateDirectory = try d.string() }
        if let o = m["overload"] {
            let s = try o.mapping(allowed: ["max_loop_lag_ms", "max_transactions", "max_queued_kb", "admit_queued_kb", "onset_queued_kb", "admit_wait_ms",
                                           "max_calls_per_second", "target_busy_percent", "per_source"])
            if let p = s["per_source"] {
                let ps = try p.mapping(allowed: ["invites_per_second", "registers_per_second", "burst"])
                for (key, path) in [("invites_per_second", \SourceRateLimit.Limits.invitesPerSecond), ("registers_per_second", \.registersPerSecond), ("burst", \.burst)] {
                    guard let v = ps[key] else { continue }
                    let x = try v.double()
                    guard x >= 0, x <= 100_000, key != "burst" || x >= 1 else { throw v.error("\(key) must be \(key == "burst" ? "1" : "0 (no limit)") to 100000") }
                    c.perSource[keyPath: path] = x
                }
            }
            if let r = s["max_calls_per_second"] {
                let x = try r.double()
                guard x >= 0, x <= 100_000 else { throw r.error("max_calls_per_second must be 0 (no cap) to 100000") }
                c.overload.maxCallsPerSecond = x
            }
            if let b = s["target_busy_percent"] {
                let x = try b.int()
                guard x == 0 || (10...90).contains(x) else { throw b.error("target_busy_percent must be 0 (no aim) or 10 to 90 (a thread 90 % busy is saturated)") }
                c.overload.targetOccupancy = Double(x) / 100
            }
            if let q = s["max_queued_kb"] {
                let kb = try q.int()
                guard (16...1_048_576).contains(kb) else { throw q.error("max_queued_kb must be 16 to 1048576") }
                c.overload.maxQueuedBytes = kb * 1024
            }
            if let q = s["admit_queued_kb"] {
                let kb = try q.int()
                guard kb == 0 || (4...1_048_576).contains(kb) else { throw q.error("admit_queued_kb must be 0 (no queue gate) or 4 to 1048576") }
                c.overload.admitQueuedBytes = kb * 1024
            }
            if let q = s["onset_queued_kb"] {
                let kb = try q.int()
                guard kb == 0 || (4...1_048_576).contains(kb) else { throw q.error("onset_queued_kb must be 0 (no fast onset) or 4 to 1048576") }
                c.overload.onsetQueuedBytes = kb * 1024
            }
            if let w = s["admit_wait_ms"] {
                let ms = try w.int()
                guard ms == 0 || (1...10_000).contains(ms) else { throw w.error("admit_wait_ms must be 0 (no bound) or 1 to 10000") }
                c.overload.admitWait = .milliseconds(ms)
            }
            if let l = s["max_loop_lag_ms"] {
                let ms = try l.int()
                guard (5...10_000).contains(ms) else { throw l.error("max_loop_lag_ms must be 5 to 10000") }
                c.overload.maxLoopLag = .milliseconds(ms)
            }
            if let t = s["max_transactions"] {
                c.overload.maxTransactions = try t.int()
                guard c.overload.maxTransactions >= 0 else { throw t.error("max_transactions must be 0 (no limit) or more") }
            }
        }
        if let sd = m["shutdown"] {
            let s = try sd.mapping(allowed: ["grace", "retry_after"])
            if let g = s["grace"] {
                c.shutdownGrace = try g.int()
                guard (0...86_400).contains(c.shutdownGrace) else { throw g.error("grace must be 0 to 86400 seconds") }
            }
            if let r = s["retry_after"] {
                c.retryAfter = try r.int()
                guard (1...3_600).contains(c.retryAfter) else { throw r.error("retry_after must be 1 to 3600 seconds") }
            }
        }
        if let t = m["time_scale"] {
            c.timeScale = try t.double()
            guard c.timeScale > 0, c.timeScale <= 1000 else { throw t.error("time_scale must be above 0 and at most 1000", fix: "1 (real time) in production; simulations set it to the scenario's time_scale") }
        }
        if let p = m["priority"] {
            guard let v = ThreadPriority(name: try p.string()) else {
                throw p.error("unknown priority", fix: "use normal, high or realtime")
            }
            c.priority = v
        }
        if let r = m["routing"] { try RoutingReader.readSettings(r, into: &c.routing) }
        if let a = m["api"] { c.api = try readAPI(a) }
        if let q = m["queue_log"] {
            let s = try q.mapping(allowed: ["file", "table"])
            if let f = s["file"] { c.queueLog.file = try f.bool() }
            if let t = s["table"] { c.queueLog.table = try t.bool() }
        }
        // Names are unique per section; a repeat is named at its own line, with the first one's.
        var firstLine: [String: Int] = [:]
        func unique(_ name: String, _ kind: String, at v: YAMLValue) throws(ConfigError) {
            if let first = firstLine["\(kind)\u{0}\(name)"] {
                throw v.error("duplicate \(kind) '\(name)' (first at line \(first))", fix: "each \(kind) is listed once")
            }
            firstLine["\(kind)\u{0}\(name)"] = v.line ?? 0
        }
        if let groups = m["queue_groups"] {
            for g in try groups.array() {
                let group = try RoutingReader.queueGroup(g)
                try unique(group.name, "queue group", at: g)
                c.routing.queueGroups.append(group)
            }
        }
        if let queues = m["queues"] {
            for q in try queues.array() {
                let queue = try RoutingReader.queue(q)
                try unique(queue.name, "queue", at: q)
                c.routing.queues.append(queue)
                if let media = try q.mapping(allowed: RoutingReader.queueKeys)["media"] {
                    c.queueMedia[queue.name] = try QueueMediaReader.read(media, queue: queue.name, prompts: &c.prompts)
                }
            }
        }
        if let agents = m["agents"] {
            for a in try agents.array() {
                let (account, agent) = try RoutingReader.agent(a, realm: c.realm, requireAuth: c.requireAuth)
                try unique(account.login, "agent login", at: a)
                if let r = try a.mapping(allowed: RoutingReader.agentKeys)["record"] {
                    let text = try r.string()
                    guard let format = RecordingFormat(rawValue: text) else { throw r.error("unknown recording format '\(text)'", fix: "use stereo or split") }
                    c.agentRecording[account.login] = format
                }
                c.agents.append(account)
                c.routing.agents.append(agent)
            }
        }
        if let api = c.api, let a = m["api"] {
            let logins = Set(c.agents.map(\.login))
            for t in api.tokens where t.agent.map({ !logins.contains($0) }) ?? false {
                throw a.error("token '\(t.name)' is for agent '\(t.agent!)', who is not among the agents", fix: "name a configured login")
            }
        }
        if let menus = m["menus"] {
            for item in try menus.array() {
                let menu = try MenuReader.read(item, prompts: &c.prompts)
                try unique(menu.name, "menu", at: item)
                c.menus.append(menu)
            }
            try MenuReader.check(c.menus, queues: c.queueNames, boxes: Set(c.queueMedia.filter { $0.value.voicemail != nil }.keys), at: menus)
        }
        if let numbers = m["numbers"] {
            let menuNames = Set(c.menus.map(\.name)), targets = c.queueNames.union(menuNames)
            for item in try numbers.array() {
                let n = try item.mapping(allowed: ["number", "to"])
                let number = try n.required("number", fix: "the dialled number or address, e.g. number: \"+4930123456\"").string()
                let to = try n.required("to", fix: "a queue's or a menu's name").string()
                guard !targets.contains(number) else {
                    throw item.error("number '\(number)' is the name of a \(menuNames.contains(number) ? "menu" : "queue"), which callers reach by it already",
                                     fix: "list only numbers that differ from queue and menu names")
                }
                guard targets.contains(to) else {
                    throw item.error("number '\(number)' leads to '\(to)', which is neither a queue nor a menu", fix: "name one of \(targets.sorted().joined(separator: ", "))")
                }
                try unique(number, "number", at: item)
                c.numbers[number] = to
            }
        }
        try validate(c, root: root, m: m)
        try QueueMediaReader.loadRecipePrompts(c.routing, at: m["queues"] ?? m["routing"] ?? root, prompts: &c.prompts)
        return c
    }

    /// The routing core checks the whole configuration (unknown queues in recipes, magic skills,
    /// duplicates); its message names the queue, group or agent, whose line we then point at.
    private static func validate(_ c: EngineConfig, root: YAMLValue, m: YAMLMapping) throws(ConfigError) {
        do {
            _ = try CallCenter(config: c.routing)
        } catch {
            let text = error.description
            var line = (m["queues"] ?? m["routing"] ?? root).line
            for (section, kind) in [("queues", "queue"), ("queue_groups", "queue group"), ("agents", "agent")] {
                for item in (try? m[section]?.array()) ?? [] {
                    guard let im = try? item.mapping(allowed: RoutingReader.allKeys),
                          let name = try? (im["name"] ?? im["login"])?.string() else { continue }
                    if text.hasPrefix("\(kind) '\(name)'") || text.contains("\(kind) name '\(name)'") { line = item.line }
                }
            }
            throw ConfigError(file: root.file, line: line, problem: text)
        }
        // Every agent on a call holds two legs; a range that cannot hold that plus one waiting
        // caller would refuse callers while agents sit idle.
        let legs = MediaPortPool(range: c.rtpPorts).capacity
        if legs < 2 * c.agents.count + 1 {
            let at = (try? m["media"]?.mapping(allowed: ["address", "rtp_ports", "codecs", "relay_threads", "prompts"]))??["rtp_ports"] ?? m["agents"] ?? root
            throw at.error("media.rtp_ports holds \(legs) call legs (2 ports each), fewer than the \(2 * c.agents.count + 1) that \(c.agents.count) agents on calls and one waiting caller need",
                           fix: "widen it to at least \(4 * c.agents.count + 2) ports")
        }
    }

    static func readAPI(_ v: YAMLValue) throws(ConfigError) -> APIConfig {
        let s = try v.mapping(allowed: ["listen", "tokens", "max_body_bytes", "service_level_seconds", "failures_per_minute", "release_reasons", "web_root"])
        var api = APIConfig()
        if let l = s["listen"] {
            // Port 0 asks the kernel for a free port (tests); the log says which one.
            let text = try l.string()
            guard let e = Endpoint(text.hasSuffix(":0") ? String(text.dropLast(2)) : text, defaultPort: 8080) else {
                throw l.error("expected HOST:PORT, e.g. 127.0.0.1:8080")
            }
            api.listen = text.hasSuffix(":0") ? Endpoint(host: e.host, port: 0) : e
        }
        for (key, path, range) in [("max_body_bytes", \APIConfig.maxBodyBytes, 256...1_048_576), ("service_level_seconds", \.serviceLevelSeconds, 1...3_600),
                                   ("failures_per_minute", \.failuresPerMinute, 1...10_000)] {
            guard let x = s[key] else { continue }
            let n = try x.int()
            guard range.contains(n) else { throw x.error("\(key) must be \(range.lowerBound) to \(range.upperBound)") }
            api[keyPath: path] = n
        }
        if let w = s["web_root"] { api.webRoot = try w.string() }
        if let r = s["release_reasons"] {
            api.releaseReasons = []
            for item in try r.array() {
                let m = try item.mapping(allowed: ["id", "label"])
                guard let idValue = m["id"] else { throw item.error("a release reason needs an id") }
                let id = try idValue.string()
                guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                    throw idValue.error("a release reason id is letters, digits, - and _")
                }
                api.releaseReasons.append(.init(id: id, label: try m["label"]?.string() ?? id))
            }
        }
        var names: Set<String> = []
        for t in try s["tokens"]?.array() ?? [] {
            let m = try t.mapping(allowed: ["name", "sha256", "role", "agent", "expires"])
            guard let n = m["name"] else { throw t.error("a token needs a name") }
            let name = try n.string()
            guard names.insert(name).inserted else { throw n.error("duplicate token name '\(name)'") }
            guard let h = m["sha256"] else { throw t.error("token '\(name)' needs sha256", fix: "write the token's hash: printf %s TOKEN | sha256sum") }
            let hash = try h.string().lowercased()
            guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else { throw h.error("sha256 must be 64 hex digits", fix: "printf %s TOKEN | sha256sum") }
            guard let r = m["role"] else { throw t.error("token '\(name)' needs a role", fix: "agent, supervisor or admin") }
            guard let role = APIConfig.Role(rawValue: try r.string()) else { throw r.error("unknown role", fix: "use agent, supervisor or admin") }
            let agent = try m["agent"]?.string()
            if role == .agent && agent == nil { throw t.error("token '\(name)' has role agent but no agent", fix: "add agent: LOGIN") }
            var expires: Double?
            if let e = m["expires"] {
                let text = try e.string()
                guard let d = ISO8601DateFormatter().date(from: text) else { throw e.error("expected an ISO 8601 time like 2027-01-31T00:00:00Z") }
                expires = d.timeIntervalSince1970
            }
            api.tokens.append(.init(name: name, sha256: hash, role: role, agent: agent, expires: expires))
        }
        return api
    }

    static func portRange(_ v: YAMLValue) throws(ConfigError) -> ClosedRange<Int> {
        let parts = try v.string().split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 1024, parts[1] <= 65535, parts[1] - parts[0] + 1 >= 8 else {  // inclusive: 20000-20007 is 8 ports
            throw v.error("expected a port range like 20000-29999 (at least 8 ports, within 1024-65535)")
        }
        return parts[0]...parts[1]
    }

    /// `sip.tcp`, `sip.tls` and `sip.connections`.
    static func readStreams(_ s: YAMLMapping) throws(ConfigError) -> StreamConfig {
        var streams = StreamConfig()
        if let t = s["tcp"] { streams.tcp = try t.bool() }
        if let t = s["tls"] {
            let m = try t.mapping(allowed: ["port", "certificate", "key", "verify_peer", "ca_file"])
            guard let cert = m["certificate"], let key = m["key"] else {
                throw t.error("sip.tls needs certificate and key", fix: "name the PEM files, e.g. {certificate: /etc/ccengine/cert.pem, key: /etc/ccengine/key.pem}")
            }
            var tls = TLSConfig(certificate: try cert.string(), key: try key.string())
            for (node, path) in [(cert, tls.certificate), (key, tls.key)] where !FileManager.default.isReadableFile(atPath: path) {
                throw node.error("cannot read \(path)", fix: "give the path of a readable PEM file")
            }
            if let p = m["port"] {
                let n = try p.int()
                guard (0...65535).contains(n) else { throw p.error("port must be 0 to 65535") }
                tls.port = n
            }
            if let v = m["verify_peer"] { tls.verifyPeer = try v.bool() }
            if let ca = m["ca_file"] { tls.caFile = try ca.string() }
            streams.tls = tls
        }
        if let c = s["connections"] {
            let m = try c.mapping(allowed: ["idle_timeout", "per_source", "max", "connect_timeout"])
            for (key, path, range) in [("idle_timeout", \StreamConfig.idleTimeout, 5...86_400), ("per_source", \.perSource, 1...100_000),
                                       ("max", \.maximum, 1...1_000_000), ("connect_timeout", \.connectTimeout, 1...60)] {
                guard let v = m[key] else { continue }
                let n = try v.int()
                guard range.contains(n) else { throw v.error("\(key) must be \(range.lowerBound) to \(range.upperBound)") }
                streams[keyPath: path] = n
            }
        }
        return streams
    }
}

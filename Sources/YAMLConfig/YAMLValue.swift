import Yams

/// A YAML node that remembers its file and line, so every typed read can fail with `file:line`.
public struct YAMLValue: @unchecked Sendable {  // Yams.Node is an immutable value tree but not marked Sendable
    public let node: Node
    public let file: String
    /// Dotted path from the document root, for messages (`queues[1].recipe`).
    public let path: String

    public init(node: Node, file: String, path: String) {
        self.node = node
        self.file = file
        self.path = path
    }

    /// Parses a whole document. YAML syntax errors come back with Yams' line.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> YAMLValue {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, line: 1, problem: "the file is empty", fix: "see the examples in Scenarios/")
            }
            return YAMLValue(node: node, file: file, path: "")
        } catch let e as ConfigError {
            throw e
        } catch let e as YamlError {
            if let duplicate = Self.duplicateKey(e, in: text) {
                throw ConfigError(file: file, line: duplicate.line, problem: "duplicate key '\(duplicate.key)' (first at line \(duplicate.first))",
                                  fix: "a mapping holds each key once: merge the two, or give a list where the key takes one (e.g. asa: [{at_most: 20s}, {at_most: 5s, queue: sales}])")
            }
            throw ConfigError(file: file, line: Self.line(of: e), problem: "YAML syntax error: \(Self.summary(of: e))", fix: "check indentation and quoting near that line")
        } catch {
            throw ConfigError(file: file, line: nil, problem: "YAML error: \(error)")
        }
    }

    public var line: Int? { node.mark.map { $0.line } }

    public func error(_ problem: String, fix: String? = nil) -> ConfigError {
        ConfigError(file: file, line: line, problem: path.isEmpty ? problem : "\(path): \(problem)", fix: fix)
    }

    public func child(_ node: Node, _ component: String) -> YAMLValue {
        YAMLValue(node: node, file: file, path: path.isEmpty ? component : path + component.dotted)
    }

    public func mapping(allowed: Set<String>) throws(ConfigError) -> YAMLMapping {
        guard case .mapping(let m) = node else { throw error("expected a mapping (key: value lines)") }
        var entries: [(String, YAMLValue, Int?)] = []
        for (k, v) in m {
            guard case .scalar(let ks) = k else { throw error("keys must be plain words") }
            let key = ks.string
            let keyLine = k.mark.map { $0.line }
            guard allowed.contains(key) else {
                let suggestion = allowed.min { Self.distance($0, key) < Self.distance($1, key) }
                throw ConfigError(
                    file: file, line: keyLine,
                    problem: "unknown key '\(key)'" + (path.isEmpty ? "" : " in \(path)"),
                    fix: suggestion.map { "did you mean '\($0)'? allowed keys: \(allowed.sorted().joined(separator: ", "))" })
            }
            entries.append((key, child(v, key), keyLine))
        }
        return YAMLMapping(owner: self, entries: entries)
    }

    public func array() throws(ConfigError) -> [YAMLValue] {
        guard case .sequence(let s) = node else { throw error("expected a list (lines starting with '- ')") }
        return s.enumerated().map { i, n in child(n, "[\(i)]") }
    }

    public func string() throws(ConfigError) -> String {
        guard case .scalar(let s) = node else { throw error("expected a single value, found a list or mapping") }
        return s.string
    }

    public func int() throws(ConfigError) -> Int {
        guard let v = Int(try string()) else { throw error("expected a whole number, found '\((try? string()) ?? "")'") }
        return v
    }

    public func double() throws(ConfigError) -> Double {
        guard let v = Double(try string()) else { throw error("expected a number, found '\((try? string()) ?? "")'") }
        return v
    }

    public func bool() throws(ConfigError) -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let s: throw error("expected true or false, found '\(s)'")
        }
    }

    /// A duration: `10s`, `500ms`, `2m`, `1h`, or a bare number of seconds.
    public func duration() throws(ConfigError) -> Duration {
        let s = try string().trimmingCharacters(in: " ")
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where s.hasSuffix(suffix) {
            if let v = Double(s.dropLast(suffix.count)), v >= 0 { return .milliseconds(Int64((v * scale * 1000).rounded())) }
        }
        if let v = Double(s), v >= 0 { return .milliseconds(Int64((v * 1000).rounded())) }
        throw error("expected a duration like 10s, 500ms, 2m or 1h, found '\(s)'")
    }

    public func strings() throws(ConfigError) -> [String] {
        if case .scalar = node { return [try string()] }
        var out: [String] = []
        for v in try array() { out.append(try v.string()) }
        return out
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var prev = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let cur = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
                prev = cur
            }
        }
        return row[b.count]
    }

    static func line(of e: YamlError) -> Int? {
        switch e {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }

    /// Yams reports a duplicate key at its mapping's start, with the whole document as context;
    /// this finds the key and the line of its second occurrence in that mapping.
    static func duplicateKey(_ e: YamlError, in text: String) -> (key: String, line: Int, first: Int)? {
        guard case .duplicatedKeysInMapping(let keys, let context) = e, let key = keys.sorted().first else { return nil }
        let markLine = context.mark.line
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var seen: (line: Int, indent: Int)?
        for n in max(markLine - 1, 0)..<lines.count {
            let line = lines[n]
            let body = line.drop { $0 == " " || $0 == "-" }
            let indent = line.count - body.count
            guard body.hasPrefix(key), body.dropFirst(key.count).drop(while: { $0 == " " }).first == ":" else { continue }
            if let first = seen, first.indent == indent { return (key, n + 1, first.line) }
            if seen == nil { seen = (n + 1, indent) }
        }
        return nil
    }

    static func summary(of e: YamlError) -> String {
        switch e {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        default:
            return "\(e)"
        }
    }
}

extension String {
    fileprivate var dotted: String { hasPrefix("[") ? self : "." + self }
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}

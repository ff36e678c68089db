/// Names that must refer to something the file defines (agents, queues, groups): a misspelt one
/// fails at its own line with the closest known name, instead of matching nothing.
extension YAMLValue {
    /// The value as one of `known`; `what` names the kind ("agent", "queue").
    public func name(in known: Set<String>, what: String) throws(ConfigError) -> String {
        let s = try string()
        guard known.contains(s) else { throw Self.unknownName(s, in: known, what: what, file: file, line: line, path: path) }
        return s
    }

    /// A name or a list of names, each one of `known` (each checked at its own line).
    public func names(in known: Set<String>, what: String) throws(ConfigError) -> [String] {
        if case .scalar = node { return [try name(in: known, what: what)] }
        var out: [String] = []
        for v in try array() { out.append(try v.name(in: known, what: what)) }
        return out
    }

    static func unknownName(_ name: String, in known: Set<String>, what: String, file: String, line: Int?, path: String) -> ConfigError {
        let closest = known.min { distance($0, name) < distance($1, name) || (distance($0, name) == distance($1, name) && $0 < $1) }
        let listed = known.count <= 12 ? known.sorted().joined(separator: ", ") : "\(known.count) \(what)s"
        let fix = known.isEmpty ? "the scenario defines no \(what)s"
            : (closest.map { "did you mean '\($0)'? " } ?? "") + "known \(what)s: \(listed)"
        return ConfigError(file: file, line: line, problem: (path.isEmpty ? "" : "\(path): ") + "no \(what) named '\(name)'", fix: fix)
    }
}

extension YAMLMapping {
    /// The line of `key` itself (for mappings whose keys are names).
    public func line(ofKey key: String) -> Int? { entries.first { $0.0 == key }?.2 }

    /// Checks that every key is one of `known` (mappings keyed by agent or queue names).
    public func keys(in known: Set<String>, what: String) throws(ConfigError) -> [String] {
        for (key, value, line) in entries where !known.contains(key) {
            throw YAMLValue.unknownName(key, in: known, what: what, file: value.file, line: line ?? value.line, path: owner.path)
        }
        return keys
    }
}

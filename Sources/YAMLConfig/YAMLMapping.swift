/// A mapping whose keys were checked against the allowed set; typed reads by key.
public struct YAMLMapping: @unchecked Sendable {
    public let owner: YAMLValue
    let entries: [(String, YAMLValue, Int?)]

    public subscript(_ key: String) -> YAMLValue? { entries.first { $0.0 == key }?.1 }

    public var keys: [String] { entries.map(\.0) }

    public func required(_ key: String, fix: String? = nil) throws(ConfigError) -> YAMLValue {
        guard let v = self[key] else { throw owner.error("missing required key '\(key)'", fix: fix ?? "add '\(key): ...'") }
        return v
    }
}

extension YAMLValue {
    /// The keys of a mapping node, unchecked (for mappings whose keys are names, like agents).
    public var mappingKeys: [String] {
        guard case .mapping(let m) = node else { return [] }
        return m.keys.compactMap { if case .scalar(let s) = $0 { s.string } else { nil } }
    }
}

/// A routing skill. Names starting with `_` are reserved magic skills (seed 000, REFERENCE §1):
///
/// - `_node` expands to `_node:<node>`. Every call requires its node's skill on arrival; every agent
///   holds `_node:<its node>`, so the default recipe's `remove_skills [_node]` opens a call to
///   agents of other nodes.
/// - `_agent:<login>` on a call routes it to that one agent only. Agents hold their own
///   `_agent:<login>` implicitly (it is tracked as the call's target, not as a skill bit).
/// - `_queue` on a queue or recipe expands to `_queue:<the call's queue>`; agents opt in by listing
///   `_queue:<name>`. Calls do not carry `_queue:` unless the queue or recipe asks for it.
/// - `_brand` on a queue or recipe expands to `_brand:<caller.client>` (nothing when the caller has
///   no client); agents list `_brand:<client>`.
/// - `_all`: an agent holding it matches any call; a call requiring it matches any agent.
public struct Skill: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    public var isMagic: Bool { name.hasPrefix("_") }

    public var description: String { name }

    public static func < (lhs: Skill, rhs: Skill) -> Bool { lhs.name < rhs.name }
}

extension Skill: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self.init(value)
    }
}

/// The parsed form of a magic skill name: `_kind` or `_kind:argument`.
enum MagicSkill: Equatable {
    case node(String?)
    case agent(String?)
    case queue(String?)
    case brand(String?)
    case all

    static let kinds = ["_node", "_agent", "_queue", "_brand", "_all"]

    /// nil when the name is not magic; throws-free: an unknown magic name is reported by
    /// `parse(_:)` returning `.failure` so config validation can name it.
    static func parse(_ name: String) -> Result<MagicSkill, UnknownMagicSkill>? {
        guard name.hasPrefix("_") else { return nil }
        let kind: Substring
        let argument: String?
        if let colon = name.firstIndex(of: ":") {
            kind = name[..<colon]
            let rest = name[name.index(after: colon)...]
            argument = rest.isEmpty ? nil : String(rest)
        } else {
            kind = Substring(name)
            argument = nil
        }
        switch kind {
        case "_node": return .success(.node(argument))
        case "_agent": return .success(.agent(argument))
        case "_queue": return .success(.queue(argument))
        case "_brand": return .success(.brand(argument))
        case "_all" where argument == nil: return .success(.all)
        default: return .failure(UnknownMagicSkill(name: name))
        }
    }
}

struct UnknownMagicSkill: Error, Equatable {
    let name: String
}

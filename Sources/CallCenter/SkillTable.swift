/// Interns skill names to small integers so skill sets are bitsets (`SkillSet`).
/// The table only grows; indices are stable for the life of a `CallCenter`.
struct SkillTable: Sendable {
    private var indexByName: [String: Int] = [:]
    private(set) var names: [String] = []

    mutating func intern(_ name: String) -> Int {
        if let index = indexByName[name] { return index }
        let index = names.count
        names.append(name)
        indexByName[name] = index
        return index
    }

    func index(of name: String) -> Int? { indexByName[name] }

    func skills(_ set: SkillSet) -> [Skill] {
        set.members.map { Skill(names[$0]) }
    }
}

/// What a list of configured skills means for one call once magic skills are expanded
/// in the call's context (its queue, its client, the node).
struct CallSkillChange {
    var skills = SkillSet()
    var target: String?
    /// `_agent` or `_agent:<login>` appeared (a removal of it clears the call's target).
    var mentionsAgent = false
    var all = false
}

extension SkillTable {
    /// Expands `skills` for a call in `queue` from `client`. Returns nil for an unknown magic
    /// skill (config validation rejects those up front; run-time skills can still carry one).
    mutating func expandForCall(
        _ skills: [Skill], node: String, queue: String, client: String?
    ) -> CallSkillChange? {
        var change = CallSkillChange()
        for skill in skills {
            switch MagicSkill.parse(skill.name) {
            case nil:
                change.skills.insert(intern(skill.name))
            case .failure:
                return nil
            case .success(.node(let n)):
                change.skills.insert(intern("_node:" + (n ?? node)))
            case .success(.agent(let login)):
                change.target = login
                change.mentionsAgent = true
            case .success(.queue(let q)):
                change.skills.insert(intern("_queue:" + (q ?? queue)))
            case .success(.brand(let b)):
                if let brand = b ?? client { change.skills.insert(intern("_brand:" + brand)) }
            case .success(.all):
                change.all = true
            }
        }
        return change
    }

    /// An agent's effective skills: configured ones, `_node:<node>` always, and `_all` as a flag.
    /// `_agent` entries are implicit (the agent's own login) and so carry no bit.
    mutating func expandForAgent(_ skills: [Skill], node: String) -> (skills: SkillSet, all: Bool) {
        var set = SkillSet()
        var all = false
        set.insert(intern("_node:" + node))
        for skill in skills {
            switch MagicSkill.parse(skill.name) {
            case nil: set.insert(intern(skill.name))
            case .success(.node(let n)): set.insert(intern("_node:" + (n ?? node)))
            case .success(.agent): break
            case .success(.queue(let q?)): set.insert(intern("_queue:" + q))
            case .success(.brand(let b?)): set.insert(intern("_brand:" + b))
            case .success(.all): all = true
            case .success(.queue(nil)), .success(.brand(nil)), .failure: break  // rejected by validation
            }
        }
        return (set, all)
    }
}

import EngineCore
import YAMLConfig

/// Reads `menus:` (IVR menus; see docs/configuration.md "Menus"). Prompts are loaded here, so a
/// bad one fails at its line; option targets are checked against the queues and menus.
enum MenuReader {
    static func read(_ v: YAMLValue, prompts: inout PromptSet) throws(ConfigError) -> Menu {
        let m = try v.mapping(allowed: ["name", "prompt", "timeout", "retries", "invalid", "options", "otherwise"])
        let name = try m.required("name").string()
        let promptValue = try m.required("prompt", fix: "a menu plays a prompt: a file or a word of the prompt set")
        let prompt = MediaPrompt(named: try promptValue.string())
        try prompts.load(prompt, at: promptValue)
        var menu = Menu(name: name, prompt: prompt)
        if let t = m["timeout"] { menu.timeout = try RoutingReader.positive(t) }
        if let r = m["retries"] {
            menu.retries = try r.int()
            guard (0...10).contains(menu.retries) else { throw r.error("retries must be 0 to 10") }
        }
        if let i = m["invalid"] {
            let p = MediaPrompt(named: try i.string())
            try prompts.load(p, at: i)
            menu.invalid = p
        }
        if let o = m["options"] {
            let options = try o.mapping(allowed: Set("0123456789*#ABCD".map(String.init)))
            for key in options.keys {
                guard let value = options[key] else { continue }
                menu.options[Character(key)] = try option(value)
            }
        }
        if let x = m["otherwise"] { menu.otherwise = try option(x) }
        return menu
    }

    /// `hangup`, `queue: NAME` or `{queue: NAME, skills: [...], priority: N}`, `menu: NAME`, `voicemail: QUEUE`.
    static func option(_ v: YAMLValue) throws(ConfigError) -> Menu.Option {
        if let text = try? v.string() {
            guard text == "hangup" else { throw v.error("unknown option '\(text)'", fix: "use hangup, {queue: NAME, skills: [...], priority: N}, {menu: NAME} or {voicemail: QUEUE}") }
            return .hangup
        }
        let m = try v.mapping(allowed: ["queue", "skills", "priority", "menu", "voicemail"])
        if let q = m["queue"] {
            return .queue(try q.string(), skills: try m["skills"]?.strings() ?? [], priority: try m["priority"].map { p throws(ConfigError) in try p.int() })
        }
        if let n = m["menu"] { return .menu(try n.string()) }
        if let q = m["voicemail"] { return .voicemail(try q.string()) }
        throw v.error("an option needs queue, menu or voicemail", fix: "use hangup, {queue: NAME, skills: [...], priority: N}, {menu: NAME} or {voicemail: QUEUE}")
    }

    /// Every option names a configured queue or menu (a voicemail option, a queue with a
    /// voicemail box), and no menu shares a queue's name.
    static func check(_ menus: [Menu], queues: Set<String>, boxes: Set<String>, at v: YAMLValue) throws(ConfigError) {
        let names = Set(menus.map(\.name))
        for (menu, item) in zip(menus, (try? v.array()) ?? []) {
            guard !queues.contains(menu.name) else {
                throw item.error("menu '\(menu.name)' has a queue's name", fix: "a menu and a queue are both reached by their name: rename one")
            }
            for option in Array(menu.options.values) + [menu.otherwise] {
                switch option {
                case .queue(let q, _, _) where !queues.contains(q):
                    throw item.error("menu '\(menu.name)' sends callers to queue '\(q)', which is not configured", fix: "name one of \(queues.sorted().joined(separator: ", "))")
                case .menu(let n) where !names.contains(n):
                    throw item.error("menu '\(menu.name)' sends callers to menu '\(n)', which is not configured")
                case .voicemail(let q) where !boxes.contains(q):
                    throw item.error("menu '\(menu.name)' sends callers to the voicemail of queue '\(q)', which has no voicemail box",
                                     fix: boxes.isEmpty ? "give the queue one: queues[].media.voicemail" : "name one of \(boxes.sorted().joined(separator: ", ")), or give '\(q)' queues[].media.voicemail")
                default:
                    break
                }
            }
        }
    }
}

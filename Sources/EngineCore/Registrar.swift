import SIP
import CallCenter

/// Agent registrations (RFC 3261 §10.3), pure: REGISTER in, response and binding changes out.
/// An agent is logged in while it has at least one unexpired binding.
public struct Registrar: Sendable {
    public struct Binding: Sendable, Equatable {
        public var contact: NameAddress
        /// Where requests for this contact are sent (after the NAT policy).
        public var target: Endpoint
        public var expiresAt: Duration
        public var registeredAt: Duration
        /// The proxies the REGISTER came through that asked to stay on the way to the phone (RFC
        /// 3327 Path, nearest the registrar first): requests to this contact carry it as Route.
        public var path: [NameAddress] = []

        public init(contact: NameAddress, target: Endpoint, expiresAt: Duration, registeredAt: Duration, path: [NameAddress] = []) {
            self.contact = contact
            self.target = target
            self.expiresAt = expiresAt
            self.registeredAt = registeredAt
            self.path = path
        }

        /// Key of this binding for refresh and removal: the Contact URI as text.
        public var key: String { contact.uri.description }
    }

    public enum Change: Sendable, Equatable {
        case loggedIn(AgentID)
        case loggedOut(AgentID)
        case armExpiry(AgentID, contact: String, at: Duration)
        case disarmExpiry(AgentID, contact: String)
    }

    public var natPolicy: NATPolicy
    public var defaultExpires = 3600
    public var minExpires = 60
    public var maxExpires = 7200
    private var agents: Set<AgentID>
    private var bindings: [AgentID: [Binding]] = [:]

    public init(agents: Set<AgentID>, natPolicy: NATPolicy = .auto) {
        self.agents = agents
        self.natPolicy = natPolicy
    }

    public func isAgent(_ login: String) -> Bool { agents.contains(login) }

    /// The logins that may register from now on (a reload); current bindings run to their expiry.
    mutating func setAgents(_ logins: Set<AgentID>) { agents = logins }

    /// The most recently registered binding.
    public func target(of agent: AgentID) -> Binding? {
        bindings[agent]?.max { $0.registeredAt < $1.registeredAt }
    }

    /// Where a call for this agent rings: the most recent device, or every device (newest first).
    public func targets(of agent: AgentID, devices: DevicePolicy) -> [Binding] {
        switch devices {
        case .mostRecent: target(of: agent).map { [$0] } ?? []
        case .ringAll: (bindings[agent] ?? []).sorted { $0.registeredAt > $1.registeredAt }
        }
    }

    public func bindings(of agent: AgentID) -> [Binding] { bindings[agent] ?? [] }

    /// Handles one REGISTER from `source`. `toTag` is the tag for the response.
    public mutating func register(_ request: SIPMessage, from source: Endpoint, toTag: String, now: Duration) -> (response: SIPMessage, changes: [Change]) {
        let agent = request.to.uri.user ?? ""
        guard agents.contains(agent) else {
            return (request.response(404, "Not Found (no agent '\(agent)' in the configuration)", toTag: toTag), [])
        }
        let wasLoggedIn = !(bindings[agent]?.isEmpty ?? true)
        var changes: [Change] = []
        var list = bindings[agent] ?? []
        let requestExpires = request.expires

        if request.contact.contains(where: { $0.uri.host.isEmpty || $0.uri.host == "*" || $0.displayName == "*" }) {
            // RFC 3261 §10.3 step 6: "Contact: *" with Expires 0 removes every binding.
            for b in list { changes.append(.disarmExpiry(agent, contact: b.key)) }
            list = []
        } else {
            for c in request.contact {
                var seconds = c.parameter("expires").flatMap { Int($0) } ?? requestExpires ?? defaultExpires
                let key = c.uri.description
                if seconds == 0 {
                    list.removeAll { $0.key == key }
                    changes.append(.disarmExpiry(agent, contact: key))
                    continue
                }
                if seconds < minExpires {
                    var r = request.response(423, toTag: toTag)
                    r.setHeader("Min-Expires", String(minExpires))
                    return (r, [])
                }
                seconds = min(seconds, maxExpires)
                // Behind a Path the phone is reached through the first proxy on it (RFC 3327 §5.3).
                let path = request.path
                let target = path.first.map { Endpoint(uri: $0.uri) }
                    ?? natPolicy.target(contact: c.uri, source: source)
                var contact = c
                contact.setParameter("expires", String(seconds))
                let binding = Binding(contact: contact, target: target, expiresAt: now + .seconds(seconds), registeredAt: now, path: path)
                list.removeAll { $0.key == key }
                list.append(binding)
                changes.append(.armExpiry(agent, contact: key, at: binding.expiresAt))
            }
        }
        bindings[agent] = list
        let isLoggedIn = !list.isEmpty
        if isLoggedIn && !wasLoggedIn { changes.append(.loggedIn(agent)) }
        if !isLoggedIn && wasLoggedIn { changes.append(.loggedOut(agent)) }

        var ok = request.response(200, toTag: toTag)
        ok.contact = list.map(\.contact)
        // RFC 3327 §5.3: the Path is echoed when the phone said it supports it.
        let path = request.headerValues("Path")
        if !path.isEmpty, request.headerValues("Supported").contains(where: { $0.lowercased().contains("path") }) {
            for p in path { ok.headers.append(Header("Path", p)) }
        }
        return (ok, changes)
    }

    /// Bindings kept from before a restart (times on this run's clock): the unexpired ones are
    /// taken back as if just registered, each with its expiry timer.
    public mutating func restore(_ kept: [AgentID: [Binding]], now: Duration) -> [Change] {
        var changes: [Change] = []
        for agent in kept.keys.sorted() where agents.contains(agent) {
            let live = kept[agent]!.filter { $0.expiresAt > now }
            guard !live.isEmpty else { continue }
            let wasLoggedIn = !(bindings[agent]?.isEmpty ?? true)
            var list = bindings[agent] ?? []
            for b in live {
                list.removeAll { $0.key == b.key }
                list.append(b)
                changes.append(.armExpiry(agent, contact: b.key, at: b.expiresAt))
            }
            bindings[agent] = list
            if !wasLoggedIn { changes.append(.loggedIn(agent)) }
        }
        return changes
    }

    /// A binding's expiry timer fired.
    public mutating func expire(agent: AgentID, contact: String, now: Duration) -> [Change] {
        guard var list = bindings[agent], let b = list.first(where: { $0.key == contact }), b.expiresAt <= now else { return [] }
        list.removeAll { $0.key == contact }
        bindings[agent] = list
        return list.isEmpty ? [.loggedOut(agent)] : []
    }
}

/// How a call rings an agent registered from several devices (several Contacts).
public enum DevicePolicy: String, Sendable, CaseIterable {
    /// Only the most recently registered Contact (the device the agent last used).
    case mostRecent = "most-recent"
    /// Every Contact at once; the first to answer takes the call, the others are cancelled.
    case ringAll = "ring-all"
}

import CallCenter
import Crypto
import Foundation
import SIP

/// The REST/WebSocket API (`api:` in the engine YAML; off unless configured).
public struct APIConfig: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable, CaseIterable, Comparable {
        /// Its own agent and that agent's calls only.
        case agent
        /// Reads everything, changes agents' states, hangs up calls, sets queue weights.
        case supervisor
        /// Everything, configuration included.
        case admin

        var rank: Int { Self.allCases.firstIndex(of: self)! }
        public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
    }

    /// One bearer token, stored as its SHA-256 (hex): the token itself is never in the file.
    public struct Token: Sendable, Equatable {
        public var name: String
        public var sha256: String
        public var role: Role
        /// For `role: agent`: the login it acts for.
        public var agent: AgentID?
        /// Unix time after which the token is refused; nil: never.
        public var expires: Double?

        public init(name: String, sha256: String, role: Role, agent: AgentID? = nil, expires: Double? = nil) {
            self.name = name
            self.sha256 = sha256.lowercased()
            self.role = role
            self.agent = agent
            self.expires = expires
        }

        /// `printf %s TOKEN | sha256sum` — how a token is written into the file.
        public static func hash(_ token: String) -> String {
            SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
        }
    }

    public var listen = Endpoint(host: "127.0.0.1", port: 8080)
    public var tokens: [Token] = []
    /// Largest request body accepted (bytes); larger gets 413.
    public var maxBodyBytes = 16_384
    /// Service level threshold (seconds) for the queues' SL figure.
    public var serviceLevelSeconds = 20
    /// Failed authentications a source may make per minute before it gets 429.
    public var failuresPerMinute = 10
    /// The release (break) codes the agent page and wallboard offer: (id, label).
    public var releaseReasons: [ReleaseCode] = [.init(id: "break", label: "Break"), .init(id: "lunch", label: "Lunch"), .init(id: "training", label: "Training")]
    /// Folder of the agent page and wallboard; nil: found beside the program (see `EngineAPI.webRoot`).
    public var webRoot: String?

    public struct ReleaseCode: Sendable, Equatable, Codable {
        public var id: String
        public var label: String
        public init(id: String, label: String) {
            self.id = id
            self.label = label
        }
    }

    public init() {}
}

/// Asterisk-format queue_log (`queue_log:`).
public struct QueueLogConfig: Sendable, Equatable {
    /// Write `STATE/queue_log` (on by default).
    public var file = true
    /// Also write the `queue_log` table of calls.sqlite (Asterisk realtime's columns).
    public var table = false

    public init() {}
}

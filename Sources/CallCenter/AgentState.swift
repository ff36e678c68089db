/// An agent's release (break) code. OpenACD release codes are `(id, label, bias)`.
public struct ReleaseReason: Sendable, Equatable, Hashable {
    public var id: String
    public var label: String
    public var bias: Int

    public init(id: String, label: String, bias: Int = 0) {
        self.id = id
        self.label = label
        self.bias = bias
    }

    /// OpenACD releases an agent after 3 consecutive ring failures with reason "Ring Fail".
    public static let ringFail = ReleaseReason(id: "ringfail", label: "Ring Fail", bias: -1)
    /// Used when `agentReleased` carries no specific code.
    public static let `default` = ReleaseReason(id: "default", label: "Default", bias: 0)
}

/// The agent states of seed 002 ("Available, Ringing, On Call, Wrap Up, Break, Offline").
public enum AgentState: Sendable, Equatable, Hashable {
    case offline
    case available
    case ringing(CallID)
    case onCall(CallID)
    case wrapUp(CallID?)
    case released(ReleaseReason)

    /// Names in `ordinal` order, for `CallCenter.agentsByState`.
    static let names = ["offline", "available", "ringing", "oncall", "wrapup", "released"]

    var ordinal: Int {
        switch self {
        case .offline: 0
        case .available: 1
        case .ringing: 2
        case .onCall: 3
        case .wrapUp: 4
        case .released: 5
        }
    }

    /// A stable name for reports and `CallCenter.agentsByState`.
    public var name: String {
        switch self {
        case .offline: "offline"
        case .available: "available"
        case .ringing: "ringing"
        case .onCall: "oncall"
        case .wrapUp: "wrapup"
        case .released: "released"
        }
    }
}

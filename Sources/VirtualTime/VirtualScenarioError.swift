import CallCenter
import Workload

/// A scenario the virtual-time runner or the staffing planner refuses. Every case names the
/// input and what to do about it.
public enum VirtualScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The routing core refused `routing`.
    case routing(CallCenterConfigError)
    /// `group` lists a login that `routing.agents` does not define.
    case unknownAgent(String, group: Int)
    /// A login appears in two agent groups (or twice in one).
    case agentInTwoGroups(String)
    /// A number out of its range: `field` in `context`, with what is allowed.
    case invalidValue(field: String, context: String, expected: String)
    /// The planner's group index is not an agent group of the scenario.
    case unknownGroup(Int, count: Int)

    public var description: String {
        switch self {
        case .routing(let error):
            "routing config: \(error)"
        case .unknownAgent(let login, let group):
            "agent group \(group): login '\(login)' is not an agent of the routing config; "
                + "add it to routing.agents or remove it from the group"
        case .agentInTwoGroups(let login):
            "login '\(login)' is listed more than once across agent groups; each agent belongs to "
                + "one group"
        case .invalidValue(let field, let context, let expected):
            "\(context): \(field) must be \(expected)"
        case .unknownGroup(let index, let count):
            "agent group \(index) does not exist; the scenario has \(count) group(s), "
                + "indexed from 0"
        }
    }
}

extension VirtualScenario {
    /// Checks what the runner relies on; the routing config itself is checked by the core.
    func validate() throws(VirtualScenarioError) {
        func require(_ ok: Bool, _ field: String, _ context: String, _ expected: String)
            throws(VirtualScenarioError)
        {
            if !ok { throw .invalidValue(field: field, context: context, expected: expected) }
        }
        try require(duration > 0 && duration.isFinite, "duration", "scenario", "a positive number of seconds")
        try require(warmUp >= 0 && warmUp.isFinite, "warm-up", "scenario", "zero or more seconds")
        try require(reportInterval > 0 && reportInterval.isFinite, "report interval", "scenario", "positive")
        try require(batches >= 2, "batches", "scenario", "at least 2")
        try require(drainLimit >= 0, "drain limit", "scenario", "zero or more seconds")
        for t in serviceLevelThresholds {
            try require(t >= 0, "service level threshold", "scenario", "zero or more seconds")
        }
        let known = Set(routing.agents.map(\.login))
        var seen = Set<String>()
        for (g, group) in agentGroups.enumerated() {
            let context = "agent group \(g)"
            for login in group.logins {
                guard known.contains(login) else { throw .unknownAgent(login, group: g) }
                guard seen.insert(login).inserted else { throw .agentInTwoGroups(login) }
            }
            for (name, p) in [("reject probability", group.rejectProbability),
                              ("no-answer probability", group.noAnswerProbability)] {
                try require(p >= 0 && p <= 1, name, context, "between 0 and 1")
            }
            try require(group.loginAt >= 0, "login time", context, "zero or more seconds")
            if let out = group.logoutAt {
                try require(out >= group.loginAt, "logout time", context, "at or after the login time")
            }
            for b in group.breaks {
                try require(b.at >= 0, "break start", context, "zero or more seconds after login")
                if let d = b.duration { try require(d >= 0, "break duration", context, "zero or more seconds") }
            }
        }
        for (s, stream) in customerStreams.enumerated() {
            let context = "customer stream \(s) (queue '\(stream.queue)')"
            if let calls = stream.calls { try require(calls >= 0, "calls", context, "zero or more") }
            switch stream.arrivals {
            case .every(let dt, let start):
                try require(dt > 0 && start >= 0, "arrival interval", context, "positive, starting at 0 s or later")
            case .poisson(let rate, let start):
                try require(rate > 0 && start >= 0, "arrival rate", context, "positive, starting at 0 s or later")
            case .profile(let profile):
                try require(profile.segments.allSatisfy { $0.rate >= 0 && $0.start >= 0 },
                            "rate profile", context, "made of rates >= 0 starting at 0 s or later")
            }
        }
    }
}

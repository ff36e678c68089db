/// `<`, `>` or `=` against a number, as in OpenACD recipe conditions.
public enum Comparison: String, Sendable, Equatable, CaseIterable {
    case less = "<"
    case greater = ">"
    case equal = "="

    func holds(_ value: Int, _ target: Int) -> Bool {
        switch self {
        case .less: value < target
        case .greater: value > target
        case .equal: value == target
        }
    }
}

/// Recipe conditions found in OpenACD code (REFERENCE §1). All of a step's conditions must hold.
public enum RecipeCondition: Sendable, Equatable {
    /// Holds when `tick % n == 0`; the first tick is 1.
    case ticks(Int)
    /// Available agents whose skills cover the call's.
    case availableAgents(Comparison, Int)
    /// Logged-in agents (any state but offline, released included) whose skills cover the call's.
    case eligibleAgents(Comparison, Int)
    /// Calls waiting (not ringing) in the call's queue.
    case callsQueued(Comparison, Int)
    /// The call's 1-based place in its queue's service order.
    case queuePosition(Comparison, Int)
    /// `client = NAME` (`equals: true`) or `client != NAME`. A call without a client equals nothing.
    case client(equals: Bool, String)
    /// Local hour 0-23 from `originUnixTime + utcOffsetSeconds + now`.
    case hour(Comparison, Int)
    /// ISO weekday 1 (Monday) - 7 (Sunday), same clock as `hour`.
    case weekday(Comparison, Int)
    case mediaType(MediaType)
    /// Caller id matched (searched, not anchored) by a regular expression.
    case callerID(CallerPattern)
    case callerName(CallerPattern)
}

/// Local calendar fields for time conditions, computed without Foundation.
struct CalendarClock: Sendable {
    var originUnixTime: Double
    var utcOffsetSeconds: Int

    private func localSeconds(_ now: Duration) -> Int64 {
        let nowSeconds = Double(now.components.seconds) + Double(now.components.attoseconds) / 1e18
        return Int64((originUnixTime + nowSeconds).rounded(.down)) + Int64(utcOffsetSeconds)
    }

    func hour(at now: Duration) -> Int {
        let s = localSeconds(now)
        let secondOfDay = ((s % 86_400) + 86_400) % 86_400
        return Int(secondOfDay / 3_600)
    }

    /// 1970-01-01 was a Thursday (ISO weekday 4).
    func weekday(at now: Duration) -> Int {
        let s = localSeconds(now)
        let day = s >= 0 ? s / 86_400 : (s - 86_399) / 86_400
        return Int(((day + 3) % 7 + 7) % 7) + 1
    }
}

import Foundation

/// Which service-level definition a target or report uses (REFERENCE §3: always say which).
public enum ServiceLevelBasis: String, Sendable, Codable, Equatable {
    /// `answeredWithin(t) / offered`: abandoned and failed calls count against it. The default.
    case offered
    /// `answeredWithin(t) / answered`.
    case answered
}

/// What a staffing level must achieve.
public enum StaffingTarget: Sendable, Equatable, Codable, CustomStringConvertible {
    /// SL(seconds) >= atLeast, under `basis`.
    case serviceLevel(seconds: Double, atLeast: Double, basis: ServiceLevelBasis)
    /// Average speed of answer <= seconds.
    case averageSpeedOfAnswer(atMost: Double)
    /// abandoned / offered <= fraction.
    case abandonRate(atMost: Double)

    public var description: String {
        switch self {
        case .serviceLevel(let t, let x, let basis):
            "sl(\(format(t))s\(basis == .answered ? ", answered" : "")) >= \(format(x))"
        case .averageSpeedOfAnswer(let t): "asa <= \(format(t))s"
        case .abandonRate(let x): "abandon <= \(format(x))"
        }
    }

    /// The constrained metric's short name: "SL(20s)", "ASA", "abandon".
    public var metricName: String {
        switch self {
        case .serviceLevel(let t, _, let basis): "SL(\(format(t))s\(basis == .answered ? ", answered" : ""))"
        case .averageSpeedOfAnswer: "ASA"
        case .abandonRate: "abandon"
        }
    }

    /// The values the constrained metric can take.
    public var bounds: ClosedRange<Double> {
        if case .averageSpeedOfAnswer = self { return ConfidenceInterval.nonNegative }
        return ConfidenceInterval.fraction
    }

    /// More agents never make the metric worse, so "meets" is monotone in the staffing.
    public func isMet(by value: Double) -> Bool {
        switch self {
        case .serviceLevel(_, let x, _): value >= x
        case .averageSpeedOfAnswer(let t): value <= t
        case .abandonRate(let x): value <= x
        }
    }

    /// The metric this target constrains, as measured by a run.
    public func metric(of result: VirtualRunResult) -> ConfidenceInterval? {
        switch self {
        case .serviceLevel(let t, _, let basis):
            result.serviceLevel(t).map { basis == .offered ? $0.ofOffered : $0.ofAnswered }
        case .averageSpeedOfAnswer: result.averageSpeedOfAnswer
        case .abandonRate: result.abandonRate
        }
    }

    static let forms = "sl(20s) >= 0.8, sl(20s, answered) >= 80%, asa <= 30s, abandon <= 0.05"

    /// Parses `sl(20s) >= 0.8`, `sl(20s, answered) >= 80%`, `asa <= 30s`, `abandon <= 5%`.
    /// Durations take `s`, `ms` or `m` (bare numbers are seconds); fractions may be percentages.
    public static func parse(_ text: String) throws(StaffingTargetError) -> StaffingTarget {
        let input = text.trimmingCharacters(in: .whitespaces)
        func fail(_ reason: String) -> StaffingTargetError {
            StaffingTargetError(input: text, reason: reason)
        }
        let op: String
        if input.contains(">=") { op = ">=" } else if input.contains("<=") { op = "<=" } else {
            throw fail("no comparison; use '>=' for a service level or '<=' for asa and abandon")
        }
        let sides = input.components(separatedBy: op)
        guard sides.count == 2 else { throw fail("more than one '\(op)'") }
        let lhs = sides[0].trimmingCharacters(in: .whitespaces).lowercased()
        let rhs = sides[1].trimmingCharacters(in: .whitespaces)
        guard !rhs.isEmpty else { throw fail("nothing after '\(op)'") }

        if lhs.hasPrefix("sl") {
            guard op == ">=" else { throw fail("a service level target needs '>=' (at least)") }
            guard lhs.hasPrefix("sl("), lhs.hasSuffix(")") else {
                throw fail("write the threshold in parentheses, e.g. sl(20s)")
            }
            let inside = lhs.dropFirst(3).dropLast().split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard inside.count <= 2, let first = inside.first, !first.isEmpty else {
                throw fail("sl(...) takes a threshold and optionally 'offered' or 'answered'")
            }
            guard let t = seconds(first), t >= 0 else { throw fail("bad threshold '\(first)'; e.g. 20s") }
            var basis = ServiceLevelBasis.offered
            if inside.count == 2 {
                guard let b = ServiceLevelBasis(rawValue: inside[1]) else {
                    throw fail("unknown service level basis '\(inside[1])'; use 'offered' or 'answered'")
                }
                basis = b
            }
            guard let x = fraction(rhs) else { throw fail("bad service level '\(rhs)'; use 0.8 or 80%") }
            return .serviceLevel(seconds: t, atLeast: x, basis: basis)
        }
        guard op == "<=" else { throw fail("'\(lhs)' targets need '<=' (at most)") }
        switch lhs {
        case "asa":
            guard let t = seconds(rhs), t >= 0 else { throw fail("bad time '\(rhs)'; e.g. 30s") }
            return .averageSpeedOfAnswer(atMost: t)
        case "abandon", "abandonment":
            guard let x = fraction(rhs) else { throw fail("bad fraction '\(rhs)'; use 0.05 or 5%") }
            return .abandonRate(atMost: x)
        default:
            throw fail("unknown metric '\(lhs)'; use sl(...), asa or abandon")
        }
    }

    private static func seconds(_ s: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        for (suffix, scale) in units where s.hasSuffix(suffix) {
            return Double(s.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)).map { $0 * scale }
        }
        return Double(s)
    }

    private static func fraction(_ s: String) -> Double? {
        let value: Double?
        if s.hasSuffix("%") {
            value = Double(s.dropLast().trimmingCharacters(in: .whitespaces)).map { $0 / 100 }
        } else {
            value = Double(s)
        }
        guard let value, value >= 0, value <= 1 else { return nil }
        return value
    }
}

/// A staffing target the parser could not read.
public struct StaffingTargetError: Error, Sendable, Equatable, CustomStringConvertible {
    public var input: String
    public var reason: String

    public var description: String {
        "bad staffing target '\(input)': \(reason) (forms: \(StaffingTarget.forms))"
    }
}

private func format(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
}

import Foundation

/// How numbers are shown on axes, in tooltips and in value labels.
public enum ValueFormat: Sendable {
    /// SI-ish: `950`, `1.2k`, `3.4M`, `0.25`.
    case number
    /// Rounded with thousands separators: `12,345`.
    case integer
    /// A fraction shown as a percentage: `0.85` → `85%`.
    case percent
    /// Durations given in seconds, shown in a fitting unit: `ns`, `µs`, `ms`, `s`, `min`, `h`.
    case seconds
    /// Durations given in milliseconds, shown in a fitting unit.
    case milliseconds
    /// Durations given in microseconds, shown in a fitting unit.
    case microseconds
    /// Anything else.
    case custom(@Sendable (Double) -> String)

    /// Formats one value on its own (about three significant digits).
    public func format(_ value: Double) -> String {
        format(value, reference: abs(value), step: nil)
    }

    /// Formats a value as one of a set (e.g. axis ticks): `reference` (usually the largest
    /// magnitude in the set) picks the unit or SI prefix so the set shares it, and `step` (the
    /// spacing of the set) picks the number of decimals.
    public func format(_ value: Double, reference: Double, step: Double?) -> String {
        guard value.isFinite else { return value.isNaN ? "–" : (value > 0 ? "∞" : "−∞") }
        let ref = reference.isFinite ? abs(reference) : abs(value)
        switch self {
        case .number:
            if value == 0 { return "0" }
            let (divisor, suffix) = Self.siPrefix(ref)
            return Self.decimal(value / divisor, step: step.map { $0 / divisor }) + suffix
        case .integer:
            return Self.grouped(value.rounded())
        case .percent:
            return Self.decimal(value * 100, step: step.map { $0 * 100 }) + "%"
        case .seconds, .milliseconds, .microseconds:
            if value == 0 { return "0" }
            let base = secondsPerUnit ?? 1
            let (divisor, unit) = Self.timeUnit(ref * base)
            return Self.decimal(value * base / divisor, step: step.map { $0 * base / divisor }) + unit
        case .custom(let f):
            return f(value)
        }
    }

    /// Seconds per input unit for the duration formats, nil for the others.
    public var secondsPerUnit: Double? {
        switch self {
        case .seconds: 1
        case .milliseconds: 1e-3
        case .microseconds: 1e-6
        default: nil
        }
    }

    var isPercent: Bool {
        if case .percent = self { return true }
        return false
    }

    static func siPrefix(_ magnitude: Double) -> (Double, String) {
        for (divisor, suffix) in [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] where magnitude >= divisor {
            return (divisor, suffix)
        }
        return (1, "")
    }

    static func timeUnit(_ seconds: Double) -> (Double, String) {
        switch seconds {
        case 7200...: (3600, "h")
        case 120...: (60, "min")
        case 1...: (1, "s")
        case 1e-3...: (1e-3, "ms")
        case 1e-6...: (1e-6, "µs")
        case 0: (1, "s")
        default: (1e-9, "ns")
        }
    }

    /// Fixed-point text: decimals from `step` when given (enough to tell ticks apart),
    /// otherwise three significant digits; trailing zeros trimmed.
    static func decimal(_ value: Double, step: Double?) -> String {
        let decimals: Int
        if let step, step.isFinite, step > 0 {
            decimals = (0...6).first { n in
                let m = step * pow(10, Double(n))
                return abs(m - m.rounded()) < 1e-6 * max(1, abs(m))
            } ?? 6
        } else {
            let a = abs(value)
            decimals = a == 0 ? 0 : min(6, max(0, 2 - Int(floor(log10(a)))))
        }
        var s = String(format: "%.\(decimals)f", value)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }

    static func grouped(_ value: Double) -> String {
        guard abs(value) < 1e18 else { return String(format: "%.3g", value) }
        let digits = String(Int64(abs(value)))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return (value < 0 ? "-" : "") + out
    }
}

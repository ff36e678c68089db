import Synchronization

/// A regular expression compiled once, at config time, for `caller_id` / `caller_name`.
///
/// Swift's `Regex` is not `Sendable` (it lowers its program lazily into shared storage), so the
/// compiled value lives behind a `Mutex`; matching takes the lock briefly. Equality is by pattern.
/// Matching is a search (`firstMatch`), like OpenACD's `re:run`; anchor with `^`/`$` as needed.
public final class CallerPattern: Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    private let regex: Mutex<Regex<AnyRegexOutput>>

    public init(_ pattern: String) throws(CallCenterConfigError) {
        self.pattern = pattern
        do {
            regex = Mutex(try Regex(pattern))
        } catch {
            throw .invalidRegex(pattern: pattern, reason: "\(error)", context: "caller pattern")
        }
    }

    public func matches(_ text: String) -> Bool {
        regex.withLock { text.firstMatch(of: $0) != nil }
    }

    public var description: String { pattern }

    public static func == (lhs: CallerPattern, rhs: CallerPattern) -> Bool {
        lhs.pattern == rhs.pattern
    }
}

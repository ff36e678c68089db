import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Linux timer slack of the calling thread (REFERENCE §4: 50 µs by default; the kernel may fire a
/// thread's timers up to that late to batch wake-ups). `prctl(PR_SET_TIMERSLACK)` is variadic and
/// so not callable from Swift; `/proc/<tid>/timerslack_ns` sets the same per-thread value.
enum TickBenchTimerSlack {
    /// The calling thread's slack in ns; nil where `/proc` does not offer it.
    static func current() -> Int? {
        guard let path = path(),
            let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Sets the calling thread's slack; returns the value in force afterwards.
    @discardableResult
    static func set(nanoseconds: Int) -> Int? {
        if let path = path() {
            try? "\(nanoseconds)\n".write(toFile: path, atomically: false, encoding: .utf8)
        }
        return current()
    }

    /// `/proc/thread-self` links to `<pid>/task/<tid>`; `timerslack_ns` lives at `/proc/<tid>/`.
    private static func path() -> String? {
        var buffer = [CChar](repeating: 0, count: 128)
        let n = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let tid = target.split(separator: "/").last, Int(tid) != nil else { return nil }
        return "/proc/\(tid)/timerslack_ns"
    }
}

import Foundation

/// The live progress line while a run goes (elapsed, offered, answered, waiting, agents busy),
/// redrawn in place on a terminal and silent otherwise (CI logs stay clean).
final class ProgressLine: @unchecked Sendable {
    private let enabled = isatty(STDERR_FILENO) == 1
    private var timer: DispatchSourceTimer?

    func start(observations: Observations, clock: RunClock) {
        guard enabled else { return }
        let t = DispatchSource.makeTimerSource(queue: .global())
        t.schedule(deadline: .now() + 1, repeating: 1)
        t.setEventHandler {
            let s = observations.snapshot
            let line = String(format: "\r  %6.1f s  offered %d  answered %d  abandoned %d  waiting %d  agents busy %d   ",
                              clock.now, s.offered, s.answered, s.abandoned, s.waiting, s.agentsBusy)
            FileHandle.standardError.write(Data(line.utf8))
        }
        t.resume()
        timer = t
    }

    func stop() {
        timer?.cancel()
        if enabled, timer != nil { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        timer = nil
    }
}

import ArgumentParser
import Engine
import Foundation

/// `ccengine drain` / `resume` / `reload`: finds the engine running on a state folder (its PID is in the
/// state database, with its last heartbeat), checks that the process is a live ccengine, and
/// signals it (SIGUSR2 drains, SIGUSR1 resumes, SIGHUP reloads). `drain --wait` then follows the calls in progress
/// (rows still `pending`) until there are none.
struct EngineControl {
    let stateDirectory: String

    func signal(_ sig: Int32, waitSeconds: Int?) throws {
        let store = try CallRecordStore(directory: stateDirectory)
        guard let run = try store.lastRun() else {
            fail("no engine has run on the state folder \(stateDirectory)")
        }
        let comm = (try? String(contentsOfFile: "/proc/\(run.pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let age = Date().timeIntervalSince1970 - run.aliveAt
        guard comm == "ccengine", age < 10 else {
            fail("the engine of \(stateDirectory) (PID \(run.pid)) is not running (last heartbeat \(Int(age)) s ago)")
        }
        guard kill(run.pid, sig) == 0 else { fail("cannot signal PID \(run.pid): \(String(cString: strerror(errno)))") }
        switch sig {
        case SIGUSR2: print("ccengine \(run.pid): draining (new calls get 503); \(try store.callsInProgress()) calls in progress")
        case SIGHUP: print("ccengine \(run.pid): reloading its configuration file; its log says what changed or why it was refused")
        default: print("ccengine \(run.pid): accepting new calls again")
        }
        guard let waitSeconds else { return }
        let end = Date().addingTimeInterval(TimeInterval(waitSeconds))
        var left = try store.callsInProgress()
        while left > 0 && Date() < end {
            Thread.sleep(forTimeInterval: 0.5)
            left = try store.callsInProgress()
        }
        print(left == 0 ? "drained: no call in progress" : "still \(left) calls in progress after \(waitSeconds) s")
        if left > 0 { throw ExitCode(1) }
    }

    private func fail(_ text: String) -> Never {
        FileHandle.standardError.write(Data("ccengine: \(text)\n".utf8))
        Foundation.exit(2)
    }
}

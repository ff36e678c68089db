import Foundation
import Glibc
import Testing
@testable import Engine

/// `priority:` in the engine's configuration, and what it does to a thread.
@Suite struct ThreadPriorityTests {
    static let minimal = """
        sip: {address: 127.0.0.1:5060}
        queues: [{name: support}]

        """

    func load(_ yaml: String) throws -> EngineConfig {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("priority-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try EngineConfig.load(file: path)
    }

    @Test func defaultsToNormal() throws {
        #expect(try load(Self.minimal).priority == .normal)
    }

    @Test(arguments: ThreadPriority.allCases)
    func readsEachValue(_ p: ThreadPriority) throws {
        #expect(try load(Self.minimal + "priority: \(p.rawValue)\n").priority == p)
    }

    @Test func unknownValueNamesLineAndFix() throws {
        do {
            _ = try load(Self.minimal + "priority: urgent\n")
            Issue.record("an unknown priority was accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains(":3:"), "the line of `priority:`: \(text)")
            #expect(text.contains("normal, high or realtime"), "\(text)")
        }
    }

    /// Run on a thread of its own, so the test runner's threads keep their scheduling.
    func onNewThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let box = NIOBox<T>()
        let done = DispatchSemaphore(value: 0)
        let t = Thread { box.value = body(); done.signal() }
        t.start()
        done.wait()
        return box.value!
    }

    @Test func realtimeMakesTheThreadRoundRobin() {
        let (problem, policy, rtPriority) = onNewThread { () -> (String?, Int32, Int32) in
            let problem = ThreadPriority.realtime.applyToCurrentThread()
            var policy: Int32 = 0
            var param = sched_param()
            pthread_getschedparam(pthread_self(), &policy, &param)
            return (problem, policy, param.sched_priority)
        }
        if let problem {
            // Without root or CAP_SYS_NICE the thread keeps its scheduling and says why.
            #expect(problem.contains("SCHED_RR"))
            #expect(policy == Int32(SCHED_OTHER))
        } else {
            #expect(policy & ~ThreadPriority.resetOnFork == Int32(SCHED_RR))
            #expect(policy & ThreadPriority.resetOnFork != 0, "threads it creates start normal")
            #expect(rtPriority == ThreadPriority.realtimePriority)
        }
    }

    @Test func highLowersOnlyThisThreadsNiceValue() {
        let before = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        let (problem, nice) = onNewThread { () -> (String?, Int32) in
            let problem = ThreadPriority.high.applyToCurrentThread()
            return (problem, getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
        }
        if let problem {
            #expect(problem.contains("nice"))
        } else {
            #expect(nice == ThreadPriority.niceHigh)
        }
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == before, "the calling thread is untouched")
    }

    /// Threads created by a raised thread (libdispatch grows its pool from whichever thread
    /// enqueues work) start at normal priority.
    @Test(arguments: [ThreadPriority.high, .realtime])
    func threadsCreatedByARaisedThreadStartNormal(_ p: ThreadPriority) {
        let (problem, childPolicy, childNice) = onNewThread { () -> (String?, Int32, Int32) in
            let problem = p.applyToCurrentThread()
            let child = self.onNewThread { () -> (Int32, Int32) in
                var policy: Int32 = -1
                var param = sched_param()
                pthread_getschedparam(pthread_self(), &policy, &param)
                return (policy, getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
            }
            return (problem, child.0, child.1)
        }
        #expect(childPolicy == Int32(SCHED_OTHER), "\(problem ?? "raised")")
        if problem == nil { #expect(childNice == 0) }
    }

    @Test func normalChangesNothing() {
        let policy = onNewThread { () -> Int32 in
            #expect(ThreadPriority.normal.applyToCurrentThread() == nil)
            var policy: Int32 = -1
            var param = sched_param()
            pthread_getschedparam(pthread_self(), &policy, &param)
            return policy
        }
        #expect(policy == Int32(SCHED_OTHER))
    }
}

final class NIOBox<T>: @unchecked Sendable {
    var value: T?
}

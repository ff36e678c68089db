import Foundation
import Glibc
import Testing
@testable import Engine
@testable import EngineCore

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

    /// The calling thread's (policy without the reset-on-fork flag, nice value), from the kernel
    /// (glibc's pthread_getschedparam may answer from a cache that sched_setscheduler bypasses).
    static func scheduling() -> (policy: Int32, nice: Int32) {
        (sched_getscheduler(0) & ~ThreadPriority.resetOnFork, getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
    }

    @Test(arguments: [ThreadPriority.Role.signalling, .media])
    func realtimeMakesTheThreadRoundRobin(_ role: ThreadPriority.Role) {
        let runner = Self.scheduling()
        let (problem, policy, rtPriority) = onNewThread { () -> (String?, Int32, Int32) in
            let problem = ThreadPriority.realtime.applyToCurrentThread(role)
            var param = sched_param()
            sched_getparam(0, &param)
            return (problem, sched_getscheduler(0), param.sched_priority)
        }
        if let problem {
            // Without the privilege the thread keeps its scheduling and says why.
            #expect(problem.contains("SCHED_RR") && problem.contains("CAP_SYS_NICE"), "\(problem)")
            #expect(policy & ~ThreadPriority.resetOnFork == runner.policy)
        } else {
            #expect(policy & ~ThreadPriority.resetOnFork == Int32(SCHED_RR))
            #expect(policy & ThreadPriority.resetOnFork != 0, "threads it creates start normal")
            #expect(rtPriority == ThreadPriority.realtimePriority(role))
        }
        #expect(ThreadPriority.realtimePriority(.signalling) > ThreadPriority.realtimePriority(.media),
                "busy relays never hold the SIP loop up")
        #expect((ThreadPriority.realtime.problemHere() == nil) == (problem == nil), "the probe agrees with the real thing")
    }

    @Test func highLowersOnlyThisThreadsNiceValue() {
        let before = Self.scheduling()
        let (problem, after) = onNewThread { () -> (String?, (policy: Int32, nice: Int32)) in
            (ThreadPriority.high.applyToCurrentThread(.signalling), Self.scheduling())
        }
        if let problem {
            #expect(problem.contains("nice"), "\(problem)")
        } else {
            #expect(after.nice == ThreadPriority.niceHigh)
            #expect(after.policy == Int32(SCHED_OTHER))
        }
        #expect(Self.scheduling() == before, "the calling thread is untouched")
    }

    /// Threads created by a raised thread (libdispatch grows its pool from whichever thread
    /// enqueues work) start at normal priority.
    @Test(arguments: [ThreadPriority.high, .realtime])
    func threadsCreatedByARaisedThreadStartNormal(_ p: ThreadPriority) {
        let (problem, child) = onNewThread { () -> (String?, (policy: Int32, nice: Int32)) in
            let problem = p.applyToCurrentThread(.signalling)
            return (problem, self.onNewThread { Self.scheduling() })
        }
        if problem == nil {
            #expect(child.policy == Int32(SCHED_OTHER))
            #expect(child.nice == 0)
        }
    }

    @Test func normalChangesNothing() {
        let runner = Self.scheduling()
        let (problem, after) = onNewThread { () -> (String?, (policy: Int32, nice: Int32)) in
            (ThreadPriority.normal.applyToCurrentThread(.signalling), Self.scheduling())
        }
        #expect(problem == nil)
        #expect(after.policy == runner.policy)
        #expect(ThreadPriority.normal.problemHere() == nil)
    }

    @Test func valuesAreCaseInsensitive() throws {
        #expect(try load(Self.minimal + "priority: RealTime\n").priority == .realtime)
    }
}

final class NIOBox<T>: @unchecked Sendable {
    var value: T?
}

import CallCenter
import Dispatch
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Writes the engine's state (call rows, registrations, releases) off the SIP loop, group-committed:
/// what is queued within `batchDelay` of the first write goes in one transaction, with the
/// heartbeat. Each write gets a sequence number; `committed` is told the highest one that is on
/// disk, so the driver can hold back what must not leave before its row (the 200 OK to a BYE).
/// Waking the writer's thread for every call let a SQLite commit take the SIP loop's CPU on a
/// 2-core machine (ccbench routing --e2e); a batch every 20 ms costs it nothing measurable.
final class StateWriter: @unchecked Sendable {
    /// How long a write may wait to share a transaction with others.
    static let batchDelay: DispatchTimeInterval = .milliseconds(20)
    /// How often the engine writes that it is alive (a crash is dated by the last heartbeat).
    static let heartbeat: DispatchTimeInterval = .seconds(1)

    private let store: CallRecordStore
    private let logger: Logger
    private let queue = DispatchQueue(label: "ccengine.state")
    private let pending = NIOLockedValueBox<(writes: [(seq: UInt64, write: CallRecordStore.Write, ended: CallRecord?)], last: UInt64, firstAt: Double)>(([], 0, 0))
    private let committed: @Sendable (UInt64) -> Void
    /// Told, after each batch, how long its oldest write waited (seconds).
    var lag: @Sendable (Double) -> Void = { _ in }
    private var timer: DispatchSourceTimer?

    init(store: CallRecordStore, logger: Logger, committed: @escaping @Sendable (UInt64) -> Void) {
        self.store = store
        self.logger = logger
        self.committed = committed
    }

    /// Starts the heartbeat.
    func start() {
        let t = DispatchSource.makeTimerSource(queue: queue)
        t.schedule(deadline: .now() + Self.heartbeat, repeating: Self.heartbeat)
        t.setEventHandler { [self] in flush() }
        t.resume()
        timer = t
    }

    /// Queues a write; `ended` is the finished call it closes (logged once stored). Returns its
    /// sequence number.
    @discardableResult
    func enqueue(_ write: CallRecordStore.Write, ended: CallRecord? = nil) -> UInt64 {
        let (seq, first) = pending.withLockedValue { p in
            p.last += 1
            if p.writes.isEmpty { p.firstAt = Date().timeIntervalSince1970 }
            p.writes.append((p.last, write, ended))
            return (p.last, p.writes.count == 1)
        }
        if first { queue.asyncAfter(deadline: .now() + Self.batchDelay) { [self] in flush() } }
        return seq
    }

    /// The sequence number of the last write queued.
    var lastQueued: UInt64 { pending.withLockedValue { $0.last } }

    /// Writes everything queued now and stops the heartbeat (after the SIP loop is down).
    func finish() {
        queue.sync {
            timer?.cancel()
            timer = nil
            flush()
        }
    }

    /// On `queue`.
    private func flush() {
        let (batch, firstAt) = pending.withLockedValue { p in
            defer { p.writes = [] }
            return (p.writes, p.firstAt)
        }
        let alive = Date().timeIntervalSince1970
        // One transaction for the batch; if it fails, one by one, so one bad row loses only itself.
        var failed: [Int: Error] = [:]
        do {
            try store.write(batch.map(\.write), aliveAt: alive)
        } catch {
            for (i, item) in batch.enumerated() {
                do { try store.write([item.write]) } catch { failed[i] = error }
            }
        }
        for (i, item) in batch.enumerated() {
            guard let record = item.ended else {
                if let error = failed[i] { logger.error("could not store engine state: \(error)") }
                continue
            }
            if let error = failed[i] {
                logger.error("could not store the call record: \(error)", metadata: ["call.id": "\(record.callID)"])
            } else {
                logger.info("call ended", metadata: [
                    "call.id": "\(record.callID)", "queue": "\(record.queue)", "agent": "\(record.agent ?? "-")",
                    "disposition": "\(record.disposition.rawValue)", "reason": "\(record.endReason.rawValue)",
                ])
            }
        }
        if let last = batch.last?.seq {
            committed(last)
            lag(Date().timeIntervalSince1970 - firstAt)
        }
    }
}

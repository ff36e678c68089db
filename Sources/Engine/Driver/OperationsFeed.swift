import CallCenter
import Foundation
import NIOConcurrencyHelpers

/// The engine's `OperationsEvent`s as a numbered feed: each gets the next sequence number and
/// its Unix time, is kept in a bounded buffer (so a client that reconnects with its last number
/// gets what it missed, or learns that it must resynchronise), and is handed to subscribers.
/// Published from the SIP loop; costs it an append under a lock and a yield per subscriber.
public final class OperationsFeed: Sendable {
    public struct Entry: Sendable {
        public var seq: UInt64
        /// Unix seconds.
        public var time: Double
        public var event: OperationsEvent
    }

    /// What a client asking for events after `seq` gets.
    public enum Replay: Sendable {
        case entries([Entry])
        /// The buffer no longer reaches back to `seq + 1`: read the REST snapshot again.
        case gap(oldest: UInt64)
    }

    public let capacity: Int
    private let origin: Double
    private let state: NIOLockedValueBox<(buffer: [Entry], start: Int, last: UInt64, subscribers: [UUID: AsyncStream<Entry>.Continuation])>

    public init(origin: Double, capacity: Int = 10_000) {
        self.origin = origin
        self.capacity = capacity
        state = .init(([], 0, 0, [:]))
    }

    public var lastSeq: UInt64 { state.withLockedValue { $0.last } }

    func publish(_ event: OperationsEvent) {
        state.withLockedValue { s in
            s.last += 1
            let entry = Entry(seq: s.last, time: origin + event.at.seconds, event: event)
            if s.buffer.count < capacity {
                s.buffer.append(entry)
            } else {
                s.buffer[s.start] = entry
                s.start = (s.start + 1) % capacity
            }
            for c in s.subscribers.values { c.yield(entry) }
        }
    }

    /// The entries after `seq`, oldest first; `.gap` when some of them were dropped already.
    public func replay(after seq: UInt64) -> Replay {
        state.withLockedValue { s in
            let ordered = Array(s.buffer[s.start...] + s.buffer[..<s.start])
            // Numbers start again with each run: one from the future is from an earlier run.
            if seq > s.last { return .gap(oldest: ordered.first?.seq ?? s.last + 1) }
            if let first = ordered.first, seq + 1 < first.seq { return .gap(oldest: first.seq) }
            return .entries(ordered.filter { $0.seq > seq })
        }
    }

    /// A live stream of entries from now on (after `lastSeq` at the time of the call), with the
    /// sequence number it starts after. Bounded: a subscriber that falls 10,000 entries behind
    /// loses the oldest and sees the gap in the numbers.
    public func subscribe() -> (after: UInt64, stream: AsyncStream<Entry>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Entry>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let after = state.withLockedValue { s in
            s.subscribers[id] = continuation
            return s.last
        }
        continuation.onTermination = { [weak self] _ in self?.state.withLockedValue { _ = $0.subscribers.removeValue(forKey: id) } }
        return (after, stream)
    }

    /// Ends every subscriber's stream (the engine is stopping).
    func finish() {
        let subs = state.withLockedValue { s in defer { s.subscribers = [:] }; return s.subscribers }
        for c in subs.values { c.finish() }
    }
}

import CallCenter
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import NIOCore
import ServiceLifecycle

/// `/v1/events`, a WebSocket: the engine's `OperationsFeed` as JSON text messages, each with its
/// sequence number and Unix time. `?after=N` replays what came after N from the feed's buffer,
/// or says `resync` when the buffer no longer reaches back (then read the REST snapshot again);
/// without it the first message is `hello` with the last number. An agent token sees its own
/// agent's events only. The token comes in the Authorization header or, from a browser, as
/// `?access_token=`.
extension EngineAPI {
    public static let eventsPath = "/v1/events"

    /// A plain GET (no upgrade) or a refused upgrade lands here: 401/403 from the middleware, or 426.
    func addEventRoutes(_ router: Router<APIContext>) {
        router.get(RouterPath(Self.eventsPath)) { request, context -> Response in
            _ = try context.identity
            if let after = request.uri.queryParameters.get("after"), UInt64(after) == nil {
                throw Problem(.unprocessableContent, "'after' must be a sequence number (0 or more)", field: "after")
            }
            throw Problem(.upgradeRequired, "this is a WebSocket; connect with Upgrade: websocket")
        }
    }

    /// Whether to take a request as a WebSocket: the events path with a good token and `after`.
    func shouldUpgrade(_ request: HTTPRequest, channel: any Channel, auth: BearerAuthentication)
        -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>
    {
        let uri = URI(request.path ?? "")
        guard uri.path == Self.eventsPath else { return .dontUpgrade }
        // A refusal is counted once, by the HTTP route this falls through to.
        guard let caller = try? auth.authenticate(
            authorization: request.headerFields[.authorization], query: uri.queryParameters.get("access_token"),
            path: uri.path, source: channel.remoteAddress?.ipAddress ?? "unknown", countingFailures: false)
        else { return .dontUpgrade }
        let afterText: String? = uri.queryParameters.get("after").map { String($0) }
        let after = afterText.flatMap { UInt64($0) }
        if afterText != nil && after == nil { return .dontUpgrade }
        return .upgrade([:]) { inbound, outbound, _ in
            try await cancelWhenGracefulShutdown {
                try await stream(to: caller, after: after, inbound: inbound, outbound: outbound)
            }
        }
    }

    private func stream(to caller: APICaller, after: UInt64?, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let feed = driver.feed
        let (start, live) = feed.subscribe()
        let encoder = EventMessage.Encoder(origin: driver.originWall)
        func visible(_ e: OperationsFeed.Entry) -> Bool { caller.role != .agent || EventMessage.concerns(e.event, agent: caller.agent ?? "") }
        if let after {
            switch feed.replay(after: after) {
            case .entries(let missed):
                for e in missed where e.seq <= start && visible(e) { try await outbound.write(.text(encoder.text(e))) }
            case .gap(let oldest):
                try await outbound.write(.text(encoder.control(type: "resync", ["oldest_seq": oldest, "last_seq": start])))
            }
        } else {
            try await outbound.write(.text(encoder.control(type: "hello", ["last_seq": start])))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { for try await _ in inbound {} }  // until the client closes
            group.addTask { for await e in live where visible(e) { try await outbound.write(.text(encoder.text(e))) } }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// One event as JSON: `seq`, `time`, `type` and the members of that type (docs/operations.md),
/// written by hand (sorted keys, as JSONEncoder would): thousands of events a second go to every
/// subscriber, and JSONEncoder cost several times more CPU on the machine the SIP loop shares.
enum EventMessage {
    /// Whether an agent's token may see `event`: its own state and the calls offered to it.
    static func concerns(_ event: OperationsEvent, agent: String) -> Bool {
        switch event.kind {
        case .agentStateChanged(let a, _, _), .callOffered(_, _, let a), .ringNoAnswer(_, _, let a, _), .callAnswered(_, _, let a, _, _, _):
            return a == agent
        case .callEnded(let r, _, _):
            return r.agent == agent
        case .callQueued, .queueFigures:
            return false
        }
    }

    struct Encoder {
        let origin: Double

        init(origin: Double) { self.origin = origin }

        func text(_ e: OperationsFeed.Entry) -> String {
            var m: [(String, String)] = [("seq", String(e.seq)), ("time", Self.number(e.time))]
            func str(_ k: String, _ v: String?) { if let v { m.append((k, Self.string(v))) } }
            func int(_ k: String, _ v: Int) { m.append((k, String(v))) }
            func caller(_ c: CallerInfo) { m.append(("caller", "{\"id\":\(Self.string(c.id)),\"name\":\(Self.string(c.name))}")) }
            func ms(_ d: Duration) -> Int { Int((d.seconds * 1000).rounded()) }
            switch e.event.kind {
            case .callQueued(let id, let queue, let c, let position):
                str("type", "call.queued"); str("call", id); str("queue", queue); caller(c); int("position", position)
            case .callOffered(let id, let queue, let agent):
                str("type", "call.offered"); str("call", id); str("queue", queue); str("agent", agent)
            case .ringNoAnswer(let id, let queue, let agent, let ring):
                str("type", "call.ring_no_answer"); str("call", id); str("queue", queue); str("agent", agent); int("ring_ms", ms(ring))
            case .callAnswered(let id, let queue, let agent, _, let hold, let ring):
                str("type", "call.answered"); str("call", id); str("queue", queue); str("agent", agent)
                m.append(("hold_seconds", Self.number(hold.seconds))); int("ring_ms", ms(ring))
            case .callEnded(let r, _, _):
                str("type", "call.ended"); str("call", r.callID); str("queue", r.queue); str("agent", r.agent); caller(r.caller)
                str("disposition", r.disposition.rawValue); str("end_reason", r.endReason.rawValue); m.append(("hold_seconds", Self.number(r.waitTime.seconds)))
            case .agentStateChanged(let agent, let from, let to):
                str("type", "agent.state"); str("agent", agent); str("from", from.name); str("to", to.name)
                if case .released(let reason) = to { m.append(("release_reason", "{\"id\":\(Self.string(reason.id)),\"label\":\(Self.string(reason.label))}")) }
            case .queueFigures(let f):
                str("type", "queue.figures"); str("queue", f.queue); int("waiting", f.waiting)
                if let o = f.oldestWaitingSince { m.append(("oldest_waiting_since", Self.number(origin + o.seconds))) }
                m.append(("agents", "{" + f.agentsByState.sorted { $0.key < $1.key }.map { "\(Self.string($0.key)):\($0.value)" }.joined(separator: ",") + "}"))
            }
            return "{" + m.sorted { $0.0 < $1.0 }.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }

        func control(type: String, _ numbers: [String: UInt64]) -> String {
            var members = numbers.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }
            members.insert("\"type\":\"\(type)\"", at: 0)
            return "{" + members.joined(separator: ",") + "}"
        }

        /// A JSON string (RFC 8259 §7): quote, backslash and control characters escaped.
        static func string(_ s: String) -> String {
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
                default: out.unicodeScalars.append(u)
                }
            }
            return out + "\""
        }

        static func number(_ x: Double) -> String { x.isFinite ? String(x) : "0" }
    }
}

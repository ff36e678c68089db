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

/// One event as JSON: `seq`, `time`, `type` and the members of that type (docs/operations.md).
struct EventMessage: Encodable {
    struct Caller: Encodable { var id: String; var name: String }

    var seq: UInt64
    var time: Double
    var type: String
    var call: String?
    var queue: String?
    var agent: String?
    var caller: Caller?
    var position: Int?
    var ringMs: Int?
    var holdSeconds: Double?
    var disposition: String?
    var endReason: String?
    var from: String?
    var to: String?
    var releaseReason: Representation.Reason?
    var waiting: Int?
    var oldestWaitingSince: Double?
    var agents: [String: Int]?

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
        private let json: JSONEncoder = {
            let e = JSONEncoder()
            e.keyEncodingStrategy = .convertToSnakeCase
            e.outputFormatting = [.sortedKeys]
            return e
        }()

        init(origin: Double) { self.origin = origin }

        func text(_ e: OperationsFeed.Entry) -> String {
            var m = EventMessage(seq: e.seq, time: e.time, type: "")
            switch e.event.kind {
            case .callQueued(let id, let queue, let caller, let position):
                (m.type, m.call, m.queue, m.caller, m.position) = ("call.queued", id, queue, .init(id: caller.id, name: caller.name), position)
            case .callOffered(let id, let queue, let agent):
                (m.type, m.call, m.queue, m.agent) = ("call.offered", id, queue, agent)
            case .ringNoAnswer(let id, let queue, let agent, let ring):
                (m.type, m.call, m.queue, m.agent, m.ringMs) = ("call.ring_no_answer", id, queue, agent, Int((ring.seconds * 1000).rounded()))
            case .callAnswered(let id, let queue, let agent, _, let hold, let ring):
                (m.type, m.call, m.queue, m.agent, m.holdSeconds, m.ringMs) = ("call.answered", id, queue, agent, hold.seconds, Int((ring.seconds * 1000).rounded()))
            case .callEnded(let r, _, _):
                (m.type, m.call, m.queue, m.agent, m.disposition, m.endReason) = ("call.ended", r.callID, r.queue, r.agent, r.disposition.rawValue, r.endReason.rawValue)
                m.caller = .init(id: r.caller.id, name: r.caller.name)
                m.holdSeconds = r.waitTime.seconds
            case .agentStateChanged(let agent, let from, let to):
                (m.type, m.agent, m.from, m.to) = ("agent.state", agent, from.name, to.name)
                if case .released(let reason) = to { m.releaseReason = .init(id: reason.id, label: reason.label) }
            case .queueFigures(let f):
                (m.type, m.queue, m.waiting, m.agents) = ("queue.figures", f.queue, f.waiting, f.agentsByState)
                m.oldestWaitingSince = f.oldestWaitingSince.map { origin + $0.seconds }
            }
            return (try? json.encode(m)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }

        func control(type: String, _ numbers: [String: UInt64]) -> String {
            var members = numbers.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }
            members.insert("\"type\":\"\(type)\"", at: 0)
            return "{" + members.joined(separator: ",") + "}"
        }
    }
}

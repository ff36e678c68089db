import CallCenter
import Engine
import NIOCore
import NIOEmbedded
import SIP

/// The engine's whole core (`SIPStack`: transactions, B2BUA, routing) and ccsim's phones in one
/// process, on one virtual clock: NIO's `EmbeddedEventLoop`, whose time moves only when told.
/// Messages are encoded and decoded as on the wire but pass in memory; the core's timers and the
/// phones' (SIP retransmissions, answer delays, hold times) all run on that clock, so an
/// end-to-end call flow takes milliseconds and comes out the same on every run. No media: the
/// relay's actions are answered as a relay would (ports closed at once).
final class InMemoryLink {
    let loop = EmbeddedEventLoop()
    let engine: Endpoint
    private(set) var stack: SIPStack
    private var ingress = SIPIngress()
    private var phones: [Endpoint: SIPPhone] = [:]
    private var timers: [EngineTimer: Scheduled<Void>] = [:]
    private let origin: NIODeadline
    private var nextPort = 40_000
    /// The call records the core wrote, in order.
    private(set) var records: [CallRecord] = []
    /// Every message the core sent, in order (for comparing runs).
    private(set) var sent: [String] = []

    init(stack: SIPStack, engine: Endpoint) {
        self.stack = stack
        self.engine = engine
        origin = loop.now
    }

    var now: Duration { .nanoseconds((loop.now - origin).nanoseconds) }

    /// A phone on this link's loop, at its own address (in memory).
    func phone(user: String, seed: UInt64) -> SIPPhone {
        let phone = SIPPhone(user: user, engine: engine, loop: loop, seed: seed)
        let local = Endpoint(host: "127.0.0.1", port: nextPort)
        nextPort += 2
        phone.attachInMemory(local: local) { [unowned self] bytes, _ in
            loop.execute { self.received(bytes, from: local) }
        }
        phones[local] = phone
        return phone
    }

    func start() { perform(stack.handle(.start(.empty), now: now)) }

    /// Moves the clock on `seconds`, a step at a time, running everything due.
    func advance(seconds: Double, step: Double = 0.01) {
        var left = seconds
        while left > 0 {
            let dt = min(step, left)
            loop.advanceTime(by: .nanoseconds(Int64(dt * 1e9)))
            left -= dt
        }
        loop.run()
    }

    private func received(_ bytes: [UInt8], from source: Endpoint) {
        switch ingress.accept(bytes, from: source, now: now) {
        case .message(let m): perform(stack.handle(.received(m, from: source), now: now))
        case .reply, .drop: break
        }
    }

    private func perform(_ actions: [EngineAction]) {
        for action in actions {
            switch action {
            case .send(let m, let to):
                let bytes = SIPCodec.encode(m)
                sent.append(String(decoding: bytes, as: UTF8.self))
                guard let phone = phones[to.over(.udp)], let decoded = try? SIPCodec.decode(bytes) else { continue }
                let engine = self.engine
                loop.execute { phone.received(decoded, from: engine) }
            case .startTimer(let id, let at):
                timers[id]?.cancel()
                timers[id] = loop.scheduleTask(deadline: origin + .nanoseconds(Int64(at.components.seconds) * 1_000_000_000 + at.components.attoseconds / 1_000_000_000)) { [unowned self] in
                    timers[id] = nil
                    perform(stack.handle(.timerFired(id), now: now))
                }
            case .cancelTimer(let id):
                timers.removeValue(forKey: id)?.cancel()
            case .closeMedia(_, let ports):
                loop.execute { [unowned self] in perform(stack.handle(.mediaClosed(ports: ports), now: now)) }
            case .record(let r, _):
                records.append(r)
            default:
                break
            }
        }
    }
}

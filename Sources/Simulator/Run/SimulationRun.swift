import Capture
import Engine
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOConcurrencyHelpers
import SIP

/// Runs a scenario against a real ccengine over real sockets: starts the engine (unless one is
/// given), registers the virtual agents, places the customer calls, waits for them, stops, and
/// returns what was observed together with the engine's own call records.
public final class SimulationRun: @unchecked Sendable {
    public struct Options: Sendable {
        /// A running engine to use; nil starts one from the scenario's configuration.
        public var engine: Endpoint?
        /// The engine's records database, to cross-check against when `engine` is given.
        public var recordsPath: String?
        public var engineBinary: String?
        public var pcapPath: String?
        public var reportDirectory: String
        public var sipPortOverride: Int?
        public var media = true
        public var quiet = false
        public var engineLogLevel = "info"
        public init(reportDirectory: String) { self.reportDirectory = reportDirectory }
    }

    public struct Result: Sendable {
        public var scenario: Scenario
        public var calls: [CallObservation]
        public var records: [CallRecordStore.Row]?
        public var startedAt: Double
        public var elapsed: Double
        /// Packets written to the pcap file, and dropped by the kernel.
        public var captureStats: (written: UInt64, dropped: UInt32)?
        /// INVITEs each virtual agent's phone received.
        public var ringsPerAgent: [String: Int] = [:]
        /// Voicemail messages the engine offered to the virtual agents.
        public var voicemails = VoicemailsTaken()
        /// A run in simulated time (no media, no engine records).
        public var virtualTime = false
        /// The calls the statistics count: all but those offered during the warm-up.
        public var countedCalls: [CallObservation] { calls.filter { $0.warmUp != true } }
        /// Customer INVITE sent -> agent INVITE received (ns), per call that rang an agent.
        public var inviteToAgentInvite: [UInt64] = []
        /// The same by customer Call-ID.
        public var inviteToAgentInviteByCall: [String: UInt64] = [:]
    }

    let scenario: Scenario
    let options: Options
    let logger: Logger

    public init(scenario: Scenario, options: Options, logger: Logger) {
        self.scenario = scenario
        self.options = options
        self.logger = logger
    }

    public func run() async throws -> Result {
        try FileManager.default.createDirectory(atPath: options.reportDirectory, withIntermediateDirectories: true)
        var engineAddress = options.engine ?? scenario.engine.sip
        if let p = options.sipPortOverride { engineAddress.port = p }
        var capture: PacketCapture?
        if let pcap = options.pcapPath {
            // Only this run's traffic: the engine's SIP port and its relay's RTP ports (and its
            // TCP and TLS ports when it serves them).
            let rtp = scenario.engine.rtpPorts
            let streams = scenario.engine.streams
            let tcpPorts = (streams.tcp ? [engineAddress.port] : []) + (streams.tls.map { [$0.port] } ?? [])
            let tcp = tcpPorts.isEmpty ? "" : " or (tcp and (" + tcpPorts.map { "port \($0)" }.joined(separator: " or ") + "))"
            capture = try PacketCapture(path: pcap, filter: "host \(engineAddress.host) and ((udp and (port \(engineAddress.port) or portrange \(rtp.lowerBound)-\(rtp.upperBound)))\(tcp))")
            capture?.start()
        }
        var engineProcess: EngineProcess?
        if options.engine == nil {
            engineProcess = try EngineProcess(
                binary: options.engineBinary ?? EngineProcess.defaultBinary(), configYAML: scenario.engineYAML,
                directory: options.reportDirectory, sip: engineAddress, logLevel: options.engineLogLevel, timeScale: scenario.timeScale)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        // The engine's prompts, recognised in what callers hear, when ccsim starts that engine.
        let listens = engineProcess != nil && scenario.expectations.contains { if case .queueMediaHeard = $0.kind { true } else { false } }
        let catalog = listens ? PromptCatalog(prompts: scenario.engine.prompts.clips, music: Set(scenario.engine.queueMedia.values.compactMap(\.music))) : nil
        let media = (scenario.media && options.media) ? MediaEngine(catalog: catalog) : nil
        media?.start()
        let clock = RunClock()
        let observations = Observations()
        var failure: (any Error)?
        let progress = ProgressLine()
        if !options.quiet { progress.start(observations: observations, clock: clock) }
        defer { progress.stop() }
        do {
            let engineScale = try await waitUntilServing(engineAddress, group: group, process: engineProcess)
            if engineScale != scenario.timeScale {
                throw SimulationError.timeScale(
                    "the engine at \(engineAddress) runs its routing clock at time scale \(fmt(engineScale)), the scenario at time_scale \(fmt(scenario.timeScale)): "
                    + "its recipe ticks, ring timeouts, wrap-up and maximum waits would not follow scenario time. Start that engine with "
                    + "--time-scale \(fmt(scenario.timeScale)) (or time_scale: \(fmt(scenario.timeScale)) in its configuration), or run the scenario with time_scale: \(fmt(engineScale))")
            }
            let agents = try await registerAgents(engine: engineAddress, group: group, media: media, observations: observations)
            clock.startScenario()
            scheduleLaterLogins(agents, clock: clock)
            try await placeCalls(engine: engineAddress, group: group, media: media, observations: observations, clock: clock)
            // Let the agent side see its BYE and close its media before collecting.
            try await Task.sleep(for: .milliseconds(500))
            for a in agents { _ = try? await a.register(expires: 0).get() }
            for a in agents { try? await a.phone.loop.submit { a.phone.close() }.get() }
        } catch {
            failure = error
        }
        media?.stop()
        engineProcess?.stop()
        let stats = capture?.stop()
        try? await group.shutdownGracefully()
        if let failure { throw failure }

        var records: [CallRecordStore.Row]?
        if let path = engineProcess?.recordsPath ?? options.recordsPath {
            records = try? CallRecordStore(directory: (path as NSString).deletingLastPathComponent).rows(since: clock.startWall - 1)
        }
        var calls = observations.all().map { $0.scaled(by: scenario.timeScale) }
        if let records {
            let finalQueue = Dictionary(records.map { ($0.callID, $0.queue) }, uniquingKeysWith: { a, _ in a })
            for i in calls.indices { if let q = finalQueue[calls[i].callID], q != calls[i].queue { calls[i].finalQueue = q } }
        }
        return Result(scenario: scenario, calls: calls, records: records, startedAt: clock.startWall, elapsed: clock.elapsed,
                      captureStats: stats, ringsPerAgent: observations.ringsPerAgent, voicemails: observations.voicemails,
                      inviteToAgentInvite: observations.inviteToAgentInvite,
                      inviteToAgentInviteByCall: observations.inviteToAgentInviteByCall)
    }

    /// OPTIONS until the engine answers (RFC 3261 §11), up to 15 s; returns the engine's time
    /// scale (its `X-CC-Time-Scale`, 1 when absent).
    private func waitUntilServing(_ engine: Endpoint, group: any EventLoopGroup, process: EngineProcess?) async throws -> Double {
        let phone = SIPPhone(user: "probe", engine: engine, loop: group.next(), seed: 7)
        try await phone.bind(host: "127.0.0.1").get()
        defer { phone.loop.execute { phone.close() } }
        let answered = NIOLockedValueBox<Double?>(nil)
        phone.onMessage = { m, _ in
            if m.status == 200 { answered.withLockedValue { $0 = m.header(B2BUA.timeScaleHeader).flatMap(Double.init) ?? 1 } }
        }
        for attempt in 0..<150 {
            if let process, !process.isRunning {
                throw SimulationError.engineStart("ccengine exited at start; see \(process.logPath)")
            }
            try await phone.loop.submit {
                var from = NameAddress(uri: SIPURI(user: "probe", host: phone.local.host, port: phone.local.port))
                from.tag = phone.ids.tag()
                phone.transmit(SIPMessage(
                    startLine: .request(method: "OPTIONS", uri: SIPURI(host: engine.host, port: engine.port)),
                    via: [phone.via()], from: from, to: NameAddress(uri: SIPURI(host: engine.host, port: engine.port)),
                    callID: phone.ids.callID(), cseq: CSeq(UInt32(attempt + 1), "OPTIONS"), headers: [Header("Max-Forwards", "70")]))
            }.get()
            try await Task.sleep(for: .milliseconds(100))
            if let scale = answered.withLockedValue({ $0 }) { return scale }
        }
        throw SimulationError.noResponse("OPTIONS to \(engine) got no 200 in 15 s")
    }

    /// The engine's address for phones on `transport`: TCP shares the UDP port, TLS has its own.
    private func reach(_ engine: Endpoint, over transport: Transport) -> Endpoint {
        Self.reach(engine, over: transport, tlsPort: scenario.engine.streams.tls?.port)
    }

    private static func reach(_ engine: Endpoint, over transport: Transport, tlsPort: Int?) -> Endpoint {
        Endpoint(host: engine.host, port: transport == .tls ? tlsPort ?? engine.port : engine.port, transport: transport)
    }

    private func registerAgents(engine: Endpoint, group: any EventLoopGroup, media: MediaEngine?, observations: Observations) async throws -> [VirtualAgent] {
        var agents: [VirtualAgent] = []
        var seed = scenario.seed &* 1000
        for g in scenario.agentGroups {
            for login in g.logins {
                seed &+= 1
                let phone = SIPPhone(user: login, engine: reach(engine, over: g.transport), loop: group.next(), seed: seed)
                try await phone.bind(host: "127.0.0.1").get()
                agents.append(VirtualAgent(phone: phone, login: login, password: scenario.agentPasswords[login], group: g, media: media, observations: observations, scale: scenario.timeScale, seed: seed))
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { tg in
            for a in agents where a.group.loginAt <= 0 {
                tg.addTask {
                    try await a.register().get()
                    try await a.startBreaks().get()
                }
            }
            try await tg.waitForAll()
        }
        if !options.quiet { logger.info("\(agents.count) agents registered") }
        return agents
    }

    /// Agents logging in later register in the background at their `login_at` from the scenario's
    /// time zero; the run waits only for those present from the start (a later login that fails
    /// is logged and leaves the agent offline).
    private func scheduleLaterLogins(_ agents: [VirtualAgent], clock: RunClock) {
        for a in agents where a.group.loginAt > 0 {
            let logger = logger, loginAt = a.group.loginAt
            // An event loop's timer, not a task's sleep: on time however busy Swift's threads are.
            a.phone.loop.scheduleTask(deadline: clock.deadline(afterScenarioSeconds: loginAt / scenario.timeScale)) {
                a.register().flatMap { a.startBreaks() }.whenFailure { error in
                    logger.error("agent \(a.login) could not log in at \(loginAt) s: \(error)")
                }
            }
        }
    }

    private func placeCalls(engine: Endpoint, group: any EventLoopGroup, media: MediaEngine?, observations: Observations, clock: RunClock) async throws {
        var arrivals: [(at: Double, stream: CustomerStream, index: Int)] = []
        for (n, s) in scenario.customerStreams.enumerated() {
            // The same generator as the virtual-time run's for this stream: same seed, same arrivals.
            var rng = SplitMix(seed: scenario.seed, stream: UInt64(n), purpose: 2)
            // Calls arrive only before the duration (and the stream's stop), as in virtual time.
            let end = min(s.stop ?? .infinity, scenario.maxDuration)
            var t = s.arrival.next(after: nil, &rng, before: end)
            var i = 0
            while let at = t, i < s.calls ?? Int.max {
                arrivals.append((at, s, i))
                i += 1
                t = s.arrival.next(after: at, &rng, before: end)
            }
        }
        arrivals.sort { $0.at < $1.at }
        if arrivals.isEmpty {
            // An agents-only scenario: the agents stay registered for the scenario's duration,
            // serving calls from outside (SIPp, a softphone).
            try await Task.sleep(for: .milliseconds(Int(scenario.maxDuration / scenario.timeScale * 1000)))
            return
        }
        // Each arrival is placed by an event loop's timer at its time from scenario zero (not by
        // this task's sleep, which Swift's cooperative threads may run late on a busy machine).
        let seed = scenario.seed &* 7919, scale = scenario.timeScale, warmUp = scenario.warmUp
        let tlsPort = scenario.engine.streams.tls?.port
        let timer = ArrivalTimer(arrivals: arrivals, loop: group.next(), clock: clock, scale: scale, duration: scenario.maxDuration) { n, a in
            let phoneSeed = seed &+ UInt64(n + 1)
            let phone = SIPPhone(user: "\(a.stream.callerPrefix)\(n + 1)", engine: Self.reach(engine, over: a.stream.transport, tlsPort: tlsPort),
                                 loop: group.next(), seed: phoneSeed)
            return VirtualCustomer(phone: phone, stream: a.stream, callerID: "\(a.stream.callerPrefix)\(n + 1)", media: media,
                                   observations: observations, clock: clock, scale: scale, seed: phoneSeed, warmUp: a.at < warmUp)
        }
        // Each customer ends by itself or is ended as unfinished at the scenario's end (or when
        // the run is cancelled).
        try await withTaskCancellationHandler {
            for c in try await timer.start().get() { _ = try? await c.done.futureResult.get() }
        } onCancel: {
            timer.cancel()
        }
        try Task.checkCancellation()
    }
}

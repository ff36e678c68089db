import Foundation
import SIP
import Testing
@testable import Simulator
@testable import Engine
@testable import EngineCore

/// sipsak (a real SIP tool) against a real engine: OPTIONS answered; REGISTER with the right
/// digest password gives 200, with the wrong one 403.
@Suite(.serialized) struct SipsakInteropTests {
    @Test func sipsakOptionsAndDigestRegister() throws {
        guard let sipsak = E2E.which("sipsak") else {
            Issue.record("sipsak is not installed: run `make test`, which installs it")
            return
        }
        let port = 25100
        let dir = E2E.tempDirectory("sipsak")
        // sipsak 0.9 reads only the first challenge and knows only MD5, so this engine offers MD5 first.
        let config = """
            sip: {address: 127.0.0.1:\(port), digest_algorithms: [MD5, SHA-256]}
            media: {rtp_ports: 24000-24099}
            queues: [{name: support}]
            agents: [{login: alice, password: alice-secret}]
            """
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: config, directory: dir,
                                       sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        defer { engine.stop() }
        var options = (status: Int32(-1), output: "")
        for _ in 0..<30 where options.status != 0 {
            options = try E2E.run(sipsak, ["-s", "sip:127.0.0.1:\(port)", "-v"], timeout: 10)
            if options.status != 0 { usleep(200_000) }
        }
        #expect(options.status == 0)
        #expect(options.output.contains("SIP/2.0 200"))

        let good = try E2E.run(sipsak, ["-U", "-C", "sip:alice@127.0.0.1:7788", "-s", "sip:alice@127.0.0.1:\(port)",
                                        "-u", "alice", "-a", "alice-secret", "-x", "120", "-vv"], timeout: 20)
        #expect(good.status == 0, "\(good.output)")
        let bad = try E2E.run(sipsak, ["-U", "-C", "sip:alice@127.0.0.1:7788", "-s", "sip:alice@127.0.0.1:\(port)",
                                       "-u", "alice", "-a", "wrong", "-x", "120", "-vv"], timeout: 20)
        #expect(bad.status != 0)
        #expect(bad.output.contains("403"))
        engine.stop()
        let log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        #expect(log.contains("agent alice registered"))
        #expect(log.contains("wrong credentials, refused 403"))
    }
}

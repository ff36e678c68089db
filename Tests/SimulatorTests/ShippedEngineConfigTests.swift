import Foundation
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// Scenarios/engine.yaml, as shipped, works with the real tools the README names: sipsak and
/// baresip register with digest (only the listen address and state folder are overridden, as
/// `--sip` and `--state` do on the command line).
@Suite(.serialized) struct ShippedEngineConfigTests {
    @Test func sipsakAndBaresipRegisterWithTheShippedEngineConfiguration() async throws {
        guard let sipsak = E2E.which("sipsak"), let baresip = E2E.which("baresip") else {
            Issue.record("sipsak or baresip is not installed: run `make test`, which installs them")
            return
        }
        let port = RawUDP().port
        let dir = E2E.tempDirectory("shipped-engine")
        let shipped = try String(contentsOfFile: E2E.root + "/Scenarios/engine.yaml", encoding: .utf8)
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: shipped, directory: dir,
                                       sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        defer { engine.stop() }
        #expect(FloodEndToEndTests.answersOptions(RawUDP(), port: port, tries: 50))

        let sipsakRun = try E2E.run(sipsak, ["-U", "-C", "sip:alice@127.0.0.1:7788", "-s", "sip:alice@127.0.0.1:\(port)",
                                             "-u", "alice", "-a", "alice-secret", "-x", "120", "-vv"], timeout: 20)
        #expect(sipsakRun.status == 0, "sipsak could not register with Scenarios/engine.yaml:\n\(sipsakRun.output)")

        let phoneDir = dir + "/baresip"
        try FileManager.default.createDirectory(atPath: phoneDir, withIntermediateDirectories: true)
        try """
            sip_listen 127.0.0.1:\(RawUDP().port)
            net_interface 127.0.0.1
            dns_server 127.0.0.1:53
            module_path /usr/lib/baresip/modules
            module g711.so
            module_app account.so

            """.write(toFile: phoneDir + "/config", atomically: true, encoding: .utf8)
        try "<sip:bob@127.0.0.1:\(port)>;auth_pass=bob-secret;regint=60\n".write(toFile: phoneDir + "/accounts", atomically: true, encoding: .utf8)
        let phone = Process()
        phone.executableURL = URL(fileURLWithPath: baresip)
        phone.arguments = ["-f", phoneDir, "-t", "60"]
        phone.standardInput = FileHandle.nullDevice
        phone.standardOutput = FileHandle.nullDevice
        phone.standardError = FileHandle.nullDevice
        try phone.run()
        defer { E2E.stop(phone) }
        var log = ""
        for _ in 0..<150 where !log.contains("agent bob registered") {
            try await Task.sleep(for: .milliseconds(100))
            log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        }
        #expect(log.contains("agent alice registered"), "\(log)")
        #expect(log.contains("agent bob registered"), "baresip could not register with Scenarios/engine.yaml:\n\(log)")
    }
}

import Foundation
import Testing
import YAMLConfig
@testable import Engine
@testable import EngineCore

/// Engine configuration errors name the line of the mistake itself.
struct EngineConfigFileTests {
    func error(_ yaml: String) -> ConfigError? {
        let path = NSTemporaryDirectory() + "engine-config-\(UUID().uuidString).yaml"
        try? yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do { _ = try EngineConfig.load(file: path); return nil } catch { return error }
    }

    @Test func tlsWithoutItsKeyOrWithAnUnreadableFileIsNamedAtItsLine() {
        let missing = error("queues: [{name: support}]\nsip:\n  tcp: true\n  tls: {port: 5061, certificate: /etc/hostname}\n")
        #expect(missing?.line == 4)
        #expect(missing?.problem.contains("needs certificate and key") == true, "\(String(describing: missing))")
        let unreadable = error("queues: [{name: support}]\nsip:\n  tls:\n    certificate: /etc/hostname\n    key: /no/such/key.pem\n")
        #expect(unreadable?.line == 5)
        #expect(unreadable?.problem.contains("cannot read /no/such/key.pem") == true, "\(String(describing: unreadable))")
        let limits = error("queues: [{name: support}]\nsip:\n  tcp: true\n  connections: {idle_timeout: 1}\n")
        #expect(limits?.line == 4)
        #expect(limits?.problem.contains("idle_timeout must be 5 to 86400") == true, "\(String(describing: limits))")
    }

    @Test func duplicateAgentLoginIsNamedAtTheSecondOccurrence() {
        let e = error("queues: [{name: support}]\nagents:\n  - {login: alice, password: a}\n  - {login: bob, password: b}\n  - {login: alice, password: c}\n")
        #expect(e?.line == 5)
        #expect(e?.problem.contains("duplicate agent login 'alice' (first at line 3)") == true, "\(String(describing: e))")
    }

    @Test func duplicateQueueIsNamedAtTheSecondOccurrence() {
        let e = error("queues:\n  - name: support\n  - name: sales\n  - name: support\nagents: [{login: alice, password: a}]\n")
        #expect(e?.line == 4)
        #expect(e?.problem.contains("duplicate queue 'support' (first at line 2)") == true, "\(String(describing: e))")
    }

    @Test func duplicateYAMLKeyIsNamedAtItsLine() {
        let e = error("queues: [{name: support}]\nsip:\n  address: 127.0.0.1:5060\n  realm: a\n  realm: b\nagents: [{login: alice, password: a}]\n")
        #expect(e?.line == 5)
        #expect(e?.problem == "duplicate key 'realm' (first at line 4)", "\(String(describing: e))")
        #expect(e?.description.contains("Context") == false, "the whole file is not printed")
    }
}

import Foundation
import Testing
import YAMLConfig
@testable import Engine
@testable import EngineCore

/// Engine configuration errors name the line of the mistake itself.
struct EngineConfigFileTests {
    func error(_ yaml: String) -> ConfigError? {
        do { _ = try load(yaml); return nil } catch { return error as? ConfigError }
    }

    /// The configuration `yaml` loads to, from a file of its own.
    func load(_ yaml: String) throws -> EngineConfig {
        let path = NSTemporaryDirectory() + "engine-config-\(UUID().uuidString).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try EngineConfig.load(file: path)
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

    @Test func theOverloadAimIsAPercentageNamedAtItsLine() throws {
        let e = error("queues: [{name: support}]\noverload:\n  max_calls_per_second: 500\n  target_busy_percent: 95\n")
        #expect(e?.line == 4)
        #expect(e?.problem.contains("target_busy_percent must be 0 (no aim) or 10 to 90") == true, "\(String(describing: e))")
        #expect(try load("queues: [{name: support}]\noverload: {target_busy_percent: 45}\n").overload.targetOccupancy == 0.45)
        #expect(OverloadControl.Limits().targetOccupancy == 0.6, "the default aim")
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

    @Test func aNumberMustLeadToAQueueOrMenuAndBeNoneOfTheirNames() throws {
        let nowhere = error("queues: [{name: support}]\nnumbers:\n  - {number: \"+4930123456\", to: support}\n  - {number: \"0800\", to: billing}\n")
        #expect(nowhere?.line == 4)
        #expect(nowhere?.problem.contains("number '0800' leads to 'billing', which is neither a queue nor a menu") == true, "\(String(describing: nowhere))")
        #expect(nowhere?.fix == "name one of support")
        let shadow = error("queues: [{name: support}]\nnumbers:\n  - {number: support, to: support}\n")
        #expect(shadow?.line == 3)
        #expect(shadow?.problem.contains("is the name of a queue") == true, "\(String(describing: shadow))")
        let twice = error("queues: [{name: support}, {name: sales}]\nnumbers:\n  - {number: \"0800\", to: support}\n  - {number: \"0800\", to: sales}\n")
        #expect(twice?.line == 4)
        #expect(twice?.problem.contains("duplicate number '0800' (first at line 3)") == true, "\(String(describing: twice))")
        #expect(try load("queues: [{name: support}]\nnumbers: [{number: \"+4930123456\", to: support}]\n").numbers == ["+4930123456": "support"])
    }

    @Test func duplicateYAMLKeyIsNamedAtItsLine() {
        let e = error("queues: [{name: support}]\nsip:\n  address: 127.0.0.1:5060\n  realm: a\n  realm: b\nagents: [{login: alice, password: a}]\n")
        #expect(e?.line == 5)
        #expect(e?.problem == "duplicate key 'realm' (first at line 4)", "\(String(describing: e))")
        #expect(e?.description.contains("Context") == false, "the whole file is not printed")
    }
}

import CallCenter
import Foundation
import Testing
@testable import Engine
@testable import EngineCore
@testable import EngineAPI

/// The event stream's hand-written JSON: what JSON readers get back is what the engine had, even
/// for a caller name with quotes, backslashes, control characters and non-ASCII letters.
struct EventMessageTests {
    @Test func eventsAreValidJSONWithTheirValuesIntact() throws {
        let name = "Zoë \"the\" \\ caller\u{1}\n\t☎"
        let entry = OperationsFeed.Entry(seq: 7, time: 1_796_000_000.25, event: OperationsEvent(
            at: .seconds(3), .callQueued("c@1", queue: "support", caller: CallerInfo(id: "100", name: name), position: 2)))
        let text = EventMessage.Encoder(origin: 1_796_000_000).text(entry)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
        #expect(object["seq"] as? Int == 7)
        #expect(object["type"] as? String == "call.queued")
        #expect(object["call"] as? String == "c@1")
        #expect((object["caller"] as? [String: Any])?["name"] as? String == name)
        #expect(object["position"] as? Int == 2)
        let figures = EventMessage.Encoder(origin: 100).text(.init(seq: 8, time: 101, event: OperationsEvent(
            at: .seconds(1), .queueFigures(.init(queue: "q", waiting: 3, oldestWaitingSince: .milliseconds(500), agentsByState: ["oncall": 2])))))
        let f = try #require(try JSONSerialization.jsonObject(with: Data(figures.utf8)) as? [String: Any], "\(figures)")
        #expect(f["oldest_waiting_since"] as? Double == 100.5)
        #expect((f["agents"] as? [String: Any])?["oncall"] as? Int == 2)
    }
}

import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The run's clock (monotonic), shared by every phone of the run. Scenario time zero is when the
/// agents present from the start are registered and calls may be placed (`startScenario`), the
/// origin of every arrival, the duration and every time reported; engine start-up and
/// registration come before it.
final class RunClock: Sendable {
    private let created = DispatchTime.now().uptimeNanoseconds
    private let origin = NIOLockedValueBox(DispatchTime.now().uptimeNanoseconds)
    let startWall = Date().timeIntervalSince1970
    /// Real seconds since the scenario's time zero (before it: since the run started).
    var now: Double { let o = origin.withLockedValue { $0 }; return (Double(DispatchTime.now().uptimeNanoseconds) - Double(o)) / 1e9 }
    /// Real seconds since the run started (engine start-up included).
    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - created) / 1e9 }
    /// The event-loop deadline `seconds` real seconds after the scenario's time zero.
    func deadline(afterScenarioSeconds seconds: Double) -> NIODeadline {
        .uptimeNanoseconds(origin.withLockedValue { $0 } + UInt64(max(0, seconds) * 1e9))
    }
    func startScenario() { origin.withLockedValue { $0 = DispatchTime.now().uptimeNanoseconds } }
    var monotonicNanos: UInt64 { DispatchTime.now().uptimeNanoseconds }
    static var nanosNow: UInt64 { DispatchTime.now().uptimeNanoseconds }
}

public enum SimulationError: Error, CustomStringConvertible {
    case registrationRefused(String, Int)
    case engineStart(String)
    case noResponse(String)
    /// The engine's routing clock runs at another speed than the scenario's.
    case timeScale(String)

    public var description: String {
        switch self {
        case .registrationRefused(let login, let status): "the engine refused agent \(login)'s REGISTER with \(status)"
        case .engineStart(let why): "could not start ccengine: \(why)"
        case .noResponse(let what): "no answer from the engine: \(what)"
        case .timeScale(let why): why
        }
    }
}

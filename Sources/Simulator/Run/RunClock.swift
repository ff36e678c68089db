import Foundation

/// Seconds since a run started (monotonic), shared by every phone of the run.
final class RunClock: Sendable {
    private let start = DispatchTime.now().uptimeNanoseconds
    let startWall = Date().timeIntervalSince1970
    var now: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    var monotonicNanos: UInt64 { DispatchTime.now().uptimeNanoseconds }
    static var nanosNow: UInt64 { DispatchTime.now().uptimeNanoseconds }
}

public enum SimulationError: Error, CustomStringConvertible {
    case registrationRefused(String, Int)
    case engineStart(String)
    case noResponse(String)

    public var description: String {
        switch self {
        case .registrationRefused(let login, let status): "the engine refused agent \(login)'s REGISTER with \(status)"
        case .engineStart(let why): "could not start ccengine: \(why)"
        case .noResponse(let what): "no answer from the engine: \(what)"
        }
    }
}

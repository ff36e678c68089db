/// How customer calls arrive.
public enum Arrival: Sendable, Equatable {
    /// One call every interval (seconds), the first at `start`.
    case every(Double, start: Double)
    /// Poisson arrivals at `rate` calls per second.
    case poisson(rate: Double, start: Double)
}

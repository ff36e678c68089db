extension Duration {
    /// Seconds as a Double (rates, Unix-time columns).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

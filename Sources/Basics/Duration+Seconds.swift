extension Duration {
    /// The duration as a number of seconds (for rates and log lines).
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}

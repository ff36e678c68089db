import Testing

extension Tag {
    /// Long virtual-time runs (100,000 calls) checked against queueing theory. They run in every
    /// `swift test`; filter with `--skip-tag statistical` (or the tag) when iterating.
    @Tag static var statistical: Self
}

/// Timers the core asks the driver to run (HOUSE_STYLE: timers are actions). A `startTimer`
/// for an id that is already running replaces it. The driver must deliver `timerFired` with
/// `now >= at`; the core ignores a fire for a timer it no longer has armed at that deadline.
public enum TimerID: Hashable, Sendable {
    /// The call's recipe ticker: fires at `enqueuedAt + k * tickLength`, k = 1, 2, ...
    case recipeTick(CallID)
    /// Ring timeout (OpenACD "ringout") for one agent leg of a call.
    case ring(CallID, AgentID)
    /// Automatic end of wrap-up after `wrapUpTime`.
    case wrapUp(AgentID)
    /// The queue's `maxWait`, measured from when the call entered its current queue.
    case queueTimeout(CallID)
    /// Retry delivery once a per-agent backoff for this call has expired.
    case retry(CallID)
    /// Queue aging: the call's priority improves by 1 at every `agingStep` waited.
    case aging(CallID)
}

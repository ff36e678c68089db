import CallCenter

/// A voicemail message the engine saved, waiting for an agent (OpenACD's "stateless media",
/// seed 000): it enters its queue as an item of media `voicemail`, is dispatched by the routing
/// core with the queue's skills like a call, and is played on the phone of the agent who answers.
/// Kept in the `voicemails` table until an agent took it, so a restart queues it again.
public struct VoicemailMessage: Sendable, Equatable {
    /// The call that left the message.
    public var call: CallID
    public var queue: String
    /// The caller's id (the From user of the call that left it).
    public var caller: String
    /// The WAV file (8 kHz mono, 16-bit linear).
    public var file: String
    public var seconds: Double

    public init(call: CallID, queue: String, caller: String, file: String, seconds: Double) {
        self.call = call
        self.queue = queue
        self.caller = caller
        self.file = file
        self.seconds = seconds
    }
}

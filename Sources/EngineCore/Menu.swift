/// An IVR menu (`menus:` in the configuration): a prompt, then a key from the caller (RFC 4733
/// digits through the relay, or SIP INFO), with a timeout, retries and an invalid-key prompt.
/// A menu is reached like a queue, by its name as the Request-URI user.
public struct Menu: Sendable, Equatable {
    public enum Option: Sendable, Equatable {
        /// Into a queue, with skills of the caller's choice added to the queue's and a priority.
        case queue(String, skills: [String] = [], priority: Int? = nil)
        case menu(String)
        /// Into the voicemail box of this queue (`queues[].media.voicemail`).
        case voicemail(String)
        case hangup
    }

    public var name: String
    public var prompt: MediaPrompt
    /// How long after the prompt a key is awaited.
    public var timeout: Duration = .seconds(5)
    /// How many times the prompt is played again after a timeout or an invalid key.
    public var retries = 2
    /// Played before the prompt again after a key with no option.
    public var invalid: MediaPrompt?
    public var options: [Character: Option] = [:]
    /// When the retries are spent.
    public var otherwise: Option = .hangup

    public init(name: String, prompt: MediaPrompt) {
        self.name = name
        self.prompt = prompt
    }
}

/// A call's identifier as the driver knows it (for SIP, the caller leg's Call-ID).
public typealias CallID = String

/// An agent's identifier: the agent's login, as configured in `AgentConfig.login`.
public typealias AgentID = String

/// Who is calling, as far as routing is concerned.
public struct CallerInfo: Hashable, Sendable {
    /// Caller id (number or URI user part); matched by `RecipeCondition.callerID`.
    public var id: String
    /// Display name; matched by `RecipeCondition.callerName`.
    public var name: String
    /// The client (brand) the call is for; drives `_brand` and `RecipeCondition.client`.
    public var client: String?

    public init(id: String, name: String = "", client: String? = nil) {
        self.id = id
        self.name = name
        self.client = client
    }
}

/// OpenACD distinguishes stateful media (voice, chat) from stateless media (voicemail, email);
/// the core only uses the type for the recipe `type` condition.
public enum MediaType: String, Sendable, CaseIterable {
    case voice, voicemail, email, chat
}

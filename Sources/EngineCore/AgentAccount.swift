/// An agent's SIP identity: its login (the user part it REGISTERs with) and credentials.
public struct AgentAccount: Sendable, Equatable {
    public var login: String
    /// RFC 7616 HA1 = H(login:realm:password), stored instead of the password.
    public var ha1MD5: String?
    public var ha1SHA256: String?

    public init(login: String, ha1MD5: String? = nil, ha1SHA256: String? = nil) {
        self.login = login
        self.ha1MD5 = ha1MD5
        self.ha1SHA256 = ha1SHA256
    }
}

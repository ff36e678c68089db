import Engine
import Foundation
import Hummingbird
import NIOCore

/// Per request: who sent it (for the failed-authentication limit) and, once the bearer token is
/// checked, who they are.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address.
    public let source: String
    public var caller: APICaller?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        self.source = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// A path parameter, percent-decoded (a Call-ID holds `@`, which a client encodes as `%40`).
    func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    /// The authenticated caller (the middleware ran before every route but health).
    var identity: APICaller {
        get throws(Problem) {
            guard let caller else { throw Problem(.unauthorized, "a bearer token is required") }
            return caller
        }
    }
}

/// Who a valid token says the caller is.
public struct APICaller: Sendable {
    public var tokenName: String
    public var role: APIConfig.Role
    /// For an agent token: the agent it acts for.
    public var agent: String?

    /// At least `role`; an agent token also passes for its own `agent`.
    func require(_ role: APIConfig.Role, orAgent login: String? = nil) throws(Problem) {
        if self.role >= role { return }
        if let login, self.role == .agent, agent == login { return }
        let what = login.map { "agent \($0)" } ?? "this resource"
        throw Problem(.forbidden, "token '\(tokenName)' (role \(self.role.rawValue)) may not do this to \(what); it needs role \(role.rawValue)")
    }
}

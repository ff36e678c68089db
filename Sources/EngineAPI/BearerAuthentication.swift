import Engine
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers

/// Bearer tokens (RFC 6750) checked against the configured SHA-256 hashes: missing, unknown or
/// expired token 401 with `WWW-Authenticate`; a source with too many failures in the last minute
/// gets 429 with Retry-After before its token is even looked at. Tokens never reach a log: the
/// engine logs no request headers, and a refusal names the token only by its configured name.
struct BearerAuthentication: RouterMiddleware {
    typealias Context = APIContext
    let tokens: [String: APIConfig.Token]
    let failures: FailureLimiter
    /// Paths served without a token.
    let open: Set<String>

    init(config: APIConfig) {
        tokens = Dictionary(config.tokens.map { ($0.sha256, $0) }, uniquingKeysWith: { a, _ in a })
        failures = FailureLimiter(perMinute: config.failuresPerMinute)
        open = ["/v1/health"]
    }

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        if open.contains(request.uri.path) || !request.uri.path.hasPrefix("/v1/") { return try await next(request, context) }
        var context = context
        context.caller = try authenticate(authorization: request.headers[.authorization], query: request.uri.queryParameters.get("access_token"),
                                          path: request.uri.path, source: context.source)
        return try await next(request, context)
    }

    /// The caller a request's token names. Browsers cannot set headers on a WebSocket, so the
    /// event stream also takes the token as `access_token` in the query (RFC 6750 §2.3).
    func authenticate(authorization: String?, query: String?, path: String, source: String, countingFailures: Bool = true) throws(Problem) -> APICaller {
        if let wait = failures.blocked(source) {
            var p = Problem(.tooManyRequests, "too many failed authentications from this address; try again in \(wait) s")
            p.headers[.retryAfter] = String(wait)
            throw p
        }
        let header = authorization ?? (path == EngineAPI.eventsPath ? query.map { "Bearer " + $0 } : nil)
        func refuse(_ detail: String, _ error: String?) -> Problem {
            if countingFailures { failures.failed(source) }
            var p = Problem(.unauthorized, detail)
            p.headers[.wwwAuthenticate] = error.map { "Bearer realm=\"ccengine\", error=\"\($0)\"" } ?? "Bearer realm=\"ccengine\""
            return p
        }
        guard let header else {
            throw refuse("a bearer token is required (Authorization: Bearer TOKEN)", nil)
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw refuse("the Authorization header must be 'Bearer TOKEN'", "invalid_request")
        }
        guard let token = tokens[APIConfig.Token.hash(String(parts[1]).trimmingCharacters(in: .whitespaces))] else {
            throw refuse("the token is not valid", "invalid_token")
        }
        if let expires = token.expires, Date().timeIntervalSince1970 >= expires {
            throw refuse("token '\(token.name)' has expired", "invalid_token")
        }
        return APICaller(tokenName: token.name, role: token.role, agent: token.agent)
    }
}

/// Failed authentications per source over a sliding minute (a ring of recent failure times).
final class FailureLimiter: Sendable {
    let perMinute: Int
    private let recent = NIOLockedValueBox<[String: [Double]]>([:])

    init(perMinute: Int) { self.perMinute = perMinute }

    /// Seconds until `source` may try again, or nil when it may now.
    func blocked(_ source: String) -> Int? {
        let now = Date().timeIntervalSince1970
        return recent.withLockedValue { r in
            guard var times = r[source] else { return nil }
            times.removeAll { $0 <= now - 60 }
            r[source] = times.isEmpty ? nil : times
            guard times.count >= perMinute, let oldest = times.first else { return nil }
            return max(1, Int((oldest + 60 - now).rounded(.up)))
        }
    }

    func failed(_ source: String) {
        let now = Date().timeIntervalSince1970
        recent.withLockedValue { r in
            // Bounded: at most `perMinute` times per source, and sources are pruned as they age.
            if r.count > 10_000 { r = r.filter { ($0.value.last ?? 0) > now - 60 } }
            r[source, default: []].append(now)
            if r[source]!.count > perMinute { r[source]!.removeFirst() }
        }
    }
}

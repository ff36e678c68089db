import Hummingbird
import HTTPTypes
import Logging

/// Under `/v1/` every refusal is problem details: Hummingbird's own errors (no such route, a
/// method the route lacks) become problems with their status, and an unexpected error a 500
/// problem that says nothing of its internals (the log has it).
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let logger: Logger

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let error as HTTPResponseError where request.uri.path.hasPrefix("/v1/") {
            let detail = error.status == .notFound ? "no such resource: \(request.method.rawValue) \(request.uri.path)" : error.status.reasonPhrase
            throw Problem(error.status, detail)
        } catch where request.uri.path.hasPrefix("/v1/") {
            logger.error("API request failed: \(error)", metadata: ["path": "\(request.uri.path)"])
            throw Problem(.internalServerError, "the engine could not handle this request; its log says why")
        }
    }
}

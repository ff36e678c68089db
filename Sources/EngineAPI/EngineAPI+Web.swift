import Engine
import Foundation
import Hummingbird

/// The agent page (`/agent/`) and the supervisor wallboard (`/wallboard/`): static HTML, CSS and
/// JavaScript modules from the `Web` folder, no build chain. They log in with a bearer token and
/// use the same REST API and `/v1/events` as any other client.
extension EngineAPI {
    /// Where the pages are: `api.web_root`, else `share/ccengine/web` beside an installed program,
    /// else the source tree's `Web` (a build in `.build/<triple>/<config>/`).
    static func webRoot(configured: String?) -> String? {
        configured ?? InstalledFolder.find(installed: "web", source: "Web", containing: "agent/index.html")
    }

    /// Before the authentication middleware: Hummingbird applies a middleware to the routes added after it.
    func addWebRoutes(_ router: Router<APIContext>) {
        guard let root = Self.webRoot(configured: config.webRoot) else {
            logger.warning("the agent page and wallboard are not served: no Web folder found (set api.web_root)")
            return
        }
        router.add(middleware: FileMiddleware(root, searchForIndexHtml: true, logger: logger))
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/wallboard/"]) }
    }
}

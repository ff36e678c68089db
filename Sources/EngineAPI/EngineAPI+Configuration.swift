import Engine
import Hummingbird

/// `POST /v1/config/reload` (admin): queues, agents, recipes and strategies from the engine's
/// configuration file, applied without dropping a waiting or bridged call (as SIGHUP does). A bad
/// file is refused with file:line, and a change the live calls forbid with what to do; either
/// way the running configuration stays. `POST /v1/drain` and `/v1/resume` (admin) take the node
/// out of rotation and back, as `ccengine drain` / `resume` do: new calls get 503 with
/// Retry-After, calls in progress go on.
extension EngineAPI {
    func addConfigurationRoutes(_ router: Router<APIContext>) {
        router.post("/v1/config/reload") { _, context in
            try context.identity.require(.admin)
            return try outcome(await driver.reload())
        }
        router.post("/v1/drain") { _, context in
            try context.identity.require(.admin)
            await driver.drain()
            return try json(Representation.Outcome(result: "draining: new calls get 503 with Retry-After; \(await driver.activeCalls()) calls in progress go on"))
        }
        router.post("/v1/resume") { _, context in
            try context.identity.require(.admin)
            await driver.resume()
            return try json(Representation.Outcome(result: "accepting new calls"))
        }
    }
}

import Engine
import Hummingbird

/// `POST /v1/config/reload` (admin): queues, agents, recipes and strategies from the engine's
/// configuration file, applied without dropping a waiting or bridged call (as SIGHUP does). A bad
/// file is refused with file:line, and a change the live calls forbid with what to do; either
/// way the running configuration stays.
extension EngineAPI {
    func addConfigurationRoutes(_ router: Router<APIContext>) {
        router.post("/v1/config/reload") { _, context in
            try context.identity.require(.admin)
            return try outcome(await driver.reload())
        }
    }
}

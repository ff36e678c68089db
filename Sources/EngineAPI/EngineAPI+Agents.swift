import CallCenter
import Engine
import Hummingbird

/// `/v1/agents`: states, and the changes an agent (its own) or a supervisor may make.
extension EngineAPI {
    func addAgentRoutes(_ router: Router<APIContext>) {
        router.get("/v1/release-reasons") { _, context in
            _ = try context.identity
            return try json(config.releaseReasons)
        }
        router.get("/v1/agents") { _, context in
            let caller = try context.identity
            let snap = try await snapshot()
            let today = try await callsToday()
            // An agent token sees its own agent only.
            let agents = caller.role == .agent ? snap.agents.filter { $0.login == caller.agent } : snap.agents
            return try json(agents.map { Representation.agent($0, origin: driver.originWall, callsToday: today[$0.login] ?? 0) })
        }
        router.get("/v1/agents/:login") { _, context in
            let login = try context.pathParameter("login")
            try context.identity.require(.supervisor, orAgent: login)
            guard let a = try await snapshot().agent(login) else { throw Problem(.notFound, "no agent '\(login)'", field: "login") }
            return try json(Representation.agent(a, origin: driver.originWall, callsToday: try await callsToday()[login] ?? 0))
        }
        router.put("/v1/agents/:login/state") { request, context in
            let login = try context.pathParameter("login")
            try context.identity.require(.supervisor, orAgent: login)
            let body = try await JSONRequest.read(request, limit: config.maxBodyBytes, allowed: ["state", "reason", "label"])
            let state = try body.requiredString("state")
            let command: ControlCommand
            switch state {
            case "available":
                command = .makeAvailable(login)
            case "released":
                let reason = try body.string("reason", maxLength: 64) ?? "break"
                guard !reason.isEmpty, reason.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                    throw Problem(.unprocessableContent, "'reason' is a code of letters, digits, - and _", field: "reason")
                }
                command = .release(login, ReleaseReason(id: reason, label: try body.string("label") ?? reason))
            case "logged-out":
                command = .logOut(login)
            default:
                throw Problem(.unprocessableContent, "'state' must be available, released or logged-out, not '\(state)'", field: "state")
            }
            if state != "released", let extra = ["reason", "label"].first(where: { (try? body.string($0)) != nil }) {
                throw Problem(.unprocessableContent, "'\(extra)' applies only to state released", field: extra)
            }
            return try outcome(await driver.control(command))
        }
        router.post("/v1/agents/:login/wrapup") { request, context in
            let login = try context.pathParameter("login")
            try context.identity.require(.supervisor, orAgent: login)
            let body = try await JSONRequest.read(request, limit: config.maxBodyBytes, allowed: ["notes"])
            return try outcome(await driver.control(.wrapUpDone(login, notes: try body.string("notes", maxLength: 4_000))))
        }
    }

    private func callsToday() async throws -> [String: Int] {
        let store = driver.store, since = startOfToday
        return try await read { try store.answeredByAgent(since: since) }
    }
}

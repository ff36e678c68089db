import CallCenter
import Engine
import Hummingbird

/// `/v1/queues`: live figures per queue, a queue's waiting calls in service order, its weight.
extension EngineAPI {
    func addQueueRoutes(_ router: Router<APIContext>) {
        router.get("/v1/queues") { _, context in
            try context.identity.require(.supervisor)
            let snap = try await snapshot()
            let figures = try await todayFigures()
            return try json(snap.queues.map { queue($0, snap, figures[$0.name]) })
        }
        router.get("/v1/queues/:name") { _, context in
            try context.identity.require(.supervisor)
            let name = try context.pathParameter("name")
            let snap = try await snapshot()
            guard let q = snap.queue(name) else { throw Problem(.notFound, "no queue '\(name)'", field: "name") }
            return try json(queue(q, snap, try await todayFigures()[name]))
        }
        router.get("/v1/queues/:name/calls") { _, context in
            try context.identity.require(.supervisor)
            let name = try context.pathParameter("name")
            let snap = try await snapshot()
            guard let q = snap.queue(name) else { throw Problem(.notFound, "no queue '\(name)'", field: "name") }
            return try json(q.waiting.compactMap(snap.call).map { Representation.call($0, now: snap.now, origin: driver.originWall) })
        }
        router.put("/v1/queues/:name/weight") { request, context in
            try context.identity.require(.admin)
            let name = try context.pathParameter("name")
            let body = try await JSONRequest.read(request, limit: config.maxBodyBytes, allowed: ["weight"])
            guard let weight = try body.int("weight") else { throw Problem(.unprocessableContent, "'weight' is required", field: "weight") }
            return try outcome(await driver.control(.setQueueWeight(queue: name, weight: weight)))
        }
    }

    private func queue(_ q: EngineSnapshot.Queue, _ snap: EngineSnapshot, _ f: (answered: Int, abandoned: Int, withinThreshold: Int)?) -> Representation.Queue {
        let f = f ?? (0, 0, 0)
        let offered = f.answered + f.abandoned
        return Representation.Queue(
            name: q.name, weight: q.weight, waiting: q.waiting.count,
            longestWaitSeconds: q.oldestWaitingSince.map { (snap.now - $0).seconds } ?? 0,
            estimatedWaitSeconds: q.estimatedWait?.seconds, agents: q.agentsByState,
            today: .init(answered: f.answered, abandoned: f.abandoned, serviceLevel: offered > 0 ? Double(f.withinThreshold) / Double(offered) : nil,
                         serviceLevelSeconds: config.serviceLevelSeconds))
    }

    private func todayFigures() async throws -> [String: (answered: Int, abandoned: Int, withinThreshold: Int)] {
        let store = driver.store, since = startOfToday, threshold = Double(config.serviceLevelSeconds)
        return try await read { try store.queueFigures(since: since, threshold: threshold) }
    }
}

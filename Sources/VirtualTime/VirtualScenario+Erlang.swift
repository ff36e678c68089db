import CallCenter
import Workload

extension VirtualScenario {
    /// One queue under Erlang assumptions: Poisson arrivals at `arrivalRate` calls per second,
    /// exponential talk time with mean `aht`, `agents` agents ("agent1"...) without skills who
    /// answer at once, no wrap-up, a ring timeout far beyond any wait, no node skill and an
    /// empty default recipe. With `meanPatience` callers abandon after an exponential patience
    /// (Erlang A); without, they wait forever (Erlang C).
    public static func singleQueue(
        arrivalRate: Double, aht: Double, agents: Int, calls: Int, meanPatience: Double? = nil,
        warmUp: Double = 3600, seed: UInt64 = 1, queue: String = "main", loginPrefix: String = "agent"
    ) -> VirtualScenario {
        let logins = (0..<agents).map { "\(loginPrefix)\($0 + 1)" }
        let routing = CallCenterConfig(
            ringTimeout: .seconds(86_400), wrapUpTime: .zero, seed: seed, callsRequireNode: false,
            defaultRecipe: [], queues: [QueueConfig(name: queue)],
            agents: logins.map { AgentConfig(login: $0) })
        return VirtualScenario(
            routing: routing,
            agentGroups: [VirtualAgentGroup(logins: logins, answerDelay: .constant(0))],
            customerStreams: [
                VirtualCustomerStream(
                    queue: queue, calls: calls, arrival: .poisson(rate: arrivalRate, start: 0),
                    holdTime: .exponential(mean: aht),
                    patience: meanPatience.map { .exponential(mean: $0) })
            ],
            duration: Double(calls) / arrivalRate, warmUp: warmUp, seed: seed)
    }
}

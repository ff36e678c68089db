import Primitives
/// Shares an available agent's attention among the queues that have a call for it, in
/// proportion to `weight * calls waiting` (seed 000).
extension CallCenter {
    /// Picks one of `candidates` (queue indices, no duplicates, non-empty).
    mutating func selectQueue(_ candidates: [Int]) -> Int {
        if candidates.count == 1 { return candidates[0] }
        switch config.dispatch {
        case .smoothWeightedRoundRobin:
            // nginx smooth weighted round robin: every candidate gains its weight, the richest
            // wins and pays the total. Deterministic, and interleaves rather than bursts.
            var total: Int64 = 0
            var best = candidates[0]
            var bestWeight = Int64.min
            for q in candidates {
                let weight = effectiveWeight(q)
                total += weight
                queues[q].currentWeight += weight
                if queues[q].currentWeight > bestWeight {
                    bestWeight = queues[q].currentWeight
                    best = q
                }
            }
            queues[best].currentWeight -= total
            return best
        case .biasedRandom:
            let total = candidates.reduce(Int64(0)) { $0 + effectiveWeight($1) }
            var pick = Int64(generator.next() % UInt64(total))
            for q in candidates {
                pick -= effectiveWeight(q)
                if pick < 0 { return q }
            }
            return candidates[candidates.count - 1]
        }
    }

    private func effectiveWeight(_ q: Int) -> Int64 {
        Int64(queues[q].config.weight) * Int64(max(1, queues[q].members.count))
    }
}

import Foundation

/// Erlang B, C and A, exactly as REFERENCE §3 defines them. Rates are per second, times in
/// seconds; `aht` is the mean handling time (1/mu).
public enum QueueingTheory {
    /// Erlang B blocking probability for offered load `a` (erlangs) and `n` servers:
    /// B_0 = 1, B_k = A*B_{k-1} / (k + A*B_{k-1}).
    public static func erlangB(load a: Double, agents n: Int) -> Double {
        var b = 1.0
        if n > 0 {
            for k in 1...n { b = a * b / (Double(k) + a * b) }
        }
        return b
    }

    /// Erlang C (M/M/N, no abandonment). Defined only for `load < agents`.
    public struct ErlangC: Sendable, Equatable {
        public var load: Double
        public var agents: Int
        public var aht: Double
        /// P(wait) = N*B_N / (N - A*(1 - B_N)).
        public var probabilityOfWait: Double
        /// ASA = P(wait)*AHT/(N - A), over all calls (all are answered).
        public var averageSpeedOfAnswer: Double

        /// SL(t) = 1 - P(wait) * exp(-(N - A) * t / AHT).
        public func serviceLevel(within t: Double) -> Double {
            1 - probabilityOfWait * exp(-(Double(agents) - load) * t / aht)
        }
    }

    /// nil when the queue is unstable (`lambda * aht >= agents`).
    public static func erlangC(arrivalRate lambda: Double, aht: Double, agents n: Int) -> ErlangC? {
        let a = lambda * aht
        guard n > 0, a < Double(n) else { return nil }
        let b = erlangB(load: a, agents: n)
        let pw = Double(n) * b / (Double(n) - a * (1 - b))
        return ErlangC(
            load: a, agents: n, aht: aht, probabilityOfWait: pw,
            averageSpeedOfAnswer: pw * aht / (Double(n) - a))
    }

    /// Erlang A (M/M/N+M): exponential patience with rate theta.
    public struct ErlangA: Sendable, Equatable {
        public var agents: Int
        /// P(an arrival finds all agents busy) = P(n >= N) (PASTA).
        public var probabilityOfWait: Double
        /// theta * Lq / lambda.
        public var probabilityOfAbandon: Double
        /// Mean number waiting.
        public var meanQueueLength: Double
        /// Lq / lambda: mean time in queue over all arrivals, abandoning ones included.
        public var meanWait: Double
        /// Mean wait of the calls that are answered (FCFS).
        public var averageSpeedOfAnswer: Double
    }

    /// The birth-death chain with birth rate lambda and death rate
    /// min(n,N)*mu + max(n-N,0)*theta, truncated where the tail is below 1e-16 of the mode.
    public static func erlangA(
        arrivalRate lambda: Double, aht: Double, meanPatience: Double, agents n: Int
    ) -> ErlangA {
        let mu = 1 / aht, theta = 1 / meanPatience
        // log pi_k, relative to pi_0.
        var logPi: [Double] = [0]
        var k = 0
        var peak = 0.0
        while true {
            k += 1
            let death = Double(min(k, n)) * mu + Double(max(k - n, 0)) * theta
            let next = logPi[k - 1] + log(lambda / death)
            logPi.append(next)
            peak = max(peak, next)
            // Past N the chain drifts down once deaths outpace births; stop in the far tail.
            if k > n, lambda < death, next < peak - 37 { break }
            if k > n + 1_000_000 { break }
        }
        let weights = logPi.map { exp($0 - peak) }
        let total = weights.reduce(0, +)
        let pi = weights.map { $0 / total }
        var pWait = 0.0, lq = 0.0
        for j in n..<pi.count {
            pWait += pi[j]
            lq += Double(j - n) * pi[j]
        }
        // A call that arrives to j >= N in system is at queue position p = j - N + 1. From
        // position p the next event comes at rate r_p = N*mu + p*theta: it moves up (someone
        // ahead is served or abandons, rate N*mu + (p-1)*theta) or abandons itself (theta).
        // S_p = P(served), T_p = E[wait * 1{served}]:
        // S_p = q_p * S_{p-1}, T_p = q_p * (S_{p-1} / r_p + T_{p-1}), q_p = 1 - theta / r_p.
        var served = 0.0, waitServed = 0.0
        var s = 1.0, t = 0.0
        for j in 0..<pi.count {
            if j >= n {
                let p = Double(j - n + 1)
                let r = Double(n) * mu + p * theta
                let q = 1 - theta / r
                t = q * (s / r + t)
                s = q * s
            }
            served += pi[j] * s
            waitServed += pi[j] * t
        }
        return ErlangA(
            agents: n, probabilityOfWait: pWait, probabilityOfAbandon: theta * lq / lambda,
            meanQueueLength: lq, meanWait: lq / lambda,
            averageSpeedOfAnswer: served > 0 ? waitServed / served : .nan)
    }
}

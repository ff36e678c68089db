import CallCenter
import Workload

/// Turns the run's raw arrays into `VirtualRunResult`.
extension Simulation {
    /// Per-batch sums; ratios are taken at the end.
    private struct Tally {
        var offered = 0, answered = 0, abandoned = 0, waited = 0
        var waitSum = 0.0
        var within: [Int]
        /// Sums of the controls' per-call relative deviations (talk time, inter-arrival gap).
        var holdDeviation = 0.0, gapDeviation = 0.0

        init(thresholds: Int) { within = Array(repeating: 0, count: thresholds) }

        mutating func add(waited w: Bool, abandoned a: Bool, answeredAfter wait: Int64?, _ limits: [Int64]) {
            offered += 1
            if w { waited += 1 }
            if a { abandoned += 1 }
            guard let wait else { return }
            answered += 1
            waitSum += Double(wait) / 1e9
            for (i, limit) in limits.enumerated() where wait <= limit { within[i] += 1 }
        }
    }

    func result() -> VirtualRunResult {
        let thresholds = scenario.serviceLevelThresholds
        let thresholdNs = thresholds.map(nanoseconds)
        // Calls are indexed in arrival order, so the counted ones are a suffix.
        let first = callArrival.firstIndex { $0 >= warmUpNs } ?? callArrival.count
        let counted = callArrival.count - first
        let batchCount = max(1, min(scenario.batches, counted))
        var batches = (0..<batchCount).map { _ in Tally(thresholds: thresholds.count) }
        var total = Tally(thresholds: thresholds.count)
        var counts: [VirtualCallOutcome: Int] = [:]
        var maxWait: Int64 = 0
        var abandonWait: Int64 = 0
        let streams = scenario.customerStreams
        let holdMean = streams.map { $0.holdTime.mean }
        let poissonRate = streams.map { s -> Double? in
            if case .poisson(let rate, _) = s.arrivals { return rate }
            return nil
        }
        var previousArrival = streams.map { s -> Int64 in
            if case .poisson(_, let start) = s.arrivals { return nanoseconds(start) }
            return 0
        }
        // Gaps of the warm-up calls are not counted, but they set each stream's previous arrival.
        for c in 0..<first { previousArrival[Int(callStream[c])] = callArrival[c] }

        for c in first..<callArrival.count {
            let b = counted == 0 ? 0 : (c - first) * batchCount / counted
            let outcome = callOutcome[c] ?? .unfinished
            counts[outcome, default: 0] += 1
            let wait = (callAnswer[c] >= 0 ? callAnswer[c] : callEnd[c]) - callArrival[c]
            maxWait = max(maxWait, wait)
            let waited = callFirstRing[c] != callArrival[c]
            let answered = callAnswer[c] >= 0
            let stream = Int(callStream[c])
            if holdMean[stream] > 0 {
                batches[b].holdDeviation += seconds(callHold[c]) / holdMean[stream] - 1
            }
            if let rate = poissonRate[stream] {
                batches[b].gapDeviation += seconds(callArrival[c] - previousArrival[stream]) * rate - 1
            }
            previousArrival[stream] = callArrival[c]
            if outcome == .abandoned { abandonWait += wait }
            total.add(waited: waited, abandoned: outcome == .abandoned, answeredAfter: answered ? wait : nil, thresholdNs)
            batches[b].add(waited: waited, abandoned: outcome == .abandoned, answeredAfter: answered ? wait : nil, thresholdNs)
        }

        let method = "batch means, \(batchCount) batches"
        func ci(_ value: (Tally) -> Double?) -> ConfidenceInterval {
            BatchMeans.interval(
                estimate: value(total) ?? .nan, values: batches.compactMap(value), method: method)
        }
        func ratio(_ a: Int, _ b: Int) -> Double? { b == 0 ? nil : Double(a) / Double(b) }

        // Controls: each batch's mean deviations, kept only when they vary (a constant talk time
        // or deterministic arrivals carry no information).
        var controlNames: [String] = []
        var controlColumns: [[Double]] = []
        for (name, column) in [
            ("talk time", batches.map { $0.offered == 0 ? 0 : $0.holdDeviation / Double($0.offered) }),
            ("inter-arrival time", batches.map { $0.offered == 0 ? 0 : $0.gapDeviation / Double($0.offered) }),
        ] where column.contains(where: { abs($0 - column[0]) > 1e-12 }) {
            controlNames.append(name)
            controlColumns.append(column)
        }
        let cvMethod = "control variates (\(controlNames.joined(separator: ", "))), \(batchCount) batches"
        func cv(_ value: (Tally) -> Double?) -> ConfidenceInterval? {
            guard !controlNames.isEmpty else { return nil }
            var ys: [Double] = [], xs: [[Double]] = []
            for (b, batch) in batches.enumerated() {
                guard let y = value(batch) else { continue }
                ys.append(y)
                xs.append(controlColumns.map { $0[b] })
            }
            return ControlVariates.intercept(values: ys, controls: xs, method: cvMethod)
        }
        var controlled: ControlledEstimates?
        if let pw = cv({ ratio($0.waited, $0.offered) }),
            let asa = cv({ $0.answered == 0 ? nil : $0.waitSum / Double($0.answered) }),
            let ab = cv({ ratio($0.abandoned, $0.offered) })
        {
            controlled = ControlledEstimates(
                controls: controlNames, probabilityOfWait: pw.clamped(to: ConfidenceInterval.fraction),
                averageSpeedOfAnswer: asa.clamped(to: ConfidenceInterval.nonNegative),
                abandonRate: ab.clamped(to: ConfidenceInterval.fraction),
                serviceLevelsOfOffered: thresholds.indices.compactMap { i in
                    cv { ratio($0.within[i], $0.offered) }?.clamped(to: ConfidenceInterval.fraction)
                })
        }

        let serviceLevels = thresholds.indices.map { i in
            ServiceLevel(
                threshold: thresholds[i], answeredWithin: total.within[i],
                ofOffered: ci { ratio($0.within[i], $0.offered) }.clamped(to: ConfidenceInterval.fraction),
                ofAnswered: ci { ratio($0.within[i], $0.answered) }.clamped(to: ConfidenceInterval.fraction))
        }
        return VirtualRunResult(
            seed: scenario.seed, warmUp: scenario.warmUp, simulatedTime: seconds(now),
            eventsProcessed: eventsProcessed,
            offered: counted, answered: total.answered, abandoned: counts[.abandoned] ?? 0,
            failed: counts[.failed] ?? 0, voicemail: counts[.voicemail] ?? 0,
            rejected: counts[.rejected] ?? 0, unfinished: counts[.unfinished] ?? 0,
            waited: total.waited,
            probabilityOfWait: ci { ratio($0.waited, $0.offered) }.clamped(to: ConfidenceInterval.fraction),
            averageSpeedOfAnswer: ci { $0.answered == 0 ? nil : $0.waitSum / Double($0.answered) }.clamped(to: ConfidenceInterval.nonNegative),
            abandonRate: ci { ratio($0.abandoned, $0.offered) }.clamped(to: ConfidenceInterval.fraction),
            serviceLevels: serviceLevels, maxWait: seconds(maxWait),
            meanTimeToAbandon: total.abandoned == 0 ? 0 : seconds(abandonWait) / Double(total.abandoned),
            controlled: controlled, agents: agentResults(), intervals: intervalResults(thresholdNs),
            calls: scenario.keepCalls ? callResults() : [])
    }

    private func agentResults() -> [VirtualAgentResult] {
        var answered = Array(repeating: 0, count: agentLogins.count)
        for c in callAgent.indices where callAgent[c] >= 0 && callAnswer[c] >= 0 {
            answered[Int(callAgent[c])] += 1
        }
        return agentLogins.indices.map { a in
            let loggedIn = (1..<AgentStateTracker.columns).reduce(0.0) { $0 + tracker.seconds(a, $1) }
            let busy = AgentStateTracker.busyColumns.reduce(0.0) { $0 + tracker.seconds(a, $1) }
            return VirtualAgentResult(
                login: agentLogins[a], group: Int(agentGroup[a]), calls: answered[a],
                loggedInTime: loggedIn, busyTime: busy, availableTime: tracker.seconds(a, 1),
                releasedTime: tracker.seconds(a, 5), occupancy: loggedIn > 0 ? busy / loggedIn : 0)
        }
    }

    private func intervalResults(_ thresholdNs: [Int64]) -> [VirtualInterval] {
        let length = series.length
        let lastArrivalBucket = callArrival.last.map { Int($0 / length) } ?? -1
        let buckets = max(series.count, lastArrivalBucket + 1)
        var offered = Array(repeating: 0, count: buckets)
        var answered = offered, abandoned = offered
        var within = Array(repeating: 0, count: buckets * thresholdNs.count)
        for c in callArrival.indices {
            let b = Int(callArrival[c] / length)
            offered[b] += 1
            if callOutcome[c] == .abandoned { abandoned[b] += 1 }
            guard callAnswer[c] >= 0 else { continue }
            answered[b] += 1
            let wait = callAnswer[c] - callArrival[c]
            for (i, limit) in thresholdNs.enumerated() where wait <= limit {
                within[b * thresholdNs.count + i] += 1
            }
        }
        return (0..<buckets).map { b in
            let start = Int64(b) * length
            let span = Double(min(length, max(1, now - start)))
            let area = { (column: Int) -> Double in
                b < series.count ? series.stateArea[b * AgentStateTracker.columns + column] / span : 0
            }
            return VirtualInterval(
                start: seconds(start), end: seconds(start + length), offered: offered[b],
                answered: answered[b], abandoned: abandoned[b],
                serviceLevelOfOffered: thresholdNs.indices.map { i in
                    offered[b] == 0 ? nil : Double(within[b * thresholdNs.count + i]) / Double(offered[b])
                },
                meanQueueLength: b < series.count ? series.waitingArea[b] / span : 0,
                maxQueueLength: b < series.count ? series.waitingMax[b] : 0,
                agents: AgentStateAverages(
                    offline: area(0), available: area(1), ringing: area(2), onCall: area(3),
                    wrapUp: area(4), released: area(5)))
        }
    }

    private func callResults() -> [VirtualCallResult] {
        callIDs.indices.map { c in
            let answer = callAnswer[c] >= 0 ? seconds(callAnswer[c]) : nil
            let arrival = seconds(callArrival[c])
            let end = seconds(callEnd[c])
            return VirtualCallResult(
                id: callIDs[c], queue: scenario.customerStreams[Int(callStream[c])].queue, finalQueue: movedTo[Int32(c)],
                agent: callAgent[c] >= 0 ? agentLogins[Int(callAgent[c])] : nil,
                arrival: arrival, firstRing: callFirstRing[c] >= 0 ? seconds(callFirstRing[c]) : nil,
                answer: answer, end: end, outcome: callOutcome[c] ?? .unfinished,
                wait: (answer ?? end) - arrival, waited: callFirstRing[c] != callArrival[c],
                counted: callArrival[c] >= warmUpNs)
        }
    }
}

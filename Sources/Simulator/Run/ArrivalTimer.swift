import NIOCore

/// Places a run's customers at their arrival times from an event loop's timers rather than a Swift
/// task's sleep, so a call is offered when it is due even while Swift's cooperative threads are
/// busy (ccsim inside a test process beside blocking tests, a loaded CI machine): each arrival is
/// scheduled at its absolute time from scenario zero, binds its phone and calls, and is ended as
/// unfinished at the run's end if still up. Confined to `loop`.
final class ArrivalTimer: @unchecked Sendable {
    typealias Arrival = (at: Double, stream: CustomerStream, index: Int)

    private let arrivals: [Arrival]
    private let loop: any EventLoop
    private let clock: RunClock
    private let scale: Double
    private let runEnd: NIODeadline
    /// Makes the customer of the nth arrival (its phone not bound yet).
    private let customer: @Sendable (Int, Arrival) -> VirtualCustomer
    private var placed: [VirtualCustomer] = []
    /// Customers whose phone is bound and who have called (the run's result waits for every
    /// phone's bind: a failure fails it).
    private var calling: [VirtualCustomer] = []
    private var finished = false
    private let all: EventLoopPromise<[VirtualCustomer]>

    init(arrivals: [Arrival], loop: any EventLoop, clock: RunClock, scale: Double, duration: Double,
         customer: @escaping @Sendable (Int, Arrival) -> VirtualCustomer) {
        self.arrivals = arrivals
        self.loop = loop
        self.clock = clock
        self.scale = scale
        self.runEnd = clock.deadline(afterScenarioSeconds: duration / scale)
        self.customer = customer
        self.all = loop.makePromise(of: [VirtualCustomer].self)
    }

    /// Every customer, once the last arrival has been placed and every phone bound (failed if
    /// one cannot bind).
    func start() -> EventLoopFuture<[VirtualCustomer]> {
        loop.execute { self.schedule(0) }
        return all.futureResult
    }

    private func schedule(_ n: Int) {
        guard !finished, n < arrivals.count else { return }
        loop.scheduleTask(deadline: clock.deadline(afterScenarioSeconds: arrivals[n].at / scale)) { self.place(n) }
    }

    private func place(_ n: Int) {
        guard !finished else { return }
        let c = customer(n, arrivals[n])
        placed.append(c)
        let runEnd = runEnd
        c.phone.bind(host: "127.0.0.1").whenComplete { result in
            switch result {
            case .success:
                c.call()
                let end = c.phone.loop.scheduleTask(deadline: runEnd) { c.abandonRun() }
                c.done.futureResult.whenComplete { _ in end.cancel() }
                self.loop.execute {
                    self.calling.append(c)
                    self.finishIfAllBound()
                }
            case .failure(let error):
                c.done.succeed()
                self.loop.execute {
                    guard !self.finished else { return }
                    self.finished = true
                    self.all.fail(error)
                }
            }
        }
        schedule(n + 1)
    }

    private func finishIfAllBound() {
        guard !finished, placed.count == arrivals.count, calling.count == placed.count else { return }
        finished = true
        all.succeed(placed)
    }

    /// The run was cancelled: no further arrival, `start`'s future fails, and the customers who
    /// called end now as unfinished.
    func cancel() {
        loop.execute {
            if !self.finished {
                self.finished = true
                self.all.fail(CancellationError())
            }
            for c in self.calling { c.abandonRun() }
        }
    }
}

import Glibc
import Logging
import Media
import NIOPosix
import Testing

/// The relay's control path on real sockets (loopback ports 24900-24919).
struct RTPRelayTests {
    static func relay() -> (RTPRelay, MultiThreadedEventLoopGroup) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        return (RTPRelay(group: group, host: "127.0.0.1", threads: 1, logger: Logger(label: "test")), group)
    }

    /// Whether something holds `port` on 127.0.0.1 (a bind there fails).
    static func taken(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = in_port_t(UInt16(port)).bigEndian
        sa.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } != 0
    }

    @Test func preparedPortsAreBoundAheadAndTakenByTheCallThatGetsThem() throws {
        let (relay, group) = Self.relay()
        defer {
            relay.shutdown()
            try? group.syncShutdownGracefully()
        }
        relay.prepare(port: 24900)
        #expect(Self.taken(24900) && Self.taken(24901))
        try relay.open(call: "a", leg: .caller, port: 24900).wait()
        #expect(relay.activeCalls == 1)
        // The agent side later, bound on demand; preparing a port again while held changes nothing.
        relay.prepare(port: 24904)
        relay.prepare(port: 24904)
        try relay.open(call: "a", leg: .agent, port: 24902).wait()
        #expect(relay.activeCalls == 1 && Self.taken(24902) && Self.taken(24903))
        try relay.open(call: "b", callerPort: 24908, agentPort: 24910).wait()
        #expect(relay.activeCalls == 2)
        relay.delete(call: "a")
        relay.settle()
        #expect(!Self.taken(24900) && !Self.taken(24901) && !Self.taken(24902) && !Self.taken(24903))
    }

    @Test func shutdownClosesAPreparedPortNoCallTook() {
        let (relay, group) = Self.relay()
        relay.prepare(port: 24912)
        #expect(Self.taken(24912) && Self.taken(24913))
        relay.shutdown()
        try? group.syncShutdownGracefully()
        #expect(!Self.taken(24912) && !Self.taken(24913))
    }
}

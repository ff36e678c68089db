import CallCenter
import Foundation
import GRDB
import Media
import SIP

/// What the state database keeps besides finished calls: calls in progress (`pending` rows),
/// agents' registrations and releases, and the engine's heartbeat, so that a restart after a
/// crash closes the calls it cut and rings agents that registered before it.
extension CallRecordStore {
    /// Disposition of an accepted call whose row is open; `interrupted` after a crash cut it.
    public static let pending = "pending"
    public static let interrupted = "interrupted"

    /// One change to the state database; a batch of them is one transaction.
    public enum Write: Sendable {
        /// Opens or closes a call's row (upsert by Call-ID).
        case call(Row)
        /// An agent's registrations now (replacing what was kept).
        case bindings(agent: String, [BindingRow])
        /// An agent's release reason now; nil: not released.
        case release(agent: String, ReleaseRow?)
        /// When an agent's wrap-up ends (Unix seconds); nil: not in wrap-up.
        case wrapUp(agent: String, until: Double?)
        /// Wrap-up notes for a finished call (kept beside its row).
        case notes(callID: String, String, at: Double)
        /// Lines of the queue_log table (`queue_log.table: true`).
        case queueLog([QueueLogRow])
        /// What a call's phones reported in RTCP, once the relay closed its ports.
        case quality(callID: String, RTPRelay.CallQuality)
        /// A call's recording, written (or failed).
        case recording(RecordingRow)
        /// Where a caller went through the menus: menu names and keys, space-separated.
        case menuPath(callID: String, String)
        /// A voicemail message, written (or failed).
        case voicemail(VoicemailRow)
        /// An agent took the voicemail message of `callID` (as the routing core's call `item`).
        case voicemailDelivered(callID: String, item: String, agent: String, at: Double)
    }

    public struct BindingRow: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
        public static let databaseTableName = "registrations"
        public var agent: String
        /// The Contact as registered (with its `expires` parameter), parsed again at start.
        public var contact: String
        /// Where requests for it go (after the NAT policy): the phone's source as seen; for TCP
        /// and TLS the connection the REGISTER came on (after a restart it is gone, and requests
        /// open a new connection to the Contact).
        public var targetHost: String
        public var targetPort: Int
        public var transport: String
        public var registeredAt: Double
        public var expiresAt: Double
        /// The RFC 3327 Path as a Route header value; empty without one.
        public var path: String

        enum CodingKeys: String, CodingKey {
            case agent, contact, targetHost = "target_host", targetPort = "target_port", transport
            case registeredAt = "registered_at", expiresAt = "expires_at", path
        }

        public init(agent: String, _ b: Registrar.Binding, origin: Double) {
            self.agent = agent
            contact = b.contact.description
            targetHost = b.target.host
            targetPort = b.target.port
            transport = b.target.transport.rawValue
            registeredAt = origin + b.registeredAt.seconds
            expiresAt = origin + b.expiresAt.seconds
            path = b.path.map(\.description).joined(separator: ", ")
        }

        /// The binding on a clock whose zero is `origin` (Unix seconds); nil if unreadable.
        public func binding(origin: Double) -> Registrar.Binding? {
            guard let c = NameAddress(contactHeader: contact) else { return nil }
            return Registrar.Binding(
                contact: c, target: Endpoint(host: targetHost, port: targetPort, transport: Transport(rawValue: transport) ?? .udp),
                expiresAt: .seconds(expiresAt - origin), registeredAt: .seconds(registeredAt - origin),
                path: path.isEmpty ? [] : NameAddress.list(routeHeader: path) ?? [])
        }
    }

    public struct ReleaseRow: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
        public static let databaseTableName = "agent_releases"
        public var agent: String
        public var reasonID: String
        public var label: String
        public var bias: Int
        public var since: Double

        enum CodingKeys: String, CodingKey {
            case agent, reasonID = "reason_id", label, bias, since
        }

        public init(agent: String, _ r: ReleaseReason, since: Double) {
            self.agent = agent
            reasonID = r.id
            label = r.label
            bias = r.bias
            self.since = since
        }

        public var reason: ReleaseReason { ReleaseReason(id: reasonID, label: label, bias: bias) }
    }

    /// Phones registered through proxies keep their RFC 3327 Path across a restart.
    static func migrateRegistrationPath(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-registration-path") { db in
            try db.alter(table: "registrations") { t in t.add(column: "path", .text).notNull().defaults(to: "") }
        }
    }

    /// Agents in wrap-up go back to it after a restart, until it would have ended.
    static func migrateWrapUps(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v11-wrap-ups") { db in
            try db.create(table: "agent_wrap_ups") { t in
                t.primaryKey("agent", .text)
                t.column("until", .double).notNull()
            }
        }
    }

    static func migrateDurable(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-durable") { db in
            try db.create(table: "registrations") { t in
                t.column("agent", .text).notNull()
                t.column("contact", .text).notNull()
                t.column("target_host", .text).notNull()
                t.column("target_port", .integer).notNull()
                t.column("transport", .text).notNull()
                t.column("registered_at", .double).notNull()
                t.column("expires_at", .double).notNull()
                t.primaryKey(["agent", "contact"])
            }
            try db.create(table: "agent_releases") { t in
                t.primaryKey("agent", .text)
                t.column("reason_id", .text).notNull()
                t.column("label", .text).notNull()
                t.column("bias", .integer).notNull()
                t.column("since", .double).notNull()
            }
            // One row: when this engine started and when it was last seen alive (heartbeat).
            try db.create(table: "engine") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("started_at", .double).notNull()
                t.column("alive_at", .double).notNull()
                t.column("pid", .integer).notNull()
            }
            try db.create(index: "calls_pending", on: "calls", columns: ["disposition"], condition: Column("disposition") == pending)
        }
    }

    /// Writes a batch in one transaction, with the heartbeat when given.
    public func write(_ writes: [Write], aliveAt: Double? = nil) throws {
        try db.write { db in
            for w in writes {
                switch w {
                case .call(let row):
                    try row.save(db)
                case .bindings(let agent, let rows):
                    try BindingRow.filter(Column("agent") == agent).deleteAll(db)
                    for r in rows { try r.insert(db) }
                case .release(let agent, let row):
                    if let row { try row.save(db) } else { _ = try ReleaseRow.deleteOne(db, key: agent) }
                case .wrapUp(let agent, let until):
                    if let until {
                        try db.execute(sql: "INSERT OR REPLACE INTO agent_wrap_ups (agent, until) VALUES (?, ?)", arguments: [agent, until])
                    } else {
                        try db.execute(sql: "DELETE FROM agent_wrap_ups WHERE agent = ?", arguments: [agent])
                    }
                case .notes(let callID, let notes, let at):
                    try Self.saveNotes(db, callID: callID, notes: notes, at: at)
                case .queueLog(let rows):
                    for r in rows { try r.insert(db) }
                case .quality(let callID, let q):
                    try Self.saveQuality(db, callID: callID, q)
                case .recording(let row):
                    try row.save(db)
                case .voicemail(let row):
                    try row.save(db)
                case .voicemailDelivered(let callID, let item, let agent, let at):
                    try db.execute(sql: "UPDATE voicemails SET item = ?, delivered_to = ?, delivered_at = ? WHERE call_id = ?",
                                   arguments: [item, agent, at, callID])
                case .menuPath(let callID, let path):
                    try db.execute(sql: "INSERT OR REPLACE INTO call_menus (call_id, path) VALUES (?, ?)", arguments: [callID, path])
                }
            }
            if let aliveAt { try db.execute(sql: "UPDATE engine SET alive_at = ? WHERE id = 1", arguments: [aliveAt]) }
        }
    }

    /// At start, before serving: every call a crash left open is closed as `interrupted`, ended
    /// when the engine was last seen alive; this run's heartbeat row starts. Returns how many.
    public func startRun(at now: Double, pid: Int32) throws -> Int {
        try db.write { db in
            let alive = try Double.fetchOne(db, sql: "SELECT alive_at FROM engine WHERE id = 1")
            try db.execute(sql: """
                UPDATE calls SET disposition = ?, end_reason = ?, ended_at = MAX(enqueued_at, ?)
                WHERE disposition = ?
                """, arguments: [Self.interrupted, Self.interrupted, alive ?? 0, Self.pending])
            let closed = db.changesCount
            try db.execute(sql: "INSERT OR REPLACE INTO engine (id, started_at, alive_at, pid) VALUES (1, ?, ?, ?)",
                           arguments: [now, now, Int(pid)])
            return closed
        }
    }

    /// The engine that last ran on this state folder: its PID and when it was last seen alive.
    public func lastRun() throws -> (pid: Int32, aliveAt: Double)? {
        try db.read { db in
            try GRDB.Row.fetchOne(db, sql: "SELECT pid, alive_at FROM engine WHERE id = 1").map { (Int32($0["pid"] as Int), $0["alive_at"]) }
        }
    }

    /// Calls accepted and not yet ended (rows still `pending`).
    public func callsInProgress() throws -> Int {
        try db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM calls WHERE disposition = ?", arguments: [Self.pending]) ?? 0 }
    }

    public func bindings() throws -> [BindingRow] {
        try db.read { db in try BindingRow.order(Column("agent"), Column("registered_at")).fetchAll(db) }
    }

    public func releases() throws -> [ReleaseRow] {
        try db.read { db in try ReleaseRow.order(Column("agent")).fetchAll(db) }
    }

    /// Agents in wrap-up and when it ends (Unix seconds).
    public func wrapUps() throws -> [String: Double] {
        try db.read { db in
            Dictionary(uniqueKeysWithValues: try GRDB.Row.fetchAll(db, sql: "SELECT agent, until FROM agent_wrap_ups").map { ($0["agent"] as String, $0["until"] as Double) })
        }
    }

    /// What was kept, on a clock whose zero is `origin` (Unix seconds).
    public func durableState(origin: Double) throws -> DurableState {
        var kept = DurableState()
        for row in try bindings() {
            guard let b = row.binding(origin: origin) else { continue }
            kept.bindings[row.agent, default: []].append(b)
        }
        for row in try releases() { kept.released[row.agent] = row.reason }
        for (agent, until) in try wrapUps() { kept.wrapUps[agent] = .milliseconds(Int64(((until - origin) * 1000).rounded())) }
        kept.voicemails = try undeliveredVoicemails().map {
            VoicemailMessage(call: $0.callID, queue: $0.queue, caller: $0.caller, file: $0.file, seconds: $0.seconds)
        }
        return kept
    }
}

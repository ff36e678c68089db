import CallCenter
import Foundation
import GRDB

/// The engine's state database in SQLite (GRDB over the system libsqlite3): one row per accepted
/// call, opened `pending` and closed when the call ends (written before the engine logs the call
/// as ended); registrations, releases and the heartbeat in `CallRecordStore+Durable.swift`.
/// Times are Unix seconds.
public final class CallRecordStore: Sendable {
    public struct Row: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
        public static let databaseTableName = "calls"
        public var callID: String
        public var queue: String
        public var originalQueue: String
        public var agent: String?
        public var callerID: String
        public var callerName: String
        public var enqueuedAt: Double
        public var firstRingAt: Double?
        public var answeredAt: Double?
        public var endedAt: Double
        public var disposition: String
        public var attempts: Int
        public var endReason: String
        /// `voice` for a caller's call; `voicemail` for a voicemail message offered to an agent.
        public var media: String

        enum CodingKeys: String, CodingKey {
            case callID = "call_id", queue, originalQueue = "original_queue", agent, callerID = "caller_id", callerName = "caller_name"
            case enqueuedAt = "enqueued_at", firstRingAt = "first_ring_at", answeredAt = "answered_at", endedAt = "ended_at"
            case disposition, attempts, endReason = "end_reason", media
        }

        /// The open row of an accepted call (disposition `pending` until it ends; `ended_at` is
        /// the acceptance time until then).
        public init(accepted a: AcceptedCall, origin: Double) {
            callID = a.callID
            queue = a.queue
            originalQueue = a.queue
            callerID = a.caller.id
            callerName = a.caller.name
            enqueuedAt = origin + a.acceptedAt.seconds
            endedAt = enqueuedAt
            disposition = CallRecordStore.pending
            attempts = 0
            endReason = CallRecordStore.pending
            media = a.media.rawValue
        }

        public init(_ r: CallRecord, origin: Double) {
            func wall(_ d: Duration) -> Double { origin + d.seconds }
            callID = r.callID
            queue = r.queue
            originalQueue = r.originalQueue
            agent = r.agent
            callerID = r.caller.id
            callerName = r.caller.name
            enqueuedAt = wall(r.enqueuedAt)
            firstRingAt = r.firstRingAt.map(wall)
            answeredAt = r.answeredAt.map(wall)
            endedAt = wall(r.endedAt)
            disposition = r.disposition.rawValue
            attempts = r.attempts
            endReason = r.endReason.rawValue
            media = r.media.rawValue
        }
    }

    let db: DatabasePool
    public let path: String

    /// Opens (creating if needed) `calls.sqlite` in the state folder. GRDB's pool puts it in WAL
    /// mode with `synchronous = NORMAL`: a committed record survives the engine crashing or being
    /// killed; only a power loss can take the last commits since the previous checkpoint. The
    /// rollback journal with `FULL` (GRDB's single-connection default) paid two fsyncs per call,
    /// which on a 2-core machine took CPU and I/O from the SIP loop (ccbench routing --e2e).
    /// Readers (ccsim's record cross-check, `sqlite3`) read while the engine writes; a writer
    /// waits up to 5 s for another process's lock instead of failing at once.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent("calls.sqlite")
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        db = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-calls") { db in
            try db.create(table: "calls") { t in
                t.primaryKey("call_id", .text)
                t.column("queue", .text).notNull()
                t.column("original_queue", .text).notNull()
                t.column("agent", .text)
                t.column("caller_id", .text).notNull()
                t.column("caller_name", .text).notNull()
                t.column("enqueued_at", .double).notNull()
                t.column("first_ring_at", .double)
                t.column("answered_at", .double)
                t.column("ended_at", .double).notNull()
                t.column("disposition", .text).notNull()
                t.column("attempts", .integer).notNull()
                t.column("end_reason", .text).notNull()
            }
            try db.create(index: "calls_by_end", on: "calls", columns: ["ended_at"])
        }
        Self.migrateDurable(&migrator)
        Self.migrateOperations(&migrator)
        Self.migrateRegistrationPath(&migrator)
        Self.migrateQuality(&migrator)
        Self.migrateRecordings(&migrator)
        migrator.registerMigration("v10-call-media") { db in
            try db.alter(table: "calls") { t in t.add(column: "media", .text).notNull().defaults(to: "voice") }
        }
        Self.migrateWrapUps(&migrator)
        try migrator.migrate(db)
    }

    /// Writes one record. A Call-ID seen again (a caller reusing one) replaces the older row.
    public func write(_ row: Row) throws {
        try write([row])
    }

    /// Writes records in one transaction.
    public func write(_ rows: [Row]) throws {
        try db.write { db in for row in rows { try row.save(db) } }
    }

    public func all() throws -> [Row] {
        try db.read { db in try Row.order(Column("enqueued_at")).fetchAll(db) }
    }

    public func rows(since unixTime: Double) throws -> [Row] {
        try db.read { db in try Row.filter(Column("enqueued_at") >= unixTime).order(Column("enqueued_at")).fetchAll(db) }
    }
}

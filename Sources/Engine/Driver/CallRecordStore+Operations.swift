import CallCenter
import Foundation
import GRDB

/// What operators add to and read from the state database: wrap-up notes kept beside each call's
/// row (written after the row is closed, so a closing write never touches them), the optional
/// `queue_log` table (Asterisk realtime's columns), and the records of a time range for the API.
extension CallRecordStore {
    /// A call's record with its wrap-up notes, as the API lists it.
    public struct RecordWithNotes: Decodable, FetchableRecord, Sendable {
        public var row: Row
        public var notes: String?

        public init(from decoder: any Decoder) throws {
            row = try Row(from: decoder)
            notes = try decoder.container(keyedBy: NotesKey.self).decodeIfPresent(String.self, forKey: .notes)
        }

        enum NotesKey: String, CodingKey { case notes }
    }

    /// One queue_log line in a table: Asterisk realtime's and Wazo's columns.
    public struct QueueLogRow: Codable, Sendable, FetchableRecord, PersistableRecord {
        public static let databaseTableName = "queue_log"
        /// `%F %T.%6q` in UTC, as Asterisk realtime writes it.
        public var time: String
        public var callid: String
        public var queuename: String
        public var agent: String
        public var event: String
        public var data1: String
        public var data2: String
        public var data3: String
        public var data4: String
        public var data5: String

        public init(_ line: QueueLog.Line, at unixTime: Double) {
            time = Self.format(unixTime)
            callid = line.callID
            queuename = line.queue
            agent = line.agent
            event = line.event
            let d = line.data + Array(repeating: "", count: max(0, 5 - line.data.count))
            (data1, data2, data3, data4, data5) = (d[0], d[1], d[2], d[3], d[4])
        }

        static func format(_ t: Double) -> String {
            var seconds = time_t(t.rounded(.down))
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let micros = Int(((t - t.rounded(.down)) * 1_000_000).rounded(.down))
            return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%06d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                          Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
        }
    }

    static func migrateOperations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-operations") { db in
            try db.create(table: "call_notes") { t in
                t.primaryKey("call_id", .text)
                t.column("notes", .text).notNull()
                t.column("saved_at", .double).notNull()
            }
            try db.create(table: "queue_log") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("time", .text).notNull()
                for c in ["callid", "queuename", "agent", "event", "data1", "data2", "data3", "data4", "data5"] { t.column(c, .text).notNull() }
            }
            try db.create(index: "calls_by_start", on: "calls", columns: ["enqueued_at"])
        }
    }

    static func saveNotes(_ db: Database, callID: String, notes: String, at time: Double) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO call_notes (call_id, notes, saved_at) VALUES (?, ?, ?)", arguments: [callID, notes, time])
    }

    /// Finished calls that arrived in `[from, to)` (Unix seconds), oldest first, a page at a time.
    public func records(from: Double, to: Double, limit: Int, offset: Int) throws -> [RecordWithNotes] {
        try db.read { db in
            try RecordWithNotes.fetchAll(db, sql: """
                SELECT calls.*, call_notes.notes FROM calls LEFT JOIN call_notes USING (call_id)
                WHERE enqueued_at >= ? AND enqueued_at < ? AND disposition != ?
                ORDER BY enqueued_at, call_id LIMIT ? OFFSET ?
                """, arguments: [from, to, Self.pending, limit, offset])
        }
    }

    public func notes(of callID: String) throws -> String? {
        try db.read { try String.fetchOne($0, sql: "SELECT notes FROM call_notes WHERE call_id = ?", arguments: [callID]) }
    }

    public func queueLogRows() throws -> [QueueLogRow] {
        try db.read { try QueueLogRow.order(Column("id")).fetchAll($0) }
    }

    /// Per queue since `since`: calls answered, abandoned, and answered within `threshold` seconds
    /// (callers' calls only: a voicemail message taken by an agent is not a caller served).
    public func queueFigures(since: Double, threshold: Double) throws -> [String: (answered: Int, abandoned: Int, withinThreshold: Int)] {
        try db.read { db in
            var out: [String: (answered: Int, abandoned: Int, withinThreshold: Int)] = [:]
            let rows = try GRDB.Row.fetchAll(db, sql: """
                SELECT queue, SUM(disposition = 'answered'), SUM(disposition = 'abandoned'),
                       SUM(disposition = 'answered' AND answered_at - enqueued_at <= ?)
                FROM calls WHERE enqueued_at >= ? AND disposition != ? AND media = 'voice' GROUP BY queue
                """, arguments: [threshold, since, Self.pending])
            for r in rows { out[r[0]] = (r[1], r[2], r[3]) }
            return out
        }
    }

    /// Calls each agent answered since `since`.
    public func answeredByAgent(since: Double) throws -> [String: Int] {
        try db.read { db in
            var out: [String: Int] = [:]
            for r in try GRDB.Row.fetchAll(db, sql: "SELECT agent, COUNT(*) FROM calls WHERE enqueued_at >= ? AND answered_at IS NOT NULL AND agent IS NOT NULL GROUP BY agent", arguments: [since]) {
                out[r[0]] = r[1]
            }
            return out
        }
    }
}

import Foundation
import GRDB

/// Call recordings (`queues[].media.record`): one row per recorded call in `recordings`, written
/// once the file is written, or saying why it could not be (the call itself went on).
extension CallRecordStore {
    public struct RecordingRow: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
        public static let databaseTableName = "recordings"
        public var callID: String
        /// The file (stereo) or files (split: caller, then agent, comma-separated); empty when failed.
        public var files: String
        /// `stereo` (caller left, agent right) or `split` (two mono files).
        public var format: String
        public var seconds: Double
        /// `ok`, `truncated` (the maximum length was reached) or `failed`.
        public var status: String
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case callID = "call_id", files, format, seconds, status, error
        }

        public init(callID: String, files: [String], format: String, seconds: Double, status: String, error: String? = nil) {
            self.callID = callID
            self.files = files.joined(separator: ",")
            self.format = format
            self.seconds = seconds
            self.status = status
            self.error = error
        }
    }

    /// Where a caller went through the IVR menus (`call_menus`: menu names and keys in order).
    public func menuPath(of callID: String) throws -> String? {
        try db.read { db in try String.fetchOne(db, sql: "SELECT path FROM call_menus WHERE call_id = ?", arguments: [callID]) }
    }

    static func migrateRecordings(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-recordings") { db in
            try db.create(table: "recordings") { t in
                t.primaryKey("call_id", .text)
                t.column("files", .text).notNull()
                t.column("format", .text).notNull()
                t.column("seconds", .double).notNull()
                t.column("status", .text).notNull()
                t.column("error", .text)
            }
        }
        migrator.registerMigration("v7-call-menus") { db in
            try db.create(table: "call_menus") { t in
                t.primaryKey("call_id", .text)
                t.column("path", .text).notNull()
            }
        }
        migrator.registerMigration("v8-voicemails") { db in
            try db.create(table: "voicemails") { t in
                t.primaryKey("call_id", .text)
                t.column("caller", .text).notNull()
                t.column("queue", .text).notNull()
                t.column("received_at", .double).notNull()
                t.column("seconds", .double).notNull()
                t.column("file", .text).notNull()
                t.column("status", .text).notNull()
                t.column("error", .text)
            }
        }
        migrator.registerMigration("v9-voicemail-delivery") { db in
            try db.alter(table: "voicemails") { t in
                t.add(column: "item", .text)
                t.add(column: "delivered_to", .text)
                t.add(column: "delivered_at", .double)
            }
        }
    }

    /// A voicemail message (`voicemails`): who left it for which queue, when, how long, where.
    public struct VoicemailRow: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
        public static let databaseTableName = "voicemails"
        public var callID: String
        public var caller: String
        public var queue: String
        /// When the message ended (Unix time).
        public var receivedAt: Double
        public var seconds: Double
        /// The WAV file (8 kHz mono 16-bit); empty when it could not be written.
        public var file: String
        /// `ok`, `truncated` or `failed`.
        public var status: String
        public var error: String?
        /// The call the routing core dispatched for the message (its own row in `calls`, media
        /// `voicemail`) when an agent took it.
        public var item: String?
        /// The agent who took it, and when (Unix time); nil while it waits for one.
        public var deliveredTo: String?
        public var deliveredAt: Double?

        enum CodingKeys: String, CodingKey {
            case callID = "call_id", caller, queue, receivedAt = "received_at", seconds, file, status, error, item
            case deliveredTo = "delivered_to", deliveredAt = "delivered_at"
        }

        public init(callID: String, caller: String, queue: String, receivedAt: Double, seconds: Double, file: String, status: String, error: String? = nil) {
            self.callID = callID
            self.caller = caller
            self.queue = queue
            self.receivedAt = receivedAt
            self.seconds = seconds
            self.file = file
            self.status = status
            self.error = error
        }
    }

    public func voicemail(of callID: String) throws -> VoicemailRow? {
        try db.read { db in try VoicemailRow.fetchOne(db, key: callID) }
    }

    /// Messages saved and not yet taken by an agent, oldest first (queued again at start).
    public func undeliveredVoicemails() throws -> [VoicemailRow] {
        try db.read { db in
            try VoicemailRow.filter(Column("delivered_to") == nil && Column("status") != "failed" && Column("file") != "" && Column("seconds") > 0)
                .order(Column("received_at")).fetchAll(db)
        }
    }

    /// What the media plane kept for each of these calls: recording, voicemail, menu path.
    public struct CallMedia: Sendable {
        public var recording: RecordingRow?
        public var voicemail: VoicemailRow?
        public var menuPath: String?
    }

    public func media(ofCalls ids: [String]) throws -> [String: CallMedia] {
        guard !ids.isEmpty else { return [:] }
        return try db.read { db in
            var out: [String: CallMedia] = [:]
            for r in try RecordingRow.filter(ids.contains(Column("call_id"))).fetchAll(db) { out[r.callID, default: CallMedia()].recording = r }
            for v in try VoicemailRow.filter(ids.contains(Column("call_id"))).fetchAll(db) { out[v.callID, default: CallMedia()].voicemail = v }
            // A voicemail item's record shows the message it played.
            for v in try VoicemailRow.filter(ids.contains(Column("item"))).fetchAll(db) { if let item = v.item { out[item, default: CallMedia()].voicemail = v } }
            let marks = ids.map { _ in "?" }.joined(separator: ",")
            for row in try GRDB.Row.fetchAll(db, sql: "SELECT call_id, path FROM call_menus WHERE call_id IN (\(marks))", arguments: StatementArguments(ids)) {
                out[row["call_id"], default: CallMedia()].menuPath = row["path"]
            }
            return out
        }
    }

    /// A call's recording row, if it was recorded.
    public func recording(of callID: String) throws -> RecordingRow? {
        try db.read { db in try RecordingRow.fetchOne(db, key: callID) }
    }
}

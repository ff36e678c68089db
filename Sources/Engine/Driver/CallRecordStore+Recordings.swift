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
    }

    /// A call's recording row, if it was recorded.
    public func recording(of callID: String) throws -> RecordingRow? {
        try db.read { db in try RecordingRow.fetchOne(db, key: callID) }
    }
}

import Foundation
import GRDB
import Media

/// What each leg's phone reported in RTCP (RFC 3550 §6.4), kept beside the call's row in
/// `call_quality`, one row per leg (`caller`, `agent`): written when the relay closes the call's
/// ports, after the call's own row; a call whose phones sent no RTCP has none.
extension CallRecordStore {
    public struct QualityRow: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
        public static let databaseTableName = "call_quality"
        public var callID: String
        /// `caller` or `agent`.
        public var leg: String
        /// Report blocks the phone sent.
        public var reports: Int
        /// The last report's fraction lost (0 to 1) of the audio the phone received.
        public var fractionLost: Double?
        /// The last report's cumulative packets lost.
        public var packetsLost: Int?
        /// The highest interarrival jitter reported, milliseconds.
        public var jitterMs: Double?
        /// The last round trip between the relay and the phone, milliseconds.
        public var rttMs: Double?

        enum CodingKeys: String, CodingKey {
            case callID = "call_id", leg, reports, fractionLost = "fraction_lost", packetsLost = "packets_lost"
            case jitterMs = "jitter_ms", rttMs = "rtt_ms"
        }

        public init(callID: String, leg: String, _ q: LegQuality) {
            self.callID = callID
            self.leg = leg
            reports = q.reports
            fractionLost = q.fractionLost
            packetsLost = q.packetsLost
            jitterMs = q.jitterMs
            rttMs = q.rttMs
        }
    }

    static func migrateQuality(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-call-quality") { db in
            try db.create(table: "call_quality") { t in
                t.column("call_id", .text).notNull()
                t.column("leg", .text).notNull()
                t.column("reports", .integer).notNull()
                t.column("fraction_lost", .double)
                t.column("packets_lost", .integer)
                t.column("jitter_ms", .double)
                t.column("rtt_ms", .double)
                t.primaryKey(["call_id", "leg"])
            }
        }
    }

    static func saveQuality(_ db: Database, callID: String, _ q: RTPRelay.CallQuality) throws {
        for (leg, figures) in [("caller", q.caller), ("agent", q.agent)] where figures.reports > 0 {
            try QualityRow(callID: callID, leg: leg, figures).save(db)
        }
    }

    /// The RTCP figures of these calls, by call and leg (`caller`, `agent`).
    public func quality(ofCalls ids: [String]) throws -> [String: [String: QualityRow]] {
        guard !ids.isEmpty else { return [:] }
        return try db.read { db in
            var out: [String: [String: QualityRow]] = [:]
            for row in try QualityRow.filter(ids.contains(Column("call_id"))).fetchAll(db) { out[row.callID, default: [:]][row.leg] = row }
            return out
        }
    }

    /// The RTCP figures of a call, by leg.
    public func quality(of callID: String) throws -> [QualityRow] {
        try db.read { db in try QualityRow.filter(Column("call_id") == callID).order(Column("leg")).fetchAll(db) }
    }
}

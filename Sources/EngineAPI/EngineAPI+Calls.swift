import CallCenter
import Engine
import Foundation
import HTTPTypes
import Hummingbird

/// `/v1/calls`: live calls (an agent sees its own), one call, hang-up, pausing its recording; `/v1/records`: finished
/// calls of a time range as JSON or CSV, a page at a time.
extension EngineAPI {
    static let maxPage = 1_000

    func addCallRoutes(_ router: Router<APIContext>) {
        router.get("/v1/calls") { _, context in
            let caller = try context.identity
            let snap = try await snapshot()
            let calls = caller.role == .agent ? snap.calls.filter { $0.view.agents.contains(caller.agent ?? "") } : snap.calls
            return try json(calls.map { Representation.call($0, now: snap.now, origin: driver.originWall) })
        }
        router.get("/v1/calls/:id") { _, context in
            let caller = try context.identity
            let id = try context.pathParameter("id")
            let snap = try await snapshot()
            guard let call = snap.call(id) else { throw Problem(.notFound, "no live call '\(id)'", field: "id") }
            if caller.role == .agent, !call.view.agents.contains(caller.agent ?? "") {
                throw Problem(.forbidden, "token '\(caller.tokenName)' may read only its agent's calls")
            }
            return try json(Representation.call(call, now: snap.now, origin: driver.originWall))
        }
        router.delete("/v1/calls/:id") { _, context in
            try context.identity.require(.supervisor)
            return try outcome(await driver.control(.hangUp(try context.pathParameter("id"))))
        }
        router.put("/v1/calls/:id/recording") { request, context in
            let caller = try context.identity
            let id = try context.pathParameter("id")
            if caller.role == .agent {
                // An agent pauses its own call's recording (a card number read out), no other.
                guard let call = try await snapshot().call(id), call.view.agents.contains(caller.agent ?? "") else {
                    throw Problem(.forbidden, "token '\(caller.tokenName)' may pause only its agent's call")
                }
            }
            let body = try await JSONRequest.read(request, limit: config.maxBodyBytes, allowed: ["state"])
            let state = try body.requiredString("state")
            guard state == "paused" || state == "recording" else {
                throw Problem(.unprocessableContent, "'state' must be paused or recording, not '\(state)'", field: "state")
            }
            return try outcome(await driver.control(.pauseRecording(id, state == "paused")))
        }
        router.get("/v1/records") { request, context in
            try context.identity.require(.supervisor)
            let q = request.uri.queryParameters
            func number(_ key: String) throws -> Double? {
                guard let text = q.get(key) else { return nil }
                guard let x = Double(text), x.isFinite else { throw Problem(.unprocessableContent, "'\(key)' must be a number (Unix seconds or a count)", field: key) }
                return x
            }
            let from = try number("from") ?? startOfToday
            let to = try number("to") ?? Date().timeIntervalSince1970 + 1
            let limit = Int(try number("limit") ?? 100)
            let offset = Int(try number("offset") ?? 0)
            guard (1...Self.maxPage).contains(limit) else { throw Problem(.unprocessableContent, "'limit' must be 1 to \(Self.maxPage)", field: "limit") }
            guard offset >= 0 else { throw Problem(.unprocessableContent, "'offset' must be 0 or more", field: "offset") }
            guard to > from else { throw Problem(.unprocessableContent, "'to' must be after 'from'", field: "to") }
            let format = q.get("format") ?? "json"
            guard ["json", "csv"].contains(format) else { throw Problem(.unprocessableContent, "'format' must be json or csv", field: "format") }
            let store = driver.store
            let (rows, quality, media) = try await read {
                let rows = try store.records(from: from, to: to, limit: limit + 1, offset: offset)
                let ids = rows.prefix(limit).map(\.row.callID)
                return (rows, try store.quality(ofCalls: ids), try store.media(ofCalls: ids))
            }
            let page = rows.prefix(limit).map { Representation.record($0, rtcp: quality[$0.row.callID], media: media[$0.row.callID]) }
            let next = rows.count > limit ? offset + limit : nil
            if format == "csv" {
                var headers: HTTPFields = [.contentType: "text/csv; charset=utf-8"]
                if let next { headers[HTTPField.Name("Link")!] = "<?from=\(from)&to=\(to)&limit=\(limit)&offset=\(next)&format=csv>; rel=\"next\"" }
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: RecordCSV.text(page))))
            }
            return try json(Representation.Page(items: Array(page), limit: limit, offset: offset, next: next))
        }
    }
}

/// Records as CSV (RFC 4180): a header line, then one line per call; fields with a comma, quote
/// or line break are quoted.
enum RecordCSV {
    static let columns = ["call_id", "queue", "original_queue", "agent", "caller_id", "caller_name", "enqueued_at", "first_ring_at",
                          "answered_at", "ended_at", "disposition", "end_reason", "attempts", "media", "notes", "recording", "voicemail", "menu_path"]

    static func text(_ records: [Representation.Record]) -> String {
        var out = columns.joined(separator: ",") + "\r\n"
        for r in records {
            let fields: [String?] = [r.callId, r.queue, r.originalQueue, r.agent, r.callerId, r.callerName, String(r.enqueuedAt),
                                     r.firstRingAt.map { String($0) }, r.answeredAt.map { String($0) }, String(r.endedAt),
                                     r.disposition, r.endReason, String(r.attempts), r.media, r.notes,
                                     r.recording.map { $0.files.joined(separator: " ") }, r.voicemail?.file, r.menuPath]
            out += fields.map { quote($0 ?? "") }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    static func quote(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

import Foundation
import SIP

/// What a SIPp run received, from its `-trace_msg` file (`-message_file PATH`): each "UDP message
/// received" entry decoded with the project's codec, so a test judges what SIPp's callers were
/// actually told rather than SIPp's own counters.
struct SIPpMessageLog {
    let received: [SIPMessage]

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var messages: [SIPMessage] = []
        for entry in text.components(separatedBy: "\n----------------------------------------------- ") {
            guard let head = entry.range(of: "message received"),
                  let blank = entry.range(of: "\n\n", range: head.upperBound..<entry.endIndex) else { continue }
            // The log keeps each line's CR, or not, depending on the version: rebuild CRLF lines.
            let lines = entry[blank.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
            let wire = lines.joined(separator: "\r\n")
            if let m = try? SIPCodec.decode(Array(wire.utf8)) { messages.append(m) }
        }
        received = messages
    }

    /// Each call's final response to its INVITE (the last one SIPp received), by Call-ID.
    var finalInviteResponses: [String: SIPMessage] {
        var out: [String: SIPMessage] = [:]
        for m in received where (m.status ?? 0) >= 200 && m.cseq.method == "INVITE" { out[m.callID] = m }
        return out
    }
}

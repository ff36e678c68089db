/// Building responses and in-dialog requests (RFC 3261 §8.2.6 and §12.2).
extension SIPMessage {
    /// A response to this request: Via, From, To, Call-ID and CSeq copied (§8.2.6.2);
    /// `toTag` is added to To when the request's To has none.
    public func response(_ status: Int, _ reason: String? = nil, toTag: String? = nil) -> SIPMessage {
        var to = self.to
        if to.tag == nil, let toTag, status != 100 { to.tag = toTag }
        var r = SIPMessage(
            startLine: .response(status: status, reason: reason ?? SIPStatus.reason(status)),
            via: via, from: from, to: to, callID: callID, cseq: cseq)
        // RFC 3261 §12.1.1: a response that creates a dialog (1xx with a To tag, or 2xx) copies Record-Route.
        if status > 100 && status < 300 { r.recordRoute = recordRoute }
        return r
    }
}

public enum SIPStatus {
    public static func reason(_ code: Int) -> String {
        switch code {
        case 100: "Trying"
        case 180: "Ringing"
        case 183: "Session Progress"
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 413: "Request Entity Too Large"
        case 415: "Unsupported Media Type"
        case 420: "Bad Extension"
        case 423: "Interval Too Brief"
        case 480: "Temporarily Unavailable"
        case 481: "Call/Transaction Does Not Exist"
        case 482: "Loop Detected"
        case 483: "Too Many Hops"
        case 486: "Busy Here"
        case 487: "Request Terminated"
        case 488: "Not Acceptable Here"
        case 491: "Request Pending"
        case 500: "Server Internal Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 603: "Decline"
        default: code < 300 ? "OK" : code < 400 ? "Redirect" : code < 500 ? "Client Error" : code < 600 ? "Server Error" : "Global Failure"
        }
    }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small blocking HTTP client for the end-to-end tests of the engine's API (URLSession,
/// bounded by a timeout), and the status, headers and JSON of each answer.
struct HTTPTestClient {
    let base: String
    var token: String?

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: Data
        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func callAsFunction(_ method: String, _ path: String, body: String? = nil, token: String?? = nil) -> Answer {
        var request = URLRequest(url: URL(string: base + path)!, timeoutInterval: 10)
        request.httpMethod = method
        if let t = token ?? self.token { request.setValue("Bearer \(t)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let done = DispatchSemaphore(value: 0)
        let result = Box()
        URLSession.shared.dataTask(with: request) { data, response, _ in
            let http = response as? HTTPURLResponse
            var headers: [String: String] = [:]
            for (k, v) in http?.allHeaderFields ?? [:] { headers[String(describing: k).lowercased()] = String(describing: v) }
            result.answer = Answer(status: http?.statusCode ?? 0, headers: headers, body: data ?? Data())
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 15)
        return result.answer ?? Answer(status: 0, headers: [:], body: Data())
    }

    private final class Box: @unchecked Sendable { var answer: Answer? }

    /// The API port a ccengine wrote in its log (`api=HOST:PORT`, or `"api":"HOST:PORT"` in JSON),
    /// polled for up to 10 s.
    static func apiPort(log path: String) -> Int? {
        for _ in 0..<500 {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if let r = text.range(of: #"api(=|":")127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                return Int(text[r].split(separator: ":").last!)
            }
            usleep(20_000)
        }
        return nil
    }
}

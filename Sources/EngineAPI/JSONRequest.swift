import Foundation
import Hummingbird
import NIOCore

/// A request body read strictly: a JSON object of known members with the right types, at most
/// `APIConfig.maxBodyBytes`. Each refusal names the member and what was expected.
struct JSONRequest {
    /// A JSON value as it was written (JSONDecoder keeps `true` and `1` apart).
    enum Value: Decodable {
        case null, bool(Bool), number(Double), string(String), array([Value]), object([String: Value])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Double.self) { self = .number(n) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([Value].self) { self = .array(a) }
            else { self = .object(try c.decode([String: Value].self)) }
        }

        var isNull: Bool { if case .null = self { true } else { false } }
    }

    private let object: [String: Value]

    static func read(_ request: Request, limit: Int, allowed: Set<String>) async throws -> JSONRequest {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem(.contentTooLarge, "the body is larger than \(limit) bytes (api.max_body_bytes)")
        }
        guard buffer.readableBytes > 0 else { throw Problem(.badRequest, "a JSON object body is required") }
        let parsed: Value
        do {
            parsed = try JSONDecoder().decode(Value.self, from: Data(buffer.readableBytesView))
        } catch {
            throw Problem(.badRequest, "the body is not valid JSON")
        }
        guard case .object(let object) = parsed else { throw Problem(.badRequest, "the body must be a JSON object") }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw Problem(.unprocessableContent, "unknown member '\(unknown)'; expected \(allowed.sorted().joined(separator: ", "))", field: unknown)
        }
        return JSONRequest(object: object)
    }

    func string(_ key: String, maxLength: Int = 200) throws(Problem) -> String? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .string(let s) = v else { throw Problem(.unprocessableContent, "'\(key)' must be a string", field: key) }
        guard s.count <= maxLength else { throw Problem(.unprocessableContent, "'\(key)' is longer than \(maxLength) characters", field: key) }
        return s
    }

    func requiredString(_ key: String, maxLength: Int = 200) throws(Problem) -> String {
        guard let s = try string(key, maxLength: maxLength) else { throw Problem(.unprocessableContent, "'\(key)' is required", field: key) }
        return s
    }

    func int(_ key: String) throws(Problem) -> Int? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .number(let n) = v, let i = Int(exactly: n) else {
            throw Problem(.unprocessableContent, "'\(key)' must be an integer", field: key)
        }
        return i
    }
}

import Testing
@testable import SIP

/// SplitMix64: a seeded generator, so a failing mutation replays exactly.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One random damage to a message: the kinds a lossy network or a hostile peer produce.
private func mutate(_ bytes: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
    var b = bytes
    let lineEnds = b.indices.filter { b[$0] == 0x0A }
    switch Int.random(in: 0..<6, using: &rng) {
    case 0:  // flip one to four bytes to anything, NUL and high bytes included
        for _ in 0..<Int.random(in: 1...4, using: &rng) where !b.isEmpty {
            b[Int.random(in: b.indices, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        }
    case 1:  // truncate
        b.removeLast(Int.random(in: 0...b.count, using: &rng))
    case 2:  // duplicate a line
        guard lineEnds.count > 1 else { break }
        let k = Int.random(in: 1..<lineEnds.count, using: &rng)
        let line = Array(b[(lineEnds[k - 1] + 1)...lineEnds[k]])
        b.insert(contentsOf: line, at: lineEnds[k] + 1)
    case 3:  // delete a line break (joins two lines)
        guard let end = lineEnds.randomElement(using: &rng) else { break }
        b.remove(at: end)
        if end > 0 && b[end - 1] == 0x0D { b.remove(at: end - 1) }
    case 4:  // a huge header value, sometimes past the size limit
        guard let end = lineEnds.first else { break }
        let size = [100, 1_000, 8_000, 20_000].randomElement(using: &rng)!
        b.insert(contentsOf: Array("X-Huge: ".utf8) + Array(repeating: 0x61, count: size) + [0x0D, 0x0A], at: end + 1)
    default:  // repeat a separator character somewhere
        guard !b.isEmpty else { break }
        let c = Array(";,:<>\" \t%\\".utf8).randomElement(using: &rng)!
        b.insert(contentsOf: Array(repeating: c, count: Int.random(in: 1...3, using: &rng)), at: Int.random(in: b.indices, using: &rng))
    }
    return b
}

@Test func randomlyDamagedTortureMessagesNeverTrapTheCodec() {
    var rng = SeededGenerator(state: 4475)
    let seeds = Torture.accepted.map(\.bytes)
    var decoded = 0, refused = 0
    for _ in 0..<5_000 {
        var b = seeds.randomElement(using: &rng)!
        for _ in 0..<Int.random(in: 1...3, using: &rng) { b = mutate(b, &rng) }
        if let m = try? SIPCodec.decode(b) {
            decoded += 1
            // Whatever decodes must encode (no precondition trips) and read back the same.
            let back = Result { () throws(SIPParseError) in try SIPCodec.decode(SIPCodec.encode(m)) }
            #expect(back == .success(m), "mutant: \(String(decoding: b.prefix(400), as: UTF8.self).debugDescription)")
        } else {
            refused += 1
        }
        if let r = SIPCodec.errorResponse(for: b, status: 400, reason: "Bad Request") {
            #expect((try? SIPCodec.decode(r.bytes))?.status == 400)
        }
    }
    // Both outcomes must occur, or the mutations are not exercising the parser.
    #expect(decoded > 500 && refused > 500, "decoded \(decoded), refused \(refused)")
}

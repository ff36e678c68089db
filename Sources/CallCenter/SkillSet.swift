/// A set of interned skills as a bitset: bit `i` is the skill with index `i` in the
/// `SkillTable`. Subset tests are a handful of word ANDs, which is what makes routing at
/// 10,000 agents and 200 skills cheap (see the comment at the top of `Dispatcher.swift`).
///
/// Trailing zero words are always trimmed, so equal sets have equal storage and hash alike;
/// the set grows when a new skill (say `_brand:<client>` for a client first seen at run time)
/// is interned.
struct SkillSet: Hashable, Sendable {
    private(set) var words: [UInt64] = []

    init() {}

    init(_ bits: some Sequence<Int>) {
        for bit in bits { insert(bit) }
    }

    var isEmpty: Bool { words.isEmpty }

    var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    func contains(_ bit: Int) -> Bool {
        let word = bit >> 6
        return word < words.count && words[word] & (1 << UInt64(bit & 63)) != 0
    }

    mutating func insert(_ bit: Int) {
        let word = bit >> 6
        if word >= words.count {
            words.append(contentsOf: repeatElement(0, count: word - words.count + 1))
        }
        words[word] |= 1 << UInt64(bit & 63)
    }

    mutating func remove(_ bit: Int) {
        let word = bit >> 6
        guard word < words.count else { return }
        words[word] &= ~(1 << UInt64(bit & 63))
        trim()
    }

    mutating func formUnion(_ other: SkillSet) {
        if other.words.count > words.count {
            words.append(contentsOf: repeatElement(0, count: other.words.count - words.count))
        }
        for i in other.words.indices { words[i] |= other.words[i] }
    }

    mutating func subtract(_ other: SkillSet) {
        for i in 0..<min(words.count, other.words.count) { words[i] &= ~other.words[i] }
        trim()
    }

    /// True when every skill in `self` is also in `other`.
    func isSubset(of other: SkillSet) -> Bool {
        if words.count > other.words.count { return false }
        for i in words.indices where words[i] & ~other.words[i] != 0 { return false }
        return true
    }

    /// The indices of the skills in the set, ascending.
    var members: [Int] {
        var result: [Int] = []
        for (w, word) in words.enumerated() {
            var rest = word
            while rest != 0 {
                let bit = rest.trailingZeroBitCount
                result.append(w << 6 | bit)
                rest &= rest - 1
            }
        }
        return result
    }

    private mutating func trim() {
        while let last = words.last, last == 0 { words.removeLast() }
    }
}

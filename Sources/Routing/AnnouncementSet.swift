/// The (prefix, origin ASN) pairs already counted, for counting each announcement once: an
/// open-addressing table of three words per pair, hashed by multiplication. It replaced a
/// `Set` of pairs, whose 48-byte entries and SipHash made it a fifth of `measure`'s time on a
/// full table (docs/reliability.md).
struct AnnouncementSet {
    /// Three words per slot: the prefix's bits, high and low, then a word holding a marker bit,
    /// the family, the length and the origin; a slot whose third word is zero is empty.
    private var words: [UInt64]
    /// Slots minus one; the slot count is a power of two.
    private var mask: Int
    private(set) var count = 0

    /// Pairs held before the table doubles: five eighths of the slots, where linear probing
    /// still finds a pair or a free slot in a few steps.
    private static func capacity(slots: Int) -> Int { slots / 8 * 5 }

    init(minimumCapacity: Int = 0) {
        var slots = 16
        while Self.capacity(slots: slots) < minimumCapacity { slots <<= 1 }
        mask = slots - 1
        words = .filled(hugePages: 3 * slots, with: 0)
    }

    /// Adds the pair; false when it was already there.
    mutating func insert(_ prefix: IPPrefix, origin: ASN) -> Bool {
        let high = UInt64(truncatingIfNeeded: prefix.bits >> 64)
        let low = UInt64(truncatingIfNeeded: prefix.bits)
        let tag = 1 << 63 | UInt64(prefix.family.rawValue) << 40 | UInt64(prefix.length) << 32 | UInt64(origin)
        if count == Self.capacity(slots: mask + 1) { grow() }
        var slot = Self.slot(high, low, tag, mask: mask)
        while true {
            let base = 3 * slot
            let present = words[base + 2]
            if present == 0 {
                words[base] = high
                words[base + 1] = low
                words[base + 2] = tag
                count += 1
                return true
            }
            if present == tag && words[base] == high && words[base + 1] == low { return false }
            slot = (slot + 1) & mask
        }
    }

    private static func slot(_ high: UInt64, _ low: UInt64, _ tag: UInt64, mask: Int) -> Int {
        var hash = high &* 0x9E37_79B9_7F4A_7C15 ^ low &* 0xC2B2_AE3D_27D4_EB4F ^ tag &* 0x1656_67B1_9E37_79F9
        hash ^= hash >> 32
        return Int(truncatingIfNeeded: hash) & mask
    }

    private mutating func grow() {
        let old = words
        let slots = 2 * (mask + 1)
        mask = slots - 1
        words = .filled(hugePages: 3 * slots, with: 0)
        for base in stride(from: 0, to: old.count, by: 3) where old[base + 2] != 0 {
            var slot = Self.slot(old[base], old[base + 1], old[base + 2], mask: mask)
            while words[3 * slot + 2] != 0 { slot = (slot + 1) & mask }
            words[3 * slot] = old[base]
            words[3 * slot + 1] = old[base + 1]
            words[3 * slot + 2] = old[base + 2]
        }
    }
}

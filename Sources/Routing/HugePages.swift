#if canImport(Glibc)
    import Glibc
#endif

extension Array {
    /// An empty array with room for `capacity` elements, whose memory the kernel is asked to
    /// back with 2 MiB pages (`MADV_HUGEPAGE`) before anything touches it. For the arrays of
    /// tens of megabytes a full table fills: one page fault per 2 MiB instead of per 4 KiB (the
    /// kernel's share of `validate` went from about a quarter of its time, see
    /// docs/reliability.md). Smaller arrays, and systems that do not do this, get a plain array.
    public static func reserving(hugePages capacity: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
            initialized = 0
        }
    }

    /// `count` copies of `value`, in memory advised as for `reserving(hugePages:)`.
    public static func filled(hugePages count: Int, with value: Element) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
            buffer.initialize(repeating: value)
            initialized = count
        }
    }
}

/// Advises the 2 MiB-aligned part of `region` for huge pages; nothing below 4 MiB.
func adviseHugePages(_ region: UnsafeMutableRawBufferPointer) {
    #if os(Linux)
        let huge = 2 << 20
        guard let base = region.baseAddress, region.count >= 2 * huge else { return }
        let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
        let end = (Int(bitPattern: base) + region.count) & ~(huge - 1)
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, MADV_HUGEPAGE)
    #endif
}

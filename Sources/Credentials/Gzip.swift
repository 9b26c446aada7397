import CDeflate

/// Whole-buffer GZIP (RFC 1952) with libdeflate, for status lists: small, held in memory.
enum Gzip {
    /// `bytes` compressed at libdeflate's level 9.
    static func compress(_ bytes: [UInt8]) -> [UInt8] {
        guard let compressor = libdeflate_alloc_compressor(9) else { fatalError("libdeflate could not allocate a compressor") }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_gzip_compress_bound(compressor, bytes.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { output in
                libdeflate_gzip_compress(compressor, input.baseAddress, input.count, output.baseAddress, output.count)
            }
        }
        precondition(written > 0, "the gzip bound was too small")
        output.removeLast(output.count - written)
        return output
    }

    /// The content of one gzip member of at most `limit` bytes, or nil when it is not gzip,
    /// is corrupt, or would be bigger (a status list has no reason to be).
    static func decompress(_ bytes: [UInt8], limit: Int) -> [UInt8]? {
        guard bytes.count >= 18 else { return nil }
        let n = bytes.count
        // The trailer holds the size modulo 2^32.
        let size = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
        guard size <= limit, let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        var output = [UInt8](repeating: 0, count: max(size, 1))
        var produced = 0
        let result = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { output in
                libdeflate_gzip_decompress(decompressor, input.baseAddress, input.count, output.baseAddress, output.count, &produced)
            }
        }
        guard result == LIBDEFLATE_SUCCESS, produced == size else { return nil }
        output.removeLast(output.count - produced)
        return output
    }
}

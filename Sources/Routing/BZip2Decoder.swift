import CBZip2

#if canImport(Glibc)
    import Glibc
#endif

/// Decompresses a bzip2 file with libbz2's streaming API (`BZ2_bzDecompress`), every stream of
/// a concatenated file in turn, delivering each byte as soon as it is decoded.
///
/// `BZ2_bzRead` is not used: on the call that meets the end of a file cut short it reports
/// `BZ_UNEXPECTED_EOF` and returns nothing, dropping the blocks it had already decoded into the
/// caller's buffer (11,118 RIB entries of a 1 MiB RouteViews sample).
final class BZip2Decoder {
    enum Status: Equatable {
        /// More may follow.
        case more
        /// The last stream ended properly.
        case end
        /// The file ended inside a stream: everything up to the last whole block was delivered.
        case truncated
        /// libbz2's error code; what came before the bad block was delivered.
        case corrupt(Int32)
    }

    private let file: UnsafeMutablePointer<FILE>
    // libbz2 keeps a pointer back to the stream in its state and checks it on every call, so the
    // stream lives at a fixed address.
    private let stream: UnsafeMutablePointer<bz_stream>
    private let input: UnsafeMutablePointer<CChar>
    private let inputCapacity = 1 << 16
    private var inputEnded = false
    /// Whether `stream` is initialised: it is not before the first stream nor between two streams.
    private var decoding = false
    private var streams = 0
    private var status = Status.more

    /// Takes ownership of `file` (closed on deinit), positioned at the first stream's `BZh`.
    init(file: UnsafeMutablePointer<FILE>) {
        self.file = file
        stream = .allocate(capacity: 1)
        stream.initialize(to: bz_stream())
        input = .allocate(capacity: inputCapacity)
    }

    deinit {
        if decoding { BZ2_bzDecompressEnd(stream) }
        stream.deallocate()
        input.deallocate()
        fclose(file)
    }

    private func begin() -> Bool {
        stream.pointee = bz_stream()
        stream.pointee.next_in = input
        stream.pointee.avail_in = 0
        guard BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK else { return false }
        decoding = true
        streams += 1
        return true
    }

    /// Decodes up to `capacity` bytes into `target`. Returns how many, and whether more may follow;
    /// fewer than `capacity` only at the end of the data.
    func read(into target: UnsafeMutableRawPointer, capacity: Int) -> (count: Int, status: Status) {
        guard status == .more else { return (0, status) }
        let output = target.assumingMemoryBound(to: CChar.self)
        var produced = 0
        while produced < capacity {
            if stream.pointee.avail_in == 0 && !inputEnded {
                let count = fread(input, 1, inputCapacity, file)
                if count == 0 {
                    inputEnded = true
                    if ferror(file) != 0 {
                        status = .corrupt(BZ_IO_ERROR)
                        break
                    }
                }
                stream.pointee.next_in = input
                stream.pointee.avail_in = UInt32(count)
            }
            if !decoding {
                // The previous stream ended: another follows unless the file does.
                if stream.pointee.avail_in == 0 && inputEnded {
                    status = streams > 0 ? .end : .truncated
                    break
                }
                // Keep the unread input across the re-initialisation.
                let (pending, count) = (stream.pointee.next_in, stream.pointee.avail_in)
                guard begin() else {
                    status = .corrupt(BZ_MEM_ERROR)
                    break
                }
                stream.pointee.next_in = pending
                stream.pointee.avail_in = count
            }
            let room = UInt32(min(capacity - produced, Int(UInt32.max)))
            stream.pointee.next_out = output + produced
            stream.pointee.avail_out = room
            let result = BZ2_bzDecompress(stream)
            let decoded = Int(room - stream.pointee.avail_out)
            produced += decoded
            switch result {
            case BZ_OK:
                // No input left and nothing more to decode from what was read: the file was cut.
                if decoded == 0 && stream.pointee.avail_in == 0 && inputEnded {
                    status = .truncated
                }
            case BZ_STREAM_END:
                BZ2_bzDecompressEnd(stream)
                decoding = false
            case BZ_DATA_ERROR_MAGIC where streams > 1 && decoded == 0:
                // Bytes after a complete stream that do not start another: ignored, as `bzip2 -d` does.
                status = .end
            default:
                status = .corrupt(result)
            }
            if status != .more { break }
        }
        // An error comes with the next call, after the bytes decoded before it.
        if case .corrupt = status, produced > 0 { return (produced, .more) }
        return (produced, status)
    }
}

import Foundation

/// `manrs-plus measure`'s CSV: one row per ASN, composed as bytes in a buffer and appended with
/// one copy. Composing each row from `String`s and `String(format:)` took a third of a full
/// table's run when measured, and appending field by field a tenth.
public enum MetricsCSV {
    public static let header =
        "asn,announcements,rpki_valid,rpki_invalid,rpki_not_found,rpki_invalid_origin,rpki_invalid_length,rpki_score,"
        + "irr_exact,irr_covering,irr_none,irr_coverage,irr_rpki_conflicts,bogon_prefixes_originated,too_specific_originated,"
        + "bogon_prefixes_propagated,bogon_asns_originated,bogon_asns_propagated,rov_invalid_carried,peeringdb_noc,peeringdb_abuse,"
        + "spoofer_prefixes_tested,spoofable_prefixes,spoofer_last_test,spoofer_test_age_days\n"

    /// Appends `row` and a newline; `irrGiven` says whether route objects were read, without
    /// which `irr_coverage` is empty rather than a share of nothing.
    public static func append(_ row: ASNMetrics, irrGiven: Bool, to output: inout [UInt8]) {
        // 23 fields of at most 24 bytes each (the ISO 8601 time included) and two shares of at
        // most 320 (C's "%.4f" of the largest double).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2048) { buffer in
            var line = LineWriter(at: buffer.baseAddress!)
            line.integer(Int(row.asn))
            for count in [row.announcements, row.rpkiValid, row.rpkiInvalid, row.rpkiNotFound, row.rpkiInvalidOrigin, row.rpkiInvalidLength] {
                line.comma()
                line.integer(count)
            }
            line.comma()
            line.fixed4(row.rpkiScore)
            for count in [row.irrExact, row.irrCovering, row.irrNone] {
                line.comma()
                line.integer(count)
            }
            line.comma()
            line.fixed4(irrGiven ? row.irrCoverage : nil)
            for count in [
                row.irrRPKIConflicts, row.bogonPrefixesOriginated, row.tooSpecificOriginated, row.bogonPrefixesPropagated,
                row.bogonASNsOriginated, row.bogonASNsPropagated, row.rovInvalidCarried,
            ] {
                line.comma()
                line.integer(count)
            }
            for flag in [row.nocContact, row.abuseContact] {
                line.comma()
                if let flag { line.text(flag ? "yes" : "no") }
            }
            for count in [row.spooferPrefixesTested, row.spoofablePrefixes] {
                line.comma()
                if let count { line.integer(count) }
            }
            line.comma()
            if let latest = row.spooferLatestTest { line.text(latest.formatted(.iso8601)) }
            line.comma()
            if let age = row.spooferTestAgeDays { line.integer(age) }
            line.byte(UInt8(ascii: "\n"))
            output.append(contentsOf: UnsafeBufferPointer(start: buffer.baseAddress, count: line.at - buffer.baseAddress!))
        }
    }
}

/// Writes a line's fields through a pointer into a buffer large enough for the line.
struct LineWriter {
    var at: UnsafeMutablePointer<UInt8>

    mutating func byte(_ byte: UInt8) {
        at.pointee = byte
        at += 1
    }

    mutating func comma() { byte(UInt8(ascii: ",")) }

    mutating func text(_ text: String) {
        for byte in text.utf8 { self.byte(byte) }
    }

    mutating func integer(_ value: Int) {
        if value < 0 { byte(UInt8(ascii: "-")) }
        unsigned(UInt64(value.magnitude), digits: 1)
    }

    /// `value` in decimal, zero-padded to at least `digits` digits.
    mutating func unsigned(_ value: UInt64, digits: Int) {
        at += writeDecimal(value, to: at, minimumDigits: digits)
    }

    /// `value` as C's `%.4f` writes it, or nothing for nil. C rounds the exact binary value; the
    /// product by 10,000 is within 1e-11 of it, so it rounds the same way unless it lies within
    /// 1e-6 of a half, which is left to C.
    mutating func fixed4(_ value: Double?) {
        guard let value else { return }
        let scaled = value.magnitude * 10_000
        let whole = scaled.rounded(.down)
        let fraction = scaled - whole
        guard value.isFinite, scaled < 1e15, (fraction - 0.5).magnitude > 1e-6 else {
            let written = withVaList([value]) { vsnprintf(UnsafeMutableRawPointer(at).assumingMemoryBound(to: CChar.self), 400, "%.4f", $0) }
            at += Int(min(max(written, 0), 399))
            return
        }
        let units = UInt64(whole) + (fraction > 0.5 ? 1 : 0)
        if value.sign == .minus { byte(UInt8(ascii: "-")) }
        unsigned(units / 10_000, digits: 1)
        byte(UInt8(ascii: "."))
        unsigned(units % 10_000, digits: 4)
    }
}

/// A SQL statement whose interpolated values become bound parameters.
///
/// ```swift
/// let rows = try await db.query("SELECT name FROM participants WHERE id = \(id)")
/// // sends "SELECT name FROM participants WHERE id = $1" with `id` bound as $1
/// ```
///
/// Text that must be spliced into the statement itself (an identifier chosen by code, a
/// fragment built elsewhere) has to say so: `\(unsafeRaw: "ORDER BY name")`. Reviewers look for
/// that spelling; values never take it.
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The statement text with `$1`, `$2`, … in place of the values.
    public private(set) var text: String
    /// The bound values, in the order of their placeholders.
    public private(set) var binds: [PostgresBind]

    public init(unsafeSQL text: String, binds: [PostgresBind] = []) {
        self.text = text
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.text = value
        self.binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.text = stringInterpolation.text
        self.binds = stringInterpolation.binds
    }

    /// The statement text only: values are never part of a description, so logging one is safe.
    public var description: String { text }

    /// Appends another statement, renumbering its placeholders after this one's.
    public mutating func append(_ other: SQL) {
        var interpolation = StringInterpolation(literalCapacity: other.text.count, interpolationCount: other.binds.count)
        interpolation.text = text
        interpolation.binds = binds
        interpolation.appendInterpolation(other)
        text = interpolation.text
        binds = interpolation.binds
    }

    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        var result = lhs
        result.append(rhs)
        return result
    }

    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var text: String
        var binds: [PostgresBind]

        public init(literalCapacity: Int, interpolationCount: Int) {
            text = ""
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds = []
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        /// A value, sent as the next `$n` parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            binds.append(PostgresBind(value))
            text += "$\(binds.count)"
        }

        /// An optional value: nil is sent as NULL.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            binds.append(PostgresBind(value))
            text += "$\(binds.count)"
        }

        /// A value encoded as JSON and sent as a `jsonb` parameter.
        public mutating func appendInterpolation<Value: Encodable & Sendable>(jsonb value: Value) {
            appendInterpolation(JSONB(value))
        }

        /// A nested statement: its text is spliced in and its binds renumbered.
        public mutating func appendInterpolation(_ fragment: SQL) {
            guard !fragment.binds.isEmpty else {
                text += fragment.text
                return
            }
            let offset = binds.count
            binds.append(contentsOf: fragment.binds)
            text += Self.renumber(fragment.text, by: offset)
        }

        /// Raw text spliced into the statement. Never pass a value that came from a user.
        public mutating func appendInterpolation(unsafeRaw raw: String) {
            text += raw
        }

        /// An identifier (table, column, channel), quoted so that any name is safe.
        public mutating func appendInterpolation(identifier name: String) {
            text += "\""
            for character in name {
                text += character == "\"" ? "\"\"" : String(character)
            }
            text += "\""
        }

        /// Shifts `$n` placeholders by `offset`, leaving quoted text and dollar-quoted bodies alone
        /// only in the simple sense needed for fragments built by this type.
        static func renumber(_ text: String, by offset: Int) -> String {
            var result = ""
            result.reserveCapacity(text.utf8.count + 8)
            var iterator = text.unicodeScalars.makeIterator()
            var pending: Unicode.Scalar? = iterator.next()
            var inQuote = false
            while let scalar = pending {
                pending = iterator.next()
                if scalar == "'" { inQuote.toggle() }
                guard scalar == "$", !inQuote, let first = pending, ("0"..."9").contains(first) else {
                    result.unicodeScalars.append(scalar)
                    continue
                }
                var digits = ""
                while let digit = pending, ("0"..."9").contains(digit) {
                    digits.unicodeScalars.append(digit)
                    pending = iterator.next()
                }
                result += "$\(Int(digits)! + offset)"
            }
            return result
        }
    }
}

/// One bound parameter: the value, encoded to PostgreSQL's text format when the statement runs.
public struct PostgresBind: Sendable {
    public let value: any PostgresEncodable

    public init(_ value: some PostgresEncodable) {
        self.value = value
    }

    /// The parameter's type OID; `.unspecified` lets the server infer it.
    public var type: PostgresType { Swift.type(of: value).postgresType }
}

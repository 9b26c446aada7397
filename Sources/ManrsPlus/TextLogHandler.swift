import Logging

/// The text log lines (`LOG_FORMAT=text`): swift-log's `StreamLogHandler` on stderr, with the same
/// output, but metadata set on the logger is only formatted when a line is written.
/// `StreamLogHandler` formats its metadata again on every change, and every request sets its id
/// (ours and Hummingbird's): that cost every request, though at `warning` almost none logs.
struct TextLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level) {
        stream = StreamLogHandler.standardError(label: label)
        stream.logLevel = level
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = stream
        line.metadata = metadata
        line.log(event: event)
    }
}

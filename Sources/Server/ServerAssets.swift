import Foundation
import Mustache

/// Files the server reads once at start, so a missing one fails the boot rather than a request.
public struct ServerAssets: Sendable {
    /// `docs/openapi.json`, served as is.
    public let openAPIDocument: Data
    /// `templates/*.mustache`.
    public let templates: MustacheLibrary

    public init(openAPIDocument: Data, templates: MustacheLibrary) {
        self.openAPIDocument = openAPIDocument
        self.templates = templates
    }

    /// Reads the assets under `root` (the repository, or wherever `docs/` and `templates/` are installed).
    public static func load(root: String) async throws -> ServerAssets {
        let documentPath = root + "/docs/openapi.json"
        guard let document = FileManager.default.contents(atPath: documentPath) else {
            throw AssetError(description: "cannot read \(documentPath)")
        }
        // The document must be JSON: a broken edit fails here, not in a client.
        _ = try JSONSerialization.jsonObject(with: document)
        let templates = try await MustacheLibrary(directory: root + "/templates")
        for name in Pages.names where templates.getTemplate(named: name) == nil {
            throw AssetError(description: "template \(name).mustache is missing from \(root)/templates")
        }
        return ServerAssets(openAPIDocument: document, templates: templates)
    }
}

public struct AssetError: Error, CustomStringConvertible {
    public let description: String
}

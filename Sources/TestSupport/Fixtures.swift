import Foundation

/// Where the project and its shared test data are, for the test targets.
public enum Fixtures {
    /// The repository root (the folder holding Package.swift).
    public static let projectRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// libvirt 9.0's own test data, beside the project (../shared/fixtures).
    public static let libvirt: URL = projectRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/fixtures/libvirt-9.0")

    /// The `.xml` files of a fixture folder, sorted by name.
    public static func xmlFiles(_ folder: String) throws -> [URL] {
        let dir = libvirt.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "xml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}

import Foundation

/// Executables of this package, as `swift build` left them next to the
/// test bundle (`make test` builds everything before testing).
public enum BuiltProduct {
    /// The path of an executable product, or `nil` when it is not built.
    public static func path(_ name: String) -> String? {
        var dirs: [URL] = []
        if let exe = Bundle.main.executableURL { dirs.append(exe.deletingLastPathComponent()) }
        dirs.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        dirs.append(URL(fileURLWithPath: Bundle.main.bundlePath).deletingLastPathComponent())
        for dir in dirs {
            var d = dir
            // From inside an .xctest bundle, climb to the build directory.
            for _ in 0..<4 {
                let candidate = d.appendingPathComponent(name).path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                d.deleteLastPathComponent()
            }
        }
        return nil
    }
}

import Foundation
import libvirt_abi

/// The driver's `qemu.conf` (`DIR/etc/qemu.conf` for an embedded root,
/// `/etc/local-migration/qemu.conf` for `qemu:///system`): `key = value`
/// lines, `#` comments, string values in double quotes, as libvirt's
/// virConf reads them. Keys this driver does not use are ignored, as
/// libvirt ignores them.
///
/// libvirt: `virQEMUDriverConfigLoadFile` (src/qemu/qemu_conf.c).
public struct QemuConf: Sendable, Equatable {
    public let path: String
    public let settings: [String: String]

    public init(path: String, text: String) {
        self.path = path
        var settings: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            var value = parts[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            settings[key] = value
        }
        self.settings = settings
    }

    /// The file at `path`; an absent file has no settings (libvirt's
    /// defaults apply).
    public static func read(_ path: String) throws(VirError) -> QemuConf {
        guard FileManager.default.fileExists(atPath: path) else { return QemuConf(path: path, text: "") }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw VirError.conf(.confSyntax, "cannot read \(path)")
        }
        return QemuConf(path: path, text: text)
    }

    public subscript(_ key: String) -> String? { settings[key] }

    /// A setting that must be one of `allowed`.
    public func choice(_ key: String, _ allowed: [String]) throws(VirError) -> String? {
        guard let v = settings[key] else { return nil }
        guard allowed.contains(v) else {
            throw VirError.conf(.confSyntax, "\(path): \(key) must be one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")), not \"\(v)\"")
        }
        return v
    }
}

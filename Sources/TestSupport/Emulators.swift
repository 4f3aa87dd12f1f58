import Foundation
import Glibc

/// The two QEMUs of this machine: Debian 12's 7.2 and 10.0 from
/// bookworm-backports (installed by scripts/setup-qemu-10.0.sh).
public enum Emulators {
    public static let qemu72 = "/usr/bin/qemu-system-x86_64"
    /// A wrapper that runs the unpacked 10.0 binary with its own data and
    /// module directories.
    public static let qemu100 = "/opt/qemu-10.0/bin/qemu-system-x86_64"

    /// The first line of a fake emulator's shell script (after `#!/bin/sh`):
    /// the driver's capability probe (`-machine none`) is answered by 7.2,
    /// so that the fake gets as far as being started for a guest.
    public static let answerProbesWithQemu72 =
        #"case " $* " in *" -machine none "*) exec /usr/bin/qemu-system-x86_64 "$@";; esac"#

    /// A place for an emulator binary that a test can replace, as apt
    /// replaces /usr/bin/qemu-system-x86_64: `DIR/usr/bin/qemu-system-x86_64`
    /// beside `DIR/usr/lib` and `DIR/usr/share` linked to the system's.
    /// (Debian's 7.2 finds its modules and firmware relative to its own
    /// location, so a copy needs them beside it.)
    public static func replaceablePath(in dir: String) throws -> String {
        let usr = dir + "/usr"
        try FileManager.default.createDirectory(atPath: usr + "/bin", withIntermediateDirectories: true)
        for sub in ["lib", "share"] where !FileManager.default.fileExists(atPath: "\(usr)/\(sub)") {
            try FileManager.default.createSymbolicLink(atPath: "\(usr)/\(sub)", withDestinationPath: "/usr/\(sub)")
        }
        return usr + "/bin/qemu-system-x86_64"
    }

    /// Puts a copy of `source` at `path` the way dpkg installs a package's
    /// file: written beside it, then renamed over it (a new inode; a QEMU
    /// running the old file keeps running it).
    public static func install(_ source: String, at path: String) throws {
        let tmp = path + ".dpkg-new"
        if FileManager.default.fileExists(atPath: tmp) { try FileManager.default.removeItem(atPath: tmp) }
        try FileManager.default.copyItem(atPath: source, toPath: tmp)
        guard chmod(tmp, 0o755) == 0, rename(tmp, path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}

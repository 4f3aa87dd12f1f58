import Glibc

/// `errno` and its text.
enum SystemErrno {
    static var current: Int32 { errno }

    /// libvirt: `g_strerror`.
    static func describe(_ err: Int32) -> String {
        guard let s = strerror(err) else { return "errno \(err)" }
        return String(cString: s)
    }
}

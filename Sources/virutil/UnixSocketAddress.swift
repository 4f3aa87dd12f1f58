import Glibc

/// A UNIX socket address, built in one place with the one limit every
/// socket path of the project obeys: `sun_path` holds 108 bytes with the
/// terminating NUL, so a path has at most 107. Callers check the path and
/// fail with their own message (libvirt's differ by caller); nothing is
/// ever truncated.
///
/// libvirt: the `sizeof(addr.sun_path)` checks of `virNetSocketNewConnectUNIX`
/// and `qemuMonitorOpenUnix`.
public struct UnixSocketAddress {
    /// The longest path a UNIX socket can have, in bytes.
    public static let maxPathLength = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    public private(set) var storage = sockaddr_un()

    /// `nil` when `path` is empty, too long or holds a NUL byte.
    public init?(path: String) {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maxPathLength, !bytes.contains(0) else { return nil }
        storage.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
    }

    /// Calls `body` with the address as a `sockaddr` and its length, for
    /// `connect` and `bind`.
    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        var addr = storage
        return try withUnsafePointer(to: &addr) { ptr in
            try ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}

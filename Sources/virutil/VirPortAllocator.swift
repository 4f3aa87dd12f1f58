import CGlibc
import Glibc
import Synchronization
import libvirt_abi

/// TCP ports for what QEMU listens on (VNC and SPICE displays): the first
/// port of a range that nobody listens on and that this process has not
/// handed out yet. A port is held from `acquire` until `release`, so that
/// two instances started at once (the two ends of a local migration
/// among them) never get the same one.
///
/// libvirt: `virPortAllocatorRange`, `virPortAllocatorAcquire`,
/// `virPortAllocatorRelease` (src/util/virportallocator.c), which also
/// binds each candidate to find it free.
public final class VirPortAllocator: Sendable {
    public let name: String
    public let range: ClosedRange<Int>
    private let taken = Mutex<Set<Int>>([])

    /// libvirt's `remote_display_port_min`/`_max` in qemu.conf.
    public static let display = VirPortAllocator(name: "display", range: 5900...65535)

    public init(name: String, range: ClosedRange<Int>) {
        self.name = name
        self.range = range
    }

    /// A free port, now held by the caller.
    public func acquire(address: String = "127.0.0.1") throws(VirError) -> Int {
        let port: Int? = taken.withLock { taken in
            for p in range where !taken.contains(p) && Self.isFree(p, address: address) {
                taken.insert(p)
                return p
            }
            return nil
        }
        guard let port else {
            throw VirError(.internalError, "Unable to find an unused port in range '\(name)' (\(range.lowerBound)-\(range.upperBound))")
        }
        return port
    }

    public func release(_ port: Int) {
        _ = taken.withLock { $0.remove(port) }
    }

    /// Nothing listens on the port: binding it (without SO_REUSEADDR)
    /// succeeds.
    static func isFree(_ port: Int, address: String) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(port).bigEndian)
        // An address that is not IPv4 (a host name, IPv6): the wildcard.
        if inet_pton(AF_INET, address, &sin.sin_addr) != 1 { sin.sin_addr.s_addr = INADDR_ANY }
        return withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

import CLibvirt

/// A console session through libvirt's client library: a non-blocking
/// `virStreamPtr` that `virDomainOpenConsole` connected.
final class LibvirtConsoleStream: VirshConsoleStream, @unchecked Sendable {
    private let st: OpaquePointer

    init(_ st: OpaquePointer) { self.st = st }

    func receive() throws(VirshError) -> [UInt8]? {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBufferPointer { b in
            b.baseAddress.map { p in p.withMemoryRebound(to: CChar.self, capacity: b.count) { api.virStreamRecv(st, $0, b.count) } } ?? -1
        }
        switch n {
        case -2: return []
        case 0: return nil
        case ..<0: throw LibvirtLibrary.lastError()
        default: return Array(buf[0..<Int(n)])
        }
    }

    func send(_ bytes: [UInt8]) throws(VirshError) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBufferPointer { b in
                b.baseAddress.map { p in p.withMemoryRebound(to: CChar.self, capacity: b.count) { api.virStreamSend(st, $0, b.count) } } ?? -1
            }
            if n == -2 { continue }
            guard n > 0 else { throw LibvirtLibrary.lastError() }
            off += Int(n)
        }
    }

    /// libvirt: `virStreamFinish`, then `virStreamFree` (virsh's graceful
    /// shutdown of a console).
    func finish() throws(VirshError) {
        defer { _ = api.virStreamFree(st) }
        guard api.virStreamFinish(st) == 0 else {
            api.virResetLastError()
            throw VirshError(code: .internalError, message: "internal error: cannot terminate console stream")
        }
    }
}

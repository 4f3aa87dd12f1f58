import Foundation
import Glibc
import domain_conf
import libvirt_abi

/// A saved domain: libvirt's save image layout (a 96-byte header, the
/// domain XML with its NUL, then QEMU's migration stream), so that the
/// file is what `virsh save` writes. The magic says "partial" until the
/// stream is complete.
///
/// libvirt: `virQEMUSaveHeader`, `virQEMUSaveDataWrite`,
/// `qemuSaveImageOpen` (src/qemu/qemu_saveimage.c).
struct QemuSaveImage {
    static let magic = Array("LibvirtQemudSave".utf8)
    static let partialMagic = Array("LibvirtQemudPart".utf8)
    static let version: UInt32 = 2
    static let headerSize = 16 + 4 * 20

    var xml: String
    var wasRunning: Bool

    /// The header and the XML, to be followed by the stream.
    func prefix(partial: Bool) -> [UInt8] {
        var bytes = partial ? Self.partialMagic : Self.magic
        let data = Array(xml.utf8) + [0]
        for v in [Self.version, UInt32(data.count), wasRunning ? 1 : 0, 0, 0] + [UInt32](repeating: 0, count: 15) {
            withUnsafeBytes(of: v.littleEndian) { bytes += $0 }
        }
        return bytes + data
    }

    /// Reads the header and the XML from `fd`, leaving it at the stream.
    static func read(_ fd: Int32, path: String) throws(VirError) -> QemuSaveImage {
        var header = [UInt8](repeating: 0, count: headerSize)
        guard readFully(fd, &header) else {
            throw VirError(.operationFailed, "failed to read qemu header")
        }
        let m = Array(header[0..<16])
        if m == partialMagic {
            throw VirError(.operationFailed, "save image is incomplete")
        }
        guard m == magic else { throw VirError(.operationFailed, "image magic is incorrect") }
        func word(_ i: Int) -> UInt32 {
            header[16 + 4 * i..<20 + 4 * i].reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }
        guard word(0) <= version else {
            throw VirError(.operationFailed, "image version is not supported (\(word(0)) > \(version))")
        }
        let length = Int(word(1))
        guard length > 0, length <= 10 * 1024 * 1024 else { throw VirError(.operationFailed, "invalid header data length") }
        guard word(3) == 0 else { throw VirError(.operationUnsupported, "compressed save images are not supported by this driver") }
        var data = [UInt8](repeating: 0, count: length)
        guard readFully(fd, &data) else { throw VirError(.operationFailed, "failed to read domain XML") }
        let text = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
        return QemuSaveImage(xml: text, wasRunning: word(2) != 0)
    }

    private static func readFully(_ fd: Int32, _ buf: inout [UInt8]) -> Bool {
        var off = 0
        while off < buf.count {
            let n = buf[off...].withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            off += n
        }
        return true
    }
}

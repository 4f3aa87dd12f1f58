import Foundation
import Glibc
import libvirt_abi
import qemu_domain
import qemu_monitor
import virutil

extension QemuConnection {
    /// A picture of the guest's screen `screen` (heads counted across its
    /// video devices), as QMP `screendump` writes it: PNG.
    ///
    /// QEMU writes the file in the instance's directory, given to its user
    /// when it runs as another one; the driver reads it and removes it.
    ///
    /// libvirt: `qemuDomainScreenshot` (which hands the file over as a
    /// stream; the caller here gets the bytes).
    ///
    /// - Returns: the MIME type and the image.
    public func screenshot(_ dom: DomainRef, screen: UInt32, flags: UInt32 = 0) async throws(VirError) -> (mime: String, data: [UInt8]) {
        guard flags == 0 else { throw VirError.unsupportedFlags(flags, in: "qemuDomainScreenshot") }
        let obj = try obj(dom)
        return try await withJob(obj, .query, api: "qemuDomainScreenshot") { () throws(VirError) -> (mime: String, data: [UInt8]) in
            guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
            let videos = obj.def.videos
            guard !videos.isEmpty else { throw VirError(.operationInvalid, "no screens to take screenshot from") }
            var args: [String: JSONValue] = ["format": .string("png")]
            if screen > 0 {
                var left = screen
                guard let i = videos.indices.first(where: { i in
                    let heads = videos[i].heads ?? 1
                    if left < heads { return true }
                    left -= heads
                    return false
                }) else { throw VirError(.operationInvalid, "no such screen ID") }
                args["device"] = .string("video\(i)")
                args["head"] = .int(Int64(left))
            }
            var template = Array("\(instance.paths.dir)/qemu.screendump.XXXXXX".utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw VirError.system(errno, "g_mkstemp(\"\(instance.paths.dir)/qemu.screendump.XXXXXX\") failed") }
            let file = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // Ours only, whatever is spawned meanwhile.
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            defer {
                Glibc.close(fd)
                state.log.bestEffort("remove the screendump file", domain: obj.name) { try VirFile.remove(file) }
            }
            if let identity = state.config.qemuIdentity, fchown(fd, identity.uid, identity.gid) != 0 {
                throw VirError.system(errno, "unable to set user and group to '\(identity.uid):\(identity.gid)' on '\(file)'")
            }
            args["filename"] = .string(file)
            do throws(QemuMonitorError) {
                _ = try await instance.monitor().execute("screendump", args)
            } catch {
                throw VirError(error)
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw VirError(.operationFailed, "unable to open stream")
            }
            return ("image/png", [UInt8](data))
        }
    }
}

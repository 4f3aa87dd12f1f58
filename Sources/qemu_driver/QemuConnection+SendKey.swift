import Foundation
import libvirt_abi
import qemu_domain
import qemu_monitor

extension QemuConnection {
    /// Sends keystrokes to the guest: `keycodes` of `codeset` (a
    /// `VIR_KEYCODE_SET_*`), translated to qnum codes, pressed together and
    /// held `holdtime` milliseconds (QEMU's default when 0), as QMP
    /// `send-key`.
    ///
    /// libvirt: `virDomainSendKey` (its argument checks) and
    /// `qemuDomainSendKey` → `qemuMonitorJSONSendKey`.
    public func sendKey(_ dom: DomainRef, codeset: UInt32, holdtime: UInt32, keycodes: [UInt32],
                        flags: UInt32 = 0) async throws(VirError) {
        guard !keycodes.isEmpty else {
            throw VirError(.invalidArg, "nkeycodes in virDomainSendKey must be greater than zero")
        }
        guard let set = VirKeycode.Set(rawValue: codeset) else {
            throw VirError(.invalidArg, "Unsupported codeset '\(Int32(bitPattern: codeset))'")
        }
        guard keycodes.count <= VirKeycode.maxKeys else {
            throw VirError(.invalidArg, "nkeycodes must be <= \(VirKeycode.maxKeys)")
        }
        guard flags == 0 else { throw VirError.unsupportedFlags(flags, in: "qemuDomainSendKey") }
        var qnums: [UInt32] = []
        for code in keycodes {
            guard let q = VirKeycode.qnum(code, from: set) else {
                throw VirError(.internalError, "cannot translate keycode \(code) of \(set.name) codeset to qnum keycode")
            }
            qnums.append(q)
        }
        let obj = try obj(dom)
        try await withJob(obj, .modify, api: "qemuDomainSendKey") { () throws(VirError) in
            guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
            for (i, q) in qnums.enumerated() where q > 0xffff {
                throw VirError(.operationFailed, "keycode \(i) is invalid: 0x\(String(q, radix: 16, uppercase: true))")
            }
            var args: [String: JSONValue] = ["keys": .array(qnums.map { .object(["type": .string("number"), "data": .int(Int64($0))]) })]
            if holdtime > 0 { args["hold-time"] = .int(Int64(holdtime)) }
            do throws(QemuMonitorError) {
                _ = try await instance.monitor().execute("send-key", args)
            } catch {
                throw VirError(error)
            }
        }
    }
}

import domain_conf
import libvirt_abi
import qemu_domain

/// The guest's consoles: which pty a console session reads and writes.
extension QemuConnection {
    /// The pty of a running domain's console: `devName` by alias
    /// (`serial0`, `console1`, ...), or its first console, else its first
    /// serial port. The embedded driver's caller opens it itself; one
    /// session at a time is what the root's lock allows, so `force` has
    /// no session to take over.
    ///
    /// libvirt: `qemuDomainOpenConsole`.
    public func consolePTY(_ dom: DomainRef, devName: String?) throws(VirError) -> String {
        let obj = try obj(dom)
        guard obj.isActive else { throw VirError.notRunning }
        let def = obj.def
        // libvirt's aliases: serial ports `serialN`; a console aimed at a
        // serial port shares the port's alias, the others are `consoleN`.
        func alias(ofConsole i: Int) -> String {
            let c = def.consoles[i]
            return (c.targetType ?? "serial") == "serial" ? "serial\(c.targetPort ?? 0)" : "console\(i)"
        }
        var found: (chr: DomainChrDef, alias: String)?
        if let devName {
            if let i = def.consoles.indices.first(where: { alias(ofConsole: $0) == devName }) {
                found = (def.consoles[i], devName)
            } else if let i = def.serials.indices.first(where: { "serial\($0)" == devName }) {
                found = (def.serials[i], devName)
            }
        } else if !def.consoles.isEmpty {
            found = (def.consoles[0], alias(ofConsole: 0))
        } else if let serial = def.serials.first {
            found = (serial, "serial0")
        }
        guard let (chr, name) = found else {
            throw VirError(.internalError, "cannot find character device \(devName ?? "<null>")")
        }
        guard chr.type == .pty, let path = chr.sourcePath else {
            throw VirError(.internalError, "character device \(name) is not using a PTY")
        }
        return path
    }
}

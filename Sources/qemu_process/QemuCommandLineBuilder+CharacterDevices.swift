import Foundation
import domain_conf
import libvirt_abi

/// Character devices: serial ports, consoles, channels.
extension QemuCommandLineBuilder {
    mutating func addCharacterDevices() throws(VirError) {
        for (i, serial) in def.serials.enumerated() {
            let target = serial.targetType ?? "isa-serial"
            guard target == "isa-serial" || target == "serial" else {
                throw QemuCommandLine.unsupported("serial target type '\(target)' is not supported by this driver")
            }
            let id = "charserial\(i)"
            try addChardev(serial, id: id, kind: "serial", index: i)
            add("-device", "isa-serial,chardev=\(id),id=serial\(i),index=\(serial.targetPort ?? i)")
        }
        for (i, console) in def.consoles.enumerated() {
            // A serial console is the serial port with that number (libvirt
            // aliases console 0 to serial 0); nothing more to start.
            let port = console.targetPort ?? 0
            guard (console.targetType ?? "serial") == "serial",
                  def.serials.contains(where: { ($0.targetPort ?? 0) == port }) else {
                throw QemuCommandLine.unsupported("console \(i) of target type '\(console.targetType ?? "serial")' without a matching serial port is not supported by this driver")
            }
        }
    }

    mutating func addChardev(_ chr: DomainChrDef, id: String, kind: String, index: Int) throws(VirError) {
        switch chr.type {
        case .pty:
            add("-chardev", "pty,id=\(id)")
            ptys.append(.init(kind: kind, index: index, chardevID: id))
        case .null:
            add("-chardev", "null,id=\(id)")
        case .file:
            guard let path = chr.sourcePath else { throw VirError(.noSource, "\(kind)\(index)") }
            // Appending is the default here: a second instance of the domain
            // (a migration destination) must never truncate the file.
            let append = chr.sourceAppend ?? true
            add("-chardev", "file,id=\(id),path=\(QemuCommandLine.escape(path)),append=\(append ? "on" : "off")")
        case .unix:
            let listen = (chr.sourceMode ?? "bind") == "bind"
            let path = chr.sourcePath ?? paths.chardevSocket(alias: id)
            try QemuInstancePaths.checkSocketPath(path)
            add("-chardev", "socket,id=\(id),path=\(QemuCommandLine.escape(path))\(listen ? ",server=on,wait=off" : "")")
        default:
            throw QemuCommandLine.unsupported("character device type '\(chr.type.rawValue)' of \(kind) \(index) is not supported by this driver")
        }
    }
}

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
        try addChannels()
    }

    /// `<channel>`: virtio-serial ports (the guest agent, SPICE's agent),
    /// numbered from 1 on `virtio-serial0.0` unless the XML places them.
    ///
    /// libvirt: `qemuBuildChannelsCommandLine`,
    /// `qemuBuildVirtioSerialPortDevProps`; the socket of a guest agent
    /// without a path is the instance's (`qemuDomainPrepareChannel`).
    mutating func addChannels() throws(VirError) {
        var usedPorts: Set<Int> = Set(def.channels.compactMap { Self.virtioSerialPort($0.node) })
        for (i, channel) in def.channels.enumerated() {
            guard channel.targetType == "virtio" else {
                throw QemuCommandLine.unsupported("channel target type '\(channel.targetType ?? "")' is not supported by this driver")
            }
            let id = "charchannel\(i)"
            switch channel.type {
            case .spicevmc:
                guard def.graphics.contains(where: { $0.type == .spice }) else {
                    throw QemuCommandLine.unsupported("spicevmc channel requires SPICE graphics")
                }
                add("-chardev", "spicevmc,id=\(id),name=vdagent")
            case .unix where channel.sourcePath.map { paths.isInstanceSocket($0) } ?? true:
                let path = paths.chardevSocket(alias: id)
                try QemuInstancePaths.checkSocketPath(path)
                channelSockets[i] = path
                add("-chardev", "socket,id=\(id),path=\(QemuCommandLine.escape(path)),server=on,wait=off")
            default:
                try addChardev(channel, id: id, kind: "channel", index: i)
            }
            let nr: Int
            if let port = Self.virtioSerialPort(channel.node) {
                nr = port
            } else {
                nr = (1...).first { !usedPorts.contains($0) } ?? 1
                usedPorts.insert(nr)
            }
            var device = "virtserialport,bus=virtio-serial0.0,nr=\(nr),chardev=\(id),id=channel\(i)"
            if let name = channel.targetName { device += ",name=\(QemuCommandLine.escape(name))" }
            add("-device", device)
        }
    }

    /// The port of a `<address type='virtio-serial' port=...>`.
    static func virtioSerialPort(_ node: XMLElement) -> Int? {
        guard let a = node.child("address"), a.attribute("type") == "virtio-serial" else { return nil }
        return a.attribute("port").flatMap { Int($0) }
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

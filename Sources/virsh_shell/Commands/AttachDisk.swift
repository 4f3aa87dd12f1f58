import Foundation
import domain_conf
import libvirt_abi

/// `attach-disk`: builds a `<disk>` from its options, as virsh writes it,
/// and attaches it (or prints it, `--print-xml`).
///
/// libvirt: `cmdAttachDisk`, `cmdAttachDiskFormatAddress`,
/// `virshAddressParse`, `virshAddressFormat` (tools/virsh-domain.c).
enum AttachDiskCommand: VirshCommand {
    static let name = "attach-disk"
    static let group = CommandGroup.domain
    static let help = "attach disk device"
    static let description = "Attach new disk device."
    static let options: [OptionDef] = [
        .domainFull,
        .data("source", "source of disk device or name of network disk"),
        .data("target", "target of disk device"),
        .string("targetbus", "target bus of disk device"),
        .string("driver", "driver of disk device"),
        .string("subdriver", "subdriver of disk device"),
        .string("iothread", "IOThread to be used by supported device"),
        .string("cache", "cache mode of disk device"),
        .string("io", "io policy of disk device"),
        .string("type", "target device type"),
        .alias("shareable", for: "mode=shareable"),
        .string("mode", "mode of device reading and writing"),
        .string("sourcetype", "type of source (block|file|network)"),
        .string("serial", "serial of disk device"),
        .string("wwn", "wwn of disk device"),
        .string("alias", "custom alias name of disk device"),
        .bool("rawio", "needs rawio capability"),
        .string("address", "address of disk device"),
        .bool("multifunction", "use multifunction pci under specified address"),
        .bool("print-xml", "print XML document rather than attach the disk"),
        .string("source-protocol", "protocol used by disk device source"),
        .string("source-host-name", "host name for source of disk device"),
        .string("source-host-transport", "host transport for source of disk device"),
        .string("source-host-socket", "host socket for source of disk device"),
    ] + DeviceChangeOptions.options

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let given = DeviceChangeOptions.flags(cmd, ctl),
              cmd.requires("source-host-name", "source-protocol", ctl), cmd.requires("source-host-transport", "source-protocol", ctl),
              cmd.requires("source-host-socket", "source-protocol", ctl),
              cmd.requires("source-host-socket", "source-host-transport", ctl),
              cmd.exclusive("source-host-name", "source-host-socket", ctl) else { return false }
        var v: [String: String] = [:]
        for n in ["source", "target", "driver", "subdriver", "type", "mode", "iothread", "cache", "io", "serial", "wwn",
                  "address", "targetbus", "alias", "sourcetype", "source-protocol", "source-host-name",
                  "source-host-transport", "source-host-socket"] {
            // `source` may be empty (VSH_OFLAG_EMPTY_OK): a cdrom without media.
            if n == "source" {
                v[n] = cmd.values.first { $0.name == "source" }?.value ?? nil
                continue
            }
            guard case .success(let s) = cmd.string(n, ctl) else { return false }
            v[n] = s
        }
        let types = ["", "file", "block", "network"]
        var type = ""
        if let st = v["sourcetype"] {
            guard let i = types.firstIndex(of: st) else {
                ctl.error("Unknown source type: '\(st)'")
                return false
            }
            type = types[i]
        }
        if type.isEmpty {
            var st = stat()
            if v["source-protocol"] != nil {
                type = "network"
            } else if v["driver"] != "file", v["driver"] != "tap", let source = v["source"], stat(source, &st) == 0,
                      (st.st_mode & S_IFMT) == S_IFBLK {
                type = "block"
            } else {
                type = "file"
            }
        }
        if (type == "network") != (v["source-protocol"] != nil) {
            ctl.error("--source-protocol option requires --sourcetype network")
            return false
        }
        if let mode = v["mode"], mode != "readonly", mode != "shareable" {
            ctl.error("No support for \(mode) in command 'attach-disk'")
            return false
        }
        if let wwn = v["wwn"], !validWWN(wwn) {
            ctl.save(VirshError(code: .internalError, message: ErrorNumber.internalError.format("Malformed wwn: \(wwn)")))
            return false
        }
        func attr(_ name: String, _ value: String?) -> String {
            value.map { " \(name)='\(XMLElement.escape($0))'" } ?? ""
        }
        let target = v["target"] ?? ""
        var children = ""
        let driverAttrs = attr("name", v["driver"]) + attr("type", v["subdriver"]) + attr("iothread", v["iothread"])
            + attr("cache", v["cache"]) + attr("io", v["io"])
        if !driverAttrs.isEmpty { children += "  <driver\(driverAttrs)/>\n" }
        var sourceAttrs = "", sourceChildren = ""
        switch type {
        case "file": sourceAttrs = attr("file", v["source"])
        case "block": sourceAttrs = attr("dev", v["source"])
        default:
            sourceAttrs = attr("protocol", v["source-protocol"]) + attr("name", v["source"])
            var hostAttrs = attr("transport", v["source-host-transport"]) + attr("socket", v["source-host-socket"])
            if let host = v["source-host-name"] {
                let parts = host.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                hostAttrs += attr("name", String(parts[0])) + attr("port", parts.count > 1 ? String(parts[1]) : nil)
            }
            if !hostAttrs.isEmpty { sourceChildren = "    <host\(hostAttrs)/>\n" }
        }
        if !sourceChildren.isEmpty {
            children += "  <source\(sourceAttrs)>\n\(sourceChildren)  </source>\n"
        } else if !sourceAttrs.isEmpty {
            children += "  <source\(sourceAttrs)/>\n"
        }
        children += "  <target dev='\(target)'\(v["targetbus"].map { " bus='\($0)'" } ?? "")/>\n"
        if let mode = v["mode"] { children += "  <\(mode)/>\n" }
        if let serial = v["serial"] { children += "  <serial>\(serial)</serial>\n" }
        if let alias = v["alias"] { children += "  <alias name='\(alias)'/>\n" }
        if let wwn = v["wwn"] { children += "  <wwn>\(wwn)</wwn>\n" }
        if let address = v["address"] {
            guard let line = formatAddress(address, target: target, multifunction: cmd.bool("multifunction"), ctl) else { return false }
            children += "  " + line
        }
        let diskAttrs = " type='\(type)'" + attr("device", v["type"]) + (cmd.bool("rawio") ? " rawio='yes'" : "")
        let xml = "<disk\(diskAttrs)>\n\(children)</disk>\n"

        if cmd.bool("print-xml") {
            ctl.print(xml)
            return true
        }
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        let flags = await DeviceChangeOptions.callFlags(given, cmd, dom)
        do {
            try await dom.attachDevice(xml, flags: flags)
        } catch {
            ctl.error("Failed to attach disk")
            ctl.save(error)
            return false
        }
        ctl.printExtra("Disk attached successfully\n")
        return true
    }

    /// libvirt: `virValidateWWN`.
    static func validWWN(_ wwn: String) -> Bool {
        let digits = wwn.hasPrefix("0x") ? wwn.dropFirst(2) : Substring(wwn)
        return digits.count == 16 && digits.allSatisfy(\.isHexDigit)
    }

    /// `--address TYPE:...` as virsh parses and writes it, checked against
    /// the target's kind (`vd*` PCI or CCW, `sd*` SCSI, USB or SATA,
    /// `hd*` IDE).
    @MainActor static func formatAddress(_ text: String, target: String, multifunction: Bool, _ ctl: Control) -> String? {
        guard let address = parseAddress(text) else {
            ctl.error("Invalid address.")
            return nil
        }
        let kind = address.kind
        if target.hasPrefix("vd"), kind != "pci" && kind != "ccw" {
            ctl.error("expecting a pci:0000.00.00.00 or ccw:00.0.0000 address.")
            return nil
        } else if target.hasPrefix("sd"), kind != "scsi" && kind != "usb" && kind != "sata" {
            ctl.error("expecting a scsi:00.00.00 or usb:00.00 or sata:00.00.00 address.")
            return nil
        } else if target.hasPrefix("hd"), kind != "ide" {
            ctl.error("expecting an ide:00.00.00 address.")
            return nil
        }
        let n = address.numbers
        switch kind {
        case "pci":
            return String(format: "<address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%0x'", n[0], n[1], n[2], n[3])
                + (multifunction ? " multifunction='on'" : "") + "/>\n"
        case "ccw":
            return String(format: "<address type='ccw' cssid='0x%02x' ssid='0x%01x' devno='0x%04x'/>\n", n[0], n[1], n[2])
        case "usb":
            return "<address type='usb' bus='\(n[0])' port='\(n[1])'/>\n"
        default:
            return "<address type='drive' controller='\(n[0])' bus='\(n[1])' unit='\(n[2])'/>\n"
        }
    }

    /// libvirt: `virshAddressParse`: the type, then numbers each after
    /// one separator character (hexadecimal for PCI and CCW).
    static func parseAddress(_ text: String) -> (kind: String, numbers: [UInt64])? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let kind = String(text[..<colon])
        let spec: (count: Int, radix: Int)
        switch kind {
        case "pci": spec = (4, 16)
        case "sata", "ide", "scsi": spec = (3, 10)
        case "ccw": spec = (3, 16)
        case "usb": spec = (2, 10)
        default: return nil
        }
        var rest = Substring(text[colon...])
        var numbers: [UInt64] = []
        for i in 0..<spec.count {
            guard !rest.isEmpty else { return nil }
            rest = rest.dropFirst()
            let digits = rest.prefix { $0.isHexDigit && (spec.radix == 16 || $0.isNumber) }
            guard !digits.isEmpty, let n = UInt64(digits, radix: spec.radix) else { return nil }
            // The unit of a drive address is 64-bit, the rest 32-bit.
            guard n <= UInt64(UInt32.max) || (spec.count == 3 && spec.radix == 10 && i == 2) else { return nil }
            numbers.append(n)
            rest = rest.dropFirst(digits.count)
        }
        return (kind, numbers)
    }
}

import Foundation
import domain_conf
import libvirt_abi

/// The ports of USB bus 0 given to USB devices in the order libvirt
/// assigns them (inputs, then redirected devices), skipping the ports
/// the XML gives itself.
///
/// libvirt: `qemuDomainAssignUSBAddresses` over `virDomainUSBAddressSet`.
struct USBPorts {
    /// The bus (`usb.0`), `nil` when the guest has no USB controller.
    let bus: String?
    private(set) var used: Set<Int>
    let count: Int

    init(def: DomainDef) {
        let controller = def.controllers.first { $0.type == .usb && ($0.index ?? 0) == 0 && $0.model != "none" && !(["ich9-uhci1", "ich9-uhci2", "ich9-uhci3"].contains($0.model ?? "")) }
        bus = controller.map { _ in "usb.0" }
        switch controller?.model {
        case "qemu-xhci"?, "nec-xhci"?: count = controller?.node.attribute("ports").flatMap { Int($0) } ?? 4
        case "ich9-ehci1"?: count = 6
        default: count = 2
        }
        var used: Set<Int> = []
        for e in def.node.child("devices")?.elements ?? [] where e.name == "input" || e.name == "redirdev" {
            if let a = e.child("address"), a.attribute("type") == "usb", let p = a.attribute("port").flatMap({ Int($0) }) {
                used.insert(p)
            }
        }
        self.used = used
    }

    /// `,bus=usb.0,port=N` for a device with `address` (its own port, or
    /// the next free one).
    mutating func place(_ address: DomainDeviceAddress?, node: XMLElement, what: String) throws(VirError) -> String {
        guard let bus else {
            throw VirError(.configUnsupported, "USB is disabled for this domain, but USB devices are present in the domain XML")
        }
        if let a = node.child("address"), a.attribute("type") == "usb" {
            guard (a.attribute("bus") ?? "0") == "0", let p = a.attribute("port"), Int(p) != nil else {
                throw VirError(.configUnsupported, "USB address of \(what) on a bus other than 0 or a hub port is not supported by this driver")
            }
            return ",bus=\(bus),port=\(p)"
        }
        guard address == nil else {
            throw VirError(.configUnsupported, "\(what) needs a USB address, not '\(address?.typeName ?? "")'")
        }
        guard let p = (1...max(count, 1)).first(where: { !used.contains($0) }) else {
            throw VirError(.internalError, "No free USB ports")
        }
        used.insert(p)
        return ",bus=\(bus),port=\(p)"
    }
}

extension QemuCommandLineBuilder {
    /// `<input>`: ps2 mouse and keyboard are the i8042's (nothing to add);
    /// USB ones on USB bus 0; virtio ones on PCI.
    ///
    /// libvirt: `qemuBuildInputCommandLine`.
    mutating func addInputs(_ usb: inout USBPorts) throws(VirError) {
        for (i, input) in def.inputs.enumerated() {
            let id = "input\(i)"
            switch (input.effectiveBus, input.type) {
            case (.ps2, .mouse), (.ps2, .keyboard):
                continue
            case (.usb, .mouse), (.usb, .tablet), (.usb, .keyboard):
                let driver = input.type == .mouse ? "usb-mouse" : input.type == .tablet ? "usb-tablet" : "usb-kbd"
                add("-device", "\(driver),id=\(id)" + (try usb.place(input.address, node: input.node, what: "input device '\(input.type.rawValue)'")))
            case (.virtio, .mouse), (.virtio, .tablet), (.virtio, .keyboard):
                add("-device", "virtio-\(input.type.rawValue)-pci,id=\(id)" + pciAddress(input.address))
            default:
                throw QemuCommandLine.unsupported("input device '\(input.type.rawValue)' on bus '\(input.effectiveBus.rawValue)' is not supported by this driver")
            }
        }
    }

    /// `<redirdev bus='usb' type='spicevmc'>`: a USB device of the SPICE
    /// client.
    ///
    /// libvirt: `qemuBuildRedirdevCommandLine`.
    mutating func addRedirdevs(_ usb: inout USBPorts) throws(VirError) {
        for (i, r) in def.redirdevs.enumerated() {
            guard r.type == .spicevmc else {
                throw QemuCommandLine.unsupported("redirdev of type '\(r.type.rawValue)' is not supported by this driver")
            }
            guard def.graphics.contains(where: { $0.type == .spice }) else {
                throw QemuCommandLine.unsupported("spicevmc redirdev requires SPICE graphics")
            }
            let chardev = "charredir\(i)"
            add("-chardev", "spicevmc,id=\(chardev),name=usbredir")
            add("-device", "usb-redir,chardev=\(chardev),id=redir\(i)" + (try usb.place(r.address, node: r.node, what: "redirdev \(i)")))
        }
    }
}

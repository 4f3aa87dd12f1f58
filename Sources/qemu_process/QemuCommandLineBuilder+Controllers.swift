import Foundation
import domain_conf
import libvirt_abi

/// Controllers: PCI root ports, USB, SCSI, SATA, virtio-serial; the
/// chipset's own (pci-root, pcie-root, the first IDE on i440fx, the first
/// SATA on q35) need no option.
///
/// libvirt: `qemuBuildControllersCommandLine`, which writes them by type
/// in this order, each type in the definition's order.
extension QemuCommandLineBuilder {
    mutating func addControllers() throws(VirError) {
        let order: [DomainControllerDef.ControllerType] = [.pci, .usb, .scsi, .ide, .sata, .fdc, .virtioSerial, .ccid, .xenbus, .isa]
        for type in order {
            for c in def.controllers where c.type == type {
                if let device = try controllerDevice(c) { add("-device", device) }
            }
        }
    }

    /// The QEMU id of a controller (libvirt's alias): `usb` for USB
    /// index 0, `scsi0`, `sata0`, `virtio-serial0`, `pci.N`.
    ///
    /// libvirt: `qemuAssignDeviceControllerAlias`.
    static func controllerAlias(_ c: DomainControllerDef) -> String {
        let index = c.index ?? 0
        switch c.type {
        case .pci: return "pci.\(index)"
        case .usb: return index == 0 ? "usb" : "usb\(index)"
        case .virtioSerial: return "virtio-serial\(index)"
        default: return "\(c.type.rawValue)\(index)"
        }
    }

    /// The `-device` of a controller, `nil` for the chipset's own.
    ///
    /// libvirt: `qemuBuildControllerDevProps`.
    func controllerDevice(_ c: DomainControllerDef) throws(VirError) -> String? {
        let index = c.index ?? 0
        let id = Self.controllerAlias(c)
        let unsupported = { () -> VirError in
            QemuCommandLine.unsupported("controller type '\(c.type.rawValue)'\(c.model.map { " model '\($0)'" } ?? "") index \(index) is not supported by this driver")
        }
        switch c.type {
        case .pci:
            switch c.model {
            case nil, "pci-root", "pcie-root":
                guard index == 0 else { throw unsupported() }
                return nil
            case "pcie-root-port":
                let name = c.modelName ?? "pcie-root-port"
                guard name == "pcie-root-port", isQ35 else {
                    throw QemuCommandLine.unsupported("PCI controller model '\(name)' is not supported by this driver")
                }
                var device = name
                if let port = c.targetPort { device += ",port=0x\(String(port, radix: 16))" }
                device += ",chassis=\(c.targetChassis ?? UInt32(index)),id=\(id)"
                return device + pciAddress(c.address)
            default:
                throw unsupported()
            }
        case .usb:
            let ports = try c.node.attribute("ports").map { (text) throws(VirError) -> Int in
                guard let n = Int(text), n > 0, n <= 15 else {
                    throw VirError(.configUnsupported, "Invalid value for attribute 'ports' in element 'controller': '\(text)'.")
                }
                return n
            }
            switch c.model ?? (isQ35 ? "qemu-xhci" : "piix3-uhci") {
            case "none": return nil
            case "qemu-xhci", "nec-xhci":
                let driver = c.model == "nec-xhci" ? "nec-usb-xhci" : "qemu-xhci"
                let p = ports.map { ",p2=\($0),p3=\($0)" } ?? ""
                return "\(driver)\(p),id=\(id)" + pciAddress(c.address)
            case "piix3-uhci":
                return "piix3-usb-uhci,id=\(id)" + pciAddress(c.address)
            case "ich9-ehci1":
                return "ich9-usb-ehci1,id=\(id)" + pciAddress(c.address)
            case let model where model.hasPrefix("ich9-uhci"):
                guard ["ich9-uhci1", "ich9-uhci2", "ich9-uhci3"].contains(model),
                      let start = c.node.child("master")?.attribute("startport") else { throw unsupported() }
                let master = index == 0 ? "usb" : "usb\(index)"
                return "ich9-usb-\(model.dropFirst("ich9-".count)),masterbus=\(master).0,firstport=\(start)" + pciAddress(c.address)
            default:
                throw unsupported()
            }
        case .scsi:
            switch c.model {
            case "virtio-scsi"?: return "virtio-scsi-pci,id=\(id)" + pciAddress(c.address)
            case "lsilogic"?: return "lsi,id=\(id)" + pciAddress(c.address)
            default: throw unsupported()
            }
        case .sata:
            // q35's first SATA controller is the ICH9's own (bus `ide`).
            if isQ35 && index == 0 { return nil }
            return "ahci,id=\(id)" + pciAddress(c.address)
        case .ide:
            guard !isQ35, index == 0 else {
                throw QemuCommandLine.unsupported("IDE controllers are unsupported for this QEMU binary or machine type")
            }
            return nil
        case .virtioSerial:
            var device = "virtio-serial-pci,id=\(id)"
            if let ports = c.node.attribute("ports") { device += ",max_ports=\(ports)" }
            if let vectors = c.node.attribute("vectors") { device += ",vectors=\(vectors)" }
            return device + pciAddress(c.address)
        case .fdc, .ccid, .xenbus, .isa:
            throw unsupported()
        }
    }
}

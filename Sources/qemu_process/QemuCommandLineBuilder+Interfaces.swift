import Foundation
import domain_conf
import libvirt_abi

/// Network interfaces: a `-netdev` and its NIC.
extension QemuCommandLineBuilder {
    mutating func addInterfaces() throws(VirError) {
        var firstNICBooted = false
        for (i, net) in def.interfaces.enumerated() {
            let netdev = "hostnet\(i)"
            switch net.type {
            case "user":
                add("-netdev", "user,id=\(netdev)")
            case "bridge", "network", "ethernet":
                // A tap device the driver created for this instance (libvirt
                // passes it the same way).
                // Shown only: the descriptor a start would pass (3, 4, ...).
                let pretendFD = Int32(3 + def.interfaces[..<i].filter(\.usesTap).count)
                guard let fd = options.tapFDs[i] ?? (options.pretend ? pretendFD : nil) else {
                    throw VirError(.internalError, "no tap device was created for interface \(i)")
                }
                add("-netdev", "tap,fd=\(fd),id=\(netdev)")
            default:
                throw QemuCommandLine.unsupported("interface type '\(net.type)' is not supported by this driver (types 'user', 'bridge', 'network' and 'ethernet' are)")
            }
            let model = net.model ?? "rtl8139"
            let device: String
            switch model {
            case "virtio": device = "virtio-net-pci"
            case "e1000", "e1000e", "rtl8139": device = model
            default: throw QemuCommandLine.unsupported("network card model '\(model)' is not supported by this driver")
            }
            var boot = try deviceBootIndex(net.node) ?? ""
            if !firstNICBooted, let b = bootIndex["network"] { boot = ",bootindex=\(b)"; firstNICBooted = true }
            add("-device", "\(device),netdev=\(netdev),id=\(QemuCommandLine.interfaceAlias(i)),mac=\(net.mac)\(pciAddress(net.address))\(boot)")
        }
    }
}

import Foundation
import domain_conf
import libvirt_abi

/// The watchdog, RNGs and panic notifiers.
extension QemuCommandLineBuilder {
    /// libvirt: `qemuBuildWatchdogCommandLine`.
    mutating func addWatchdog() throws(VirError) {
        guard let w = def.watchdog else { return }
        switch w.model {
        case .i6300esb: add("-device", "i6300esb,id=watchdog0" + pciAddress(w.address))
        case .ib700: add("-device", "ib700,id=watchdog0")
        case .itco:
            guard isQ35 else { throw QemuCommandLine.unsupported("iTCO watchdog is only part of the q35 chipset") }
            add("-global", "ICH9-LPC.noreboot=off")
        case .diag288:
            throw QemuCommandLine.unsupported("watchdog model 'diag288' is not supported on this architecture")
        }
        let action: String
        switch w.action {
        case .reset, .shutdown, .poweroff, .pause, .none: action = w.action.rawValue
        case .injectNMI: action = "inject-nmi"
        case .dump: throw QemuCommandLine.unsupported("watchdog action 'dump' is not supported by this driver")
        }
        add("-watchdog-action", action)
    }

    /// libvirt: `qemuBuildRNGCommandLine` (`qemuBuildRNGBackendProps`).
    mutating func addRNGs() throws(VirError) {
        for (i, r) in def.rngs.enumerated() {
            let object = "objrng\(i)"
            switch r.backend {
            case .random:
                let file = r.sourcePath ?? "/dev/urandom"
                add("-object", "{\"qom-type\":\"rng-random\",\"id\":\"\(object)\",\"filename\":\(Self.jsonString(file))}")
            case .builtin:
                add("-object", "{\"qom-type\":\"rng-builtin\",\"id\":\"\(object)\"}")
            case .egd:
                throw QemuCommandLine.unsupported("rng backend 'egd' is not supported by this driver")
            }
            let driver: String
            switch r.model {
            case .virtio: driver = "virtio-rng-pci"
            case .virtioTransitional: driver = "virtio-rng-pci-transitional"
            case .virtioNonTransitional: driver = "virtio-rng-pci-non-transitional"
            }
            var device = "\(driver),rng=\(object),id=rng\(i)"
            if let bytes = r.rateBytes {
                device += ",max-bytes=\(bytes),period=\(r.ratePeriod ?? 1000)"
            }
            add("-device", device + pciAddress(r.address))
        }
    }

    /// libvirt: `qemuBuildPanicCommandLine`.
    mutating func addPanics() throws(VirError) {
        for p in def.panics {
            switch p.model {
            case .isa, .default:
                if case .other(let type)? = p.address, type != "isa" {
                    throw QemuCommandLine.unsupported("panic device of model 'isa' needs an ISA address")
                }
                let iobase = p.node.child("address")?.attribute("iobase").flatMap { PCIDeviceAddress.parseUInt($0) }
                add("-device", "pvpanic" + (iobase.map { ",ioport=\($0)" } ?? ""))
            case .hyperv:
                // hv-crash: added with the CPU flags when hyperv is on.
                throw QemuCommandLine.unsupported("panic model 'hyperv' is not supported by this driver")
            default:
                throw QemuCommandLine.unsupported("panic model '\(p.model.rawValue)' is not supported on this architecture")
            }
        }
    }
}

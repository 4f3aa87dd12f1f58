import Foundation
import domain_conf
import libvirt_abi

/// The firmware: a ROM loader (`-bios`), or UEFI in two flash devices,
/// `pflash0` the code (read-only) and `pflash1` the domain's variable
/// store, each a `-blockdev` pair (a `file` node and a `raw` format node
/// on it) that `-machine` names.
extension QemuCommandLineBuilder {
    /// The node names libvirt 9.0 gives the flash devices' block nodes.
    ///
    /// libvirt: `qemuDomainInitializePflashStorageSource`.
    static func pflashNode(_ unit: Int, _ layer: String) -> String { "libvirt-pflash\(unit)-\(layer)" }

    /// What of `<os>`'s firmware the command line can run: a resolved
    /// `<loader>` with a type and a path, a plain `<nvram>` file.
    func checkFirmware() throws(VirError) {
        if let firmware = def.os.firmware {
            // QemuFirmware.fill resolves it when a domain starts.
            throw VirError(.internalError, "firmware '\(firmware)' was not resolved to a loader")
        }
        if !DomainLoaderDef.isPlainNVRAM(def.os.node) {
            throw QemuCommandLine.unsupported("<nvram> with a <source> is not supported by this driver")
        }
        guard let loader = def.os.loader else { return }
        guard let type = loader.type else {
            throw QemuCommandLine.unsupported("<loader> without a type is not supported by this driver")
        }
        guard loader.path != nil else {
            throw QemuCommandLine.unsupported("<loader> without a path is not supported by this driver")
        }
        if loader.stateless == true {
            throw QemuCommandLine.unsupported("stateless firmware is not supported by this driver")
        }
        if type == .rom && loader.nvram != nil {
            throw QemuCommandLine.unsupported("<nvram> needs a loader of type 'pflash'")
        }
        // libvirt: qemuValidateDomainDefBoot.
        if loader.secure == true {
            guard isQ35 else {
                throw QemuCommandLine.unsupported("Secure boot is supported with q35 machine types only")
            }
            guard (def.os.arch ?? "x86_64") == "x86_64" else {
                throw QemuCommandLine.unsupported("Secure boot is supported for x86_64 architecture only")
            }
            guard def.featureState("smm") == "on" else {
                throw QemuCommandLine.unsupported("Secure boot requires SMM feature enabled")
            }
        }
    }

    /// The `-blockdev`s of the flash devices, before `-machine` names them.
    ///
    /// libvirt: `qemuBuildPflashBlockdevCommandLine`.
    mutating func addPflashBlockdevs() {
        guard let loader = def.os.loader, loader.isPflash, let code = loader.path else { return }
        addPflash(0, path: code, readonly: loader.readonly == true)
        if let nvram = loader.nvram { addPflash(1, path: nvram, readonly: false) }
    }

    private mutating func addPflash(_ unit: Int, path: String, readonly: Bool) {
        let storage = Self.pflashNode(unit, "storage"), format = Self.pflashNode(unit, "format")
        add("-blockdev", "{\"driver\":\"file\",\"filename\":\(Self.jsonString(path)),\"node-name\":\"\(storage)\",\"auto-read-only\":true,\"discard\":\"unmap\"}")
        add("-blockdev", "{\"node-name\":\"\(format)\",\"read-only\":\(readonly),\"driver\":\"raw\",\"file\":\"\(storage)\"}")
    }

    /// `,pflash0=...,pflash1=...` for `-machine`.
    var pflashMachineOptions: String {
        guard let loader = def.os.loader, loader.isPflash else { return "" }
        var s = ",pflash0=\(Self.pflashNode(0, "format"))"
        if loader.nvram != nil { s += ",pflash1=\(Self.pflashNode(1, "format"))" }
        return s
    }

    /// `-bios` for a ROM; for a secure flash loader, flash writes only
    /// from SMM.
    ///
    /// libvirt: `qemuBuildDomainLoaderCommandLine`.
    mutating func addLoader() {
        guard let loader = def.os.loader, let path = loader.path else { return }
        switch loader.type {
        case .rom?: add("-bios", path)
        case .pflash? where loader.secure == true: add("-global", "driver=cfi.pflash01,property=secure,value=on")
        default: break
        }
    }
}

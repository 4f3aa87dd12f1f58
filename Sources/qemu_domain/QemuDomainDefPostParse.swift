import domain_conf
import libvirt_abi
import qemu_capabilities
import qemu_process

/// What the QEMU driver fills in and checks in every definition it takes
/// (define, create, a migration's destination, a start): the emulator, the
/// machine type pinned to the versioned name that emulator gives it, and
/// a PCI address for every PCI device.
///
/// libvirt: `qemuDomainDefPostParseBasic` (the default emulator),
/// `qemuDomainDefPostParse` (machine type), `qemuDomainDeviceDefPostParse`
/// → `qemuDomainAssignAddresses` and `qemuValidateDomainDef`.
public enum QemuDomainDefPostParse {
    /// Fills in and checks `def`; the capabilities of its emulator.
    ///
    /// - Parameter assignAddresses: give PCI devices without an address
    ///   one (`false` only for the destination of a guest whose running
    ///   QEMU placed its devices itself: it was started before addresses
    ///   were assigned, and the destination must lay it out the same way).
    /// - Parameter config: where a read-only pflash loader's variable
    ///   store goes when the XML names none (`nil`: leave it unnamed).
    @discardableResult
    public static func apply(_ def: inout DomainDef, caps cache: QemuCapsCache, config: QemuDriverConfig? = nil,
                             assignAddresses: Bool = true) throws(VirError) -> QemuCaps {
        let emulator = def.emulator ?? QemuCommandLine.defaultEmulator
        def.emulator = emulator
        let caps = try cache.lookup(emulator)
        try caps.pinMachine(&def)
        try def.assignDriveAddresses()
        try def.addImplicitDevices()
        if let config { applyNVRAMPath(&def, config: config) }
        if assignAddresses { try QemuDomainAddress.assign(&def) }
        try caps.validate(def)
        return caps
    }

    /// A read-only pflash `<loader>` without `<nvram>` (and not stateless)
    /// gets the default variable store, `nvramDir/NAME_VARS.fd`.
    ///
    /// libvirt: the `virDomainDefHasOldStyleROUEFI` case of
    /// `qemuDomainDefPostParse`.
    public static func applyNVRAMPath(_ def: inout DomainDef, config: QemuDriverConfig) {
        guard var loader = def.os.loader, loader.isReadonlyPflash, loader.nvram == nil, loader.stateless != true else { return }
        loader.nvram = config.nvramFile(name: def.name)
        def.os.loader = loader
    }

    /// `memory_backing_default` applied to a definition about to run (an
    /// instance's live definition, a migration's destination): a guest
    /// without `<memoryBacking>` gets its RAM in its per-UUID shared file,
    /// or in a shared memfd when that is the setting and the emulator that
    /// runs it can hand it over by `cpr-transfer`. The persistent
    /// definition is left as written, so that the setting decides at each
    /// start.
    public static func applyMemoryDefault(_ def: inout DomainDef, config: QemuDriverConfig, caps: QemuCaps) {
        guard def.memoryBacking == nil else { return }
        switch config.memoryBackingDefault {
        case .private:
            break
        case .memfd where caps.supportsCPRTransfer:
            def.memoryBacking = DomainMemoryBackingDef(source: .memfd, access: .shared)
        case .sharedFile, .memfd:
            def.memoryBacking = DomainMemoryBackingDef(source: .file, access: .shared)
        }
    }
}

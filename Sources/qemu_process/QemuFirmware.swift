import Foundation
import Glibc
import domain_conf
import libvirt_abi

/// Firmware autoselection: `<os firmware='efi'>` (or a read-only pflash
/// `<loader>` with no variable store yet) becomes a `<loader>` and an
/// `<nvram>` from the first of QEMU's firmware descriptors that suits the
/// domain.
///
/// libvirt: src/qemu/qemu_firmware.c (`qemuFirmwareFillDomain`,
/// `qemuFirmwareMatchDomain`, `qemuFirmwareEnableFeatures`) and
/// src/qemu/qemu_interop_config.c (`qemuInteropFetchConfigs`).
public enum QemuFirmware {
    /// The descriptor files to consider, in the order they are tried: by
    /// file name, a name in a later folder replacing the same name in an
    /// earlier one, an empty file hiding that name altogether (how an
    /// administrator masks a packaged descriptor in `/etc/qemu/firmware`).
    /// A folder that does not exist has none.
    ///
    /// libvirt: `qemuInteropFetchConfigs` (`qemuBuildFileList`).
    public static func descriptorPaths(in dirs: [String]) throws(VirError) -> [String] {
        var byName: [String: String] = [:]
        for dir in dirs {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: dir)
            } catch {
                var isDir: ObjCBool = false
                if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) { continue }
                throw VirError.system(EACCES, "cannot open directory '\(dir)'")
            }
            for name in names where !name.hasPrefix(".") {
                let path = "\(dir)/\(name)"
                var st = stat()
                guard stat(path, &st) == 0 else {
                    throw VirError.system(errno, "Unable to access \(path)")
                }
                guard (st.st_mode & S_IFMT) == S_IFREG else { continue }
                byName[name] = path
            }
        }
        return byName.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.compactMap { name in
            guard let path = byName[name] else { return nil }
            var st = stat()
            // Empty files mask less specific ones of the same name.
            if stat(path, &st) == 0 && st.st_size == 0 { return nil }
            return path
        }
    }

    /// Every descriptor of `dirs`, parsed, in the order they are tried.
    ///
    /// libvirt: `qemuFirmwareFetchParsedConfigs`.
    public static func descriptors(in dirs: [String]) throws(VirError) -> [QemuFirmwareDescriptor] {
        var out: [QemuFirmwareDescriptor] = []
        for path in try descriptorPaths(in: dirs) { out.append(try QemuFirmwareDescriptor.read(path)) }
        return out
    }

    /// The first descriptor that satisfies the domain, if any.
    public static func select(for def: DomainDef, from descriptors: [QemuFirmwareDescriptor]) -> QemuFirmwareDescriptor? {
        descriptors.first { matches(def, $0) }
    }

    /// Whether a firmware satisfies what the domain asks: its interface
    /// (`efi` → `uefi`), its machine type and architecture, the firmware
    /// features it requires or refuses, a secure loader (SMM), suspend
    /// to RAM or disk, and the flash mode (split, unless the loader is
    /// stateless). A domain naming its own read-only loader matches only
    /// the descriptor of that image.
    ///
    /// libvirt: `qemuFirmwareMatchDomain`.
    public static func matches(_ def: DomainDef, _ fw: QemuFirmwareDescriptor) -> Bool {
        let want: String
        switch def.os.firmware {
        case "efi"?: want = "uefi"
        case "bios"?: want = "bios"
        default:
            guard let loader = def.os.loader, let type = loader.type else { return false }
            want = type == .pflash ? "uefi" : "bios"
            guard fw.device == .flash, let path = loader.path, path == fw.executable?.filename else { return false }
        }
        guard fw.interfaceTypes.contains(want) else { return false }
        guard fw.matches(machine: def.os.machine ?? "", arch: def.os.arch ?? "x86_64") else { return false }

        let features = Set(fw.features)
        let pm = def.node.child("pm")
        if pm?.child("suspend-to-mem")?.attribute("enabled") == "yes" && !features.contains("acpi-s3") { return false }
        if pm?.child("suspend-to-disk")?.attribute("enabled") == "yes" && !features.contains("acpi-s4") { return false }
        for (name, feature) in [("secure-boot", "secure-boot"), ("enrolled-keys", "enrolled-keys")] {
            if let wanted = def.os.firmwareFeatures[name], wanted != features.contains(feature) { return false }
        }
        if def.os.loader?.secure == true && !features.contains("requires-smm") { return false }
        if fw.device == .flash {
            let stateless = def.os.loader?.stateless == true
            if stateless ? fw.flashMode != .stateless : fw.flashMode != .split { return false }
        }
        if def.node.child("launchSecurity") != nil && !features.contains("amd-sev") { return false }
        return true
    }

    /// Fills in the firmware of a domain about to start from scratch:
    /// with `<os firmware=...>`, the first descriptor that satisfies it
    /// becomes its `<loader>` and `<nvram>` (the variable store in
    /// `nvramDir`, `NAME_VARS.fd`, unless the XML names one), SMM is
    /// turned on when the firmware needs it, and `firmware=` is dropped
    /// (the live definition says what was chosen; the persistent one
    /// keeps asking). A read-only pflash loader with no template and no
    /// store yet gets its template from its descriptor, when there is one.
    ///
    /// Not for a migration's destination: it runs the source's choice.
    ///
    /// - Throws: "Unable to find any firmware to satisfy 'efi'" when no
    ///   descriptor does; "domain has SMM turned off but chosen firmware
    ///   requires it".
    ///
    /// libvirt: `qemuFirmwareFillDomain` and `qemuFirmwareEnableFeatures`.
    public static func fill(_ def: inout DomainDef, config: QemuDriverConfig, resetNVRAM: Bool = false) throws(VirError) {
        let needResult: Bool
        if def.os.firmware != nil {
            needResult = true
        } else {
            guard let loader = def.os.loader, loader.isReadonlyPflash, loader.nvramTemplate == nil else { return }
            if let nvram = loader.nvram, !resetNVRAM, access(nvram, F_OK) == 0 { return }
            needResult = false
        }
        guard let fw = select(for: def, from: try descriptors(in: config.firmwareDirs)) else {
            if needResult {
                throw VirError(.operationFailed, "Unable to find any firmware to satisfy '\(def.os.firmware ?? "")'")
            }
            return
        }
        try enable(fw, in: &def, config: config)
        def.os.firmware = nil
    }

    /// What choosing `fw` writes into the definition.
    ///
    /// libvirt: `qemuFirmwareEnableFeatures`.
    static func enable(_ fw: QemuFirmwareDescriptor, in def: inout DomainDef, config: QemuDriverConfig) throws(VirError) {
        var loader = def.os.loader ?? DomainLoaderDef()
        switch fw.device {
        case .flash:
            loader.type = .pflash
            loader.readonly = true
            guard let exe = fw.executable, exe.format == "raw" else {
                throw VirError(.operationUnsupported, "unsupported flash format '\(fw.executable?.format ?? "")'")
            }
            loader.path = exe.filename
            if fw.flashMode == .split, let template = fw.nvramTemplate {
                guard template.format == "raw" else {
                    throw VirError(.operationUnsupported, "unsupported nvram template format '\(template.format)'")
                }
                loader.nvramTemplate = template.filename
                if loader.nvram == nil { loader.nvram = config.nvramFile(name: def.name) }
            }
        case .kernel:
            var os = def.os.node
            os.setChildText("kernel", fw.executable?.filename, order: DomainOSDef.formatOrder)
            def.os.node = os
        case .memory:
            loader.type = .rom
            loader.path = fw.executable?.filename
        }
        if fw.features.contains("requires-smm") {
            switch def.featureState("smm") {
            case "off"?:
                throw VirError(.operationInvalid, "domain has SMM turned off but chosen firmware requires it")
            case nil:
                def.setFeature("smm", state: "on")
            default:
                break
            }
            loader.secure = true
        }
        if fw.device != .kernel || def.os.loader != nil { def.os.loader = loader }
    }
}

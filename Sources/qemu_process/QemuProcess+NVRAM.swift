import Foundation
import Glibc
import domain_conf
import libvirt_abi
import virutil

/// The UEFI variable store: the VM's file, not an instance's. The first
/// start copies it from its template (and `start --reset-nvram` copies it
/// again); every later start, and a migration's destination, opens the
/// file as it is, so that the two instances of a local migration have the
/// same file open and neither truncates nor replaces it.
extension QemuProcess {
    /// Creates the variable store from its template when it does not exist
    /// yet, or when asked to reset it: written beside it, then renamed into
    /// place (mode 0600), so that a reader never sees half of it.
    ///
    /// libvirt: `qemuPrepareNVRAM`.
    static func prepareNVRAM(_ def: DomainDef, reset: Bool) throws(VirError) {
        guard let loader = def.os.loader, let nvram = loader.nvram else { return }
        if access(nvram, F_OK) == 0 && !reset { return }
        guard let template = loader.nvramTemplate else {
            throw VirError(.operationFailed, "unable to find any master var store for loader: \(loader.path ?? "")")
        }
        guard let data = FileManager.default.contents(atPath: template) else {
            throw VirError.system(errno == 0 ? ENOENT : errno, "Failed to open file '\(template)'")
        }
        let dir = (nvram as NSString).deletingLastPathComponent
        if mkdir(dir, 0o700) != 0 && errno != EEXIST {
            throw VirError.system(errno, "cannot create directory '\(dir)'")
        }
        try AtomicFile.write(bytes: [UInt8](data), to: nvram, mode: 0o600)
        log.info("created the NVRAM file from its template", metadata: ["domain": "\(def.name)", "step": "nvram",
                                                                        "path": "\(nvram)", "template": "\(template)"])
    }

    /// A migration's destination takes over the source's variable store:
    /// it must be there, and is opened as it is (never created, truncated
    /// or copied from the template, which would lose what the guest wrote).
    static func checkIncomingNVRAM(_ def: DomainDef) throws(VirError) {
        guard let nvram = def.os.loader?.nvram else { return }
        if access(nvram, F_OK) != 0 {
            throw VirError.system(errno, "NVRAM file '\(nvram)' of the incoming domain is missing")
        }
    }
}

import Foundation
import domain_conf
import libvirt_abi
import virutil

/// What QEMU may touch when it runs as another user (`qemu.conf`'s `user`
/// and `group`): its instance directory, its RAM directory, and the files
/// it opens by path (disks, the NVRAM store, kernel and initrd, file
/// character devices), given to it before it starts and taken back when
/// the instance is gone.
///
/// The instance directory stays the driver's (`root:GROUP`, mode 1770):
/// QEMU creates its sockets and pid file there, but the sticky bit keeps it
/// from replacing the driver's status file or list of labelled files.
/// Each file's owner is remembered in its extended attributes with a count
/// of the instances holding it (`VirSecurityLabel`): both ends of a local
/// migration hold the same images, and the source's end must not take them
/// from the destination.
///
/// libvirt: `virSecurityDACSetAllLabel` / `virSecurityDACRestoreAllLabel`
/// (src/security/security_dac.c), with `qemuSecurityDomainSetPathLabel`
/// for the domain's directories.
public enum QemuSecurityDAC {
    static let log = DriverLog.logger("qemu.security_dac")

    /// The file listing what this instance was given, one path per line.
    static func labelsFile(instanceDir: String) -> String { instanceDir + "/labels" }

    /// The files QEMU opens by path for `def`, each once.
    ///
    /// libvirt: what `virSecurityDACSetAllLabel` walks.
    public static func files(_ def: DomainDef) -> [String] {
        var out: [String] = []
        for disk in def.disks where disk.type == .file || disk.type == .block {
            if let p = disk.sourcePath { out.append(p) }
        }
        if let nvram = def.os.loader?.nvram { out.append(nvram) }
        for element in ["kernel", "initrd", "dtb"] {
            if let p = def.os.node.childText(element) { out.append(p) }
        }
        for chr in def.serials + def.consoles + def.channels where chr.type == .file {
            if let p = chr.sourcePath { out.append(p) }
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    /// Prepares an instance for a QEMU that runs as `identity`, after its
    /// directories exist and before it is spawned. What was given is
    /// listed as it goes, so that `restoreAll` (through
    /// `QemuProcess.removeInstanceDir`) takes back exactly that, even after
    /// a failure half way.
    public static func setAll(_ def: DomainDef, instanceDir: String, ramDir: String?, identity: ProcessIdentity,
                              dynamicOwnership: Bool) throws(VirError) {
        guard chown(instanceDir, geteuid(), identity.gid) == 0, chmod(instanceDir, 0o1770) == 0 else {
            throw VirError.system(errno, "unable to set the owner of '\(instanceDir)' for QEMU's group \(identity.gid)")
        }
        if let ramDir {
            guard chown(ramDir, identity.uid, identity.gid) == 0 else {
                throw VirError.system(errno, "unable to set user and group to '\(identity.uid):\(identity.gid)' on '\(ramDir)'")
            }
        }
        guard dynamicOwnership else { return }
        var given: [String] = []
        for path in files(def) {
            try give(path, identity: identity)
            given.append(path)
            try AtomicFile.write(given.joined(separator: "\n") + "\n", to: labelsFile(instanceDir: instanceDir), durable: false)
        }
    }

    /// Gives one more file to a running instance's QEMU (a disk plugged
    /// in, a medium changed).
    public static func set(_ path: String, instanceDir: String, identity: ProcessIdentity) throws(VirError) {
        try give(path, identity: identity)
        let file = labelsFile(instanceDir: instanceDir)
        try AtomicFile.write(try listed(file).map { $0 + "\n" }.joined() + path + "\n", to: file, durable: false)
    }

    /// Takes one file back from a running instance's QEMU (a disk
    /// unplugged, a medium replaced, a plug that failed).
    public static func release(_ path: String, instanceDir: String) {
        let file = labelsFile(instanceDir: instanceDir)
        log.bestEffort("take a file back", domain: path) {
            var paths = try listed(file)
            guard let i = paths.firstIndex(of: path) else { return }
            paths.remove(at: i)
            try VirSecurityLabel.restore((path as NSString).resolvingSymlinksInPath)
            try AtomicFile.write(paths.map { $0 + "\n" }.joined(), to: file, durable: false)
        }
    }

    private static func give(_ path: String, identity: ProcessIdentity) throws(VirError) {
        // A file character device QEMU would create: created here, as the
        // driver, so that it exists to be given.
        if access(path, F_OK) != 0 {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw VirError.system(errno, "unable to create '\(path)' for QEMU") }
            close(fd)
        }
        let real = (path as NSString).resolvingSymlinksInPath
        let outcome = try VirSecurityLabel.set(real, uid: identity.uid, gid: identity.gid)
        if outcome == .notRemembered {
            log.warning("cannot remember the owner of \(real) (no trusted extended attributes here): it stays QEMU's",
                        metadata: ["domain": "\(path)", "step": "dac"])
        }
    }

    /// Takes back what an instance's QEMU was given, once it is gone: the
    /// last instance holding a file restores its owner. Failures are
    /// logged: the instance is gone either way.
    public static func restoreAll(instanceDir: String) {
        let file = labelsFile(instanceDir: instanceDir)
        let paths: [String]
        do { paths = try listed(file) } catch {
            log.warning("cannot read the list of labelled files: \(error)", metadata: ["domain": "\(instanceDir)", "step": "dac"])
            return
        }
        guard !paths.isEmpty else { return }
        for path in paths {
            let real = (path as NSString).resolvingSymlinksInPath
            log.bestEffort("restore the owner", domain: real) { try VirSecurityLabel.restore(real) }
        }
        log.bestEffort("remove the list of labelled files", domain: instanceDir) { try VirFile.remove(file) }
    }

    /// The paths a labels file lists; none when there is no file.
    private static func listed(_ file: String) throws(VirError) -> [String] {
        guard access(file, F_OK) == 0 else { return [] }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw VirError.system(errno, "cannot read '\(file)'")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

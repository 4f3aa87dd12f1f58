import Glibc
import virutil
import domain_conf
import libvirt_abi
import qemu_capabilities
import qemu_monitor

/// A cache of the status files' headers, in one file beside the instance
/// directories (`status.index`): a driver that opens a root reads it once
/// instead of opening and parsing every running instance's status file,
/// which is most of what a short-lived driver (a virsh command on an
/// embedded root) paid per running guest.
///
/// It is only a cache. An entry counts only while the status file it was
/// read from is unchanged: same inode, size, modification and change times
/// (`fstatat`, one call per instance; a status file is always replaced by a
/// rename, so any write changes its inode and times). And a driver removes
/// the index before its first status write (`remove`), so an inode number
/// reused within one tick of the file times cannot pass for the file the
/// index read. Anything else (no
/// entry, another file, a malformed or missing index) is read from the
/// status file itself, and the driver writes the index again. Instances
/// whose status carries the driver's own elements (a migration in flight,
/// autodestroy) are never cached: their files are read whole anyway.
///
/// Writes happen under the root's lock (`QemuDriverState`), from one
/// driver at a time; a reader never sees half a file (temporary file and
/// rename).
///
/// libvirt: none (libvirtd parses every status file once, at start, and
/// keeps them in memory; the embedded driver starts with every command).
public enum QemuStatusIndex {
    /// What identifies one version of a status file.
    public struct FileKey: Sendable, Equatable {
        public let inode: UInt64
        public let size: Int64
        public let modified: Int64
        public let changed: Int64

        /// The key of the file at `path` now (not following a symbolic
        /// link), or `nil` when there is none.
        public static func of(_ path: String) -> FileKey? {
            var st = stat()
            guard fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
            return FileKey(inode: UInt64(st.st_ino), size: Int64(st.st_size),
                           modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                           changed: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec))
        }
    }

    /// One cached header.
    public struct Entry: Sendable {
        public let key: FileKey
        public let header: QemuStatusHeader

        public init(key: FileKey, header: QemuStatusHeader) {
            self.key = key
            self.header = header
        }
    }

    static let fileName = "status.index"
    static let magic = "lmstatusindex 1"

    /// The index's path under a driver's state directory.
    public static func path(stateDir: String) -> String { "\(stateDir)/\(fileName)" }

    /// The entries of the index, by status file path; empty when there is
    /// no index or it cannot be read (every header is then read from its
    /// file). A line that does not parse is left out.
    public static func load(stateDir: String) -> [String: Entry] {
        let file = path(stateDir: stateDir)
        guard let bytes = try? VirFile.readAll(file, limit: 64 << 20) else { return [:] }
        var entries: [String: Entry] = [:]
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)[...]
        guard let first = lines.popFirst(), String(decoding: first, as: UTF8.self) == magic else { return [:] }
        for line in lines {
            guard let (statusPath, entry) = decode(line, stateDir: stateDir) else { continue }
            entries[statusPath] = entry
        }
        return entries
    }

    /// Whether a header may be cached: nothing of the driver's own in its
    /// status (those elements are XML, read from the file).
    public static func isCacheable(_ header: QemuStatusHeader) -> Bool { header.instance.extra.isEmpty }

    /// Writes the index: one line per header, with the key its status
    /// file had when it was read.
    ///
    /// - Throws: the file cannot be written (the caller logs it; the next
    ///   driver reads the status files).
    public static func save(_ entries: [Entry], stateDir: String) throws(VirError) {
        var text = magic + "\n"
        for e in entries where isCacheable(e.header) {
            text += encode(e)
            text += "\n"
        }
        try AtomicFile.write(text, to: path(stateDir: stateDir), mode: 0o600, durable: false)
    }

    /// Removes the index (none is fine): a driver does before it writes a
    /// status file, and the next driver to open the root writes it again.
    public static func remove(stateDir: String) throws(VirError) {
        let file = path(stateDir: stateDir)
        guard unlink(file) == 0 || errno == ENOENT else {
            throw VirError.system(errno, "cannot remove '\(file)'")
        }
    }

    // MARK: the line format

    // Tab-separated fields; strings escaped (`%`, tab, newline, carriage
    // return as %25, %09, %0A, %0D). Absent values are `-`.
    //   dir inode size mtime ctime  state reason pid starttime persistent
    //   addresses taints  emulator monitor  binary(dev,inode,size,mtime,ctime)
    //   version(major.minor.micro) package  id name uuid

    static func encode(_ e: Entry) -> String {
        let h = e.header
        let i = h.instance
        // The path is `<stateDir>/<dir>/status.xml`.
        let dir = h.path.split(separator: "/").dropLast().last.map(String.init) ?? ""
        let binary = i.binary.map { "\($0.device),\($0.inode),\($0.size),\($0.modified),\($0.changed)" } ?? "-"
        let version = i.qemuVersion.map { "\($0.major).\($0.minor).\($0.micro)" } ?? "-"
        let taints = i.taint.isEmpty ? "-" : i.taint.map { String($0.rawValue) }.sorted().joined(separator: ",")
        let fields: [String] = [
            escape(dir), String(e.key.inode), String(e.key.size), String(e.key.modified), String(e.key.changed),
            String(i.state.state.rawValue), String(i.state.rawReason), String(i.pid), String(i.startTime),
            i.persistent ? "1" : "0", i.addressesAssigned ? "1" : "0", taints,
            escape(i.emulator), escape(i.monitorPath), binary, version, escape(i.qemuVersion?.package ?? ""),
            h.id.map(String.init) ?? "-", escape(h.name), h.uuid.description,
        ]
        return fields.joined(separator: "\t")
    }

    static func decode(_ line: ArraySlice<UInt8>, stateDir: String) -> (String, Entry)? {
        let f = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
        guard f.count == 20,
              let dir = unescape(f[0]), !dir.isEmpty, !dir.utf8.contains(UInt8(ascii: "/")), dir != ".", dir != "..",
              let inode = number(f[1], as: UInt64.self), let size = number(f[2], as: Int64.self),
              let mtime = number(f[3], as: Int64.self), let ctime = number(f[4], as: Int64.self),
              let stateNumber = number(f[5], as: Int32.self), let reasonNumber = number(f[6], as: Int32.self),
              let state = DomainStateReason(state: stateNumber, reason: reasonNumber),
              let pid = number(f[7], as: Int32.self), pid > 0, let start = number(f[8], as: UInt64.self),
              let persistent = flag(f[9]), let addressesAssigned = flag(f[10]),
              let emulator = unescape(f[12]), let monitor = unescape(f[13]), let package = unescape(f[16]),
              let name = unescape(f[18]), !name.isEmpty, let uuid = DomainUUID(String(decoding: f[19], as: UTF8.self)) else { return nil }
        let dash: ArraySlice<UInt8> = [UInt8(ascii: "-")]
        var taint = Set<DomainTaint>()
        if f[11] != dash {
            for t in f[11].split(separator: UInt8(ascii: ",")) {
                guard let n = number(t, as: Int.self), let flag = DomainTaint(rawValue: n) else { return nil }
                taint.insert(flag)
            }
        }
        var binary: QemuBinaryIdentity?
        if f[14] != dash {
            let b = f[14].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            guard b.count == 5, let dev = number(b[0], as: UInt64.self), let ino = number(b[1], as: UInt64.self),
                  let sz = number(b[2], as: Int64.self), let m = number(b[3], as: Int64.self),
                  let c = number(b[4], as: Int64.self) else { return nil }
            binary = QemuBinaryIdentity(path: emulator, device: dev, inode: ino, size: sz, modified: m, changed: c)
        }
        var version: QemuVersion?
        if f[15] != dash {
            let v = f[15].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            guard v.count == 3, let major = number(v[0], as: Int.self), let minor = number(v[1], as: Int.self),
                  let micro = number(v[2], as: Int.self) else { return nil }
            version = QemuVersion(major: major, minor: minor, micro: micro, package: package)
        }
        let id: Int?
        if f[17] == dash { id = nil } else {
            guard let n = number(f[17], as: Int.self) else { return nil }
            id = n
        }
        let instance = QemuStatusFile.Instance(state: state, pid: pid, startTime: start, emulator: emulator, binary: binary,
                                               qemuVersion: version, monitorPath: monitor, persistent: persistent, extra: [],
                                               taint: taint, addressesAssigned: addressesAssigned)
        let statusPath = "\(stateDir)/\(dir)/status.xml"
        let header = QemuStatusHeader(path: statusPath, instance: instance, name: name, uuid: uuid, id: id)
        return (statusPath, Entry(key: FileKey(inode: inode, size: size, modified: mtime, changed: ctime), header: header))
    }

    /// A decimal number, `-` allowed first for signed types; `nil` for
    /// anything else or an overflow.
    static func number<T: FixedWidthInteger>(_ field: ArraySlice<UInt8>, as: T.Type) -> T? {
        var digits = field[...]
        let negative = T.isSigned && digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 20 else { return nil }
        var value: T = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (v, o2) = negative ? m.subtractingReportingOverflow(T(d - UInt8(ascii: "0")))
                                   : m.addingReportingOverflow(T(d - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = v
        }
        return value
    }

    static func flag(_ field: ArraySlice<UInt8>) -> Bool? {
        guard field.count == 1 else { return nil }
        switch field.first {
        case UInt8(ascii: "1"): return true
        case UInt8(ascii: "0"): return false
        default: return nil
        }
    }

    static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == 9 || $0 == 10 || $0 == 13 }) else { return s }
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "%": out += "%25"
            case "\t": out += "%09"
            case "\n": out += "%0A"
            case "\r": out += "%0D"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `nil` for an escape this format does not write, or text that is
    /// not UTF-8.
    static func unescape(_ field: ArraySlice<UInt8>) -> String? {
        let percent = UInt8(ascii: "%")
        guard field.contains(percent) else { return String(validating: field, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(field.count)
        var i = field.startIndex
        while i < field.endIndex {
            guard field[i] == percent else { out.append(field[i]); i += 1; continue }
            guard field.endIndex - i >= 3 else { return nil }
            switch (field[i + 1], field[i + 2]) {
            case (UInt8(ascii: "2"), UInt8(ascii: "5")): out.append(percent)
            case (UInt8(ascii: "0"), UInt8(ascii: "9")): out.append(9)
            case (UInt8(ascii: "0"), UInt8(ascii: "A")): out.append(10)
            case (UInt8(ascii: "0"), UInt8(ascii: "D")): out.append(13)
            default: return nil
            }
            i += 3
        }
        return String(validating: out, as: UTF8.self)
    }
}

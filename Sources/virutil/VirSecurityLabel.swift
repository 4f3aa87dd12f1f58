import CGlibc
import Glibc
import Foundation
import libvirt_abi

/// Gives a file to another user and takes it back, remembering its owner
/// in the file's extended attributes with a count of the holders, so that
/// two QEMU processes holding one image (the two ends of a local
/// migration) share it: the first sets the owner, the last one to let go
/// restores it.
///
/// The attributes are libvirt's: `trusted.libvirt.security.dac` holds the
/// original owner (`+UID:+GID`), `trusted.libvirt.security.ref_dac` the
/// count, so that libvirt and this driver read each other's records.
///
/// libvirt: `virSecurityDACSetOwnership` and `virSecurityDACRestoreFileLabel`
/// with `virSecuritySetRememberedLabel` / `virSecurityGetRememberedLabel`
/// (src/security/security_dac.c, src/security/security_util.c).
public enum VirSecurityLabel {
    static let ownerAttribute = "trusted.libvirt.security.dac"
    static let countAttribute = "trusted.libvirt.security.ref_dac"
    static let timestampAttribute = "trusted.libvirt.security.timestamp_dac"

    /// The host's boot time (seconds since the epoch), which marks a
    /// record as this boot's: a record from before a reboot counts holders
    /// that died with the host, and is dropped. As libvirt computes it:
    /// utmp's boot record, else now minus /proc/uptime, rounded.
    ///
    /// libvirt: `virHostGetBootTime` (src/util/virhostuptime.c).
    static let bootTime: String? = {
        setutxent()
        defer { endutxent() }
        var id = utmpx()
        id.ut_type = Int16(BOOT_TIME)
        if let boot = getutxid(&id), boot.pointee.ut_tv.tv_sec > 0 { return String(boot.pointee.ut_tv.tv_sec) }
        guard let text = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
              let up = text.split(separator: " ").first.flatMap({ Double($0) }) else { return nil }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return String(Int64((Double(now.tv_sec) - up).rounded()))
    }()

    /// What `set` did.
    public enum Outcome: Sendable, Equatable {
        /// The file had no holder: its owner is remembered, the new one set.
        case remembered
        /// Others hold it already: one more holder.
        case shared(holders: Int)
        /// The file system keeps no extended attributes, or the driver may
        /// not write trusted ones: owner set, nothing remembered (and
        /// `restore` leaves it).
        case notRemembered
    }

    /// Makes `uid:gid` the owner of `path` (followed if a link), and
    /// counts one more holder.
    public static func set(_ path: String, uid: uid_t, gid: gid_t) throws(VirError) -> Outcome {
        let outcome: Outcome
        dropStaleRecord(path)
        if let count = readCount(path) {
            try write(path, countAttribute, String(count + 1))
            outcome = .shared(holders: count + 1)
        } else {
            var st = stat()
            guard stat(path, &st) == 0 else { throw VirError.system(errno, "unable to stat: \(path)") }
            if setxattr(path, ownerAttribute, "+\(st.st_uid):+\(st.st_gid)", "+\(st.st_uid):+\(st.st_gid)".utf8.count, 0) != 0 {
                let err = errno
                // No such attributes on this file system, or no right to
                // trusted.* (a container without CAP_SYS_ADMIN).
                guard err == ENOTSUP || err == EPERM else {
                    throw VirError.system(err, "Unable to set XATTR \(ownerAttribute) on \(path)")
                }
                outcome = .notRemembered
            } else {
                try write(path, countAttribute, "1")
                if let bootTime { try write(path, timestampAttribute, bootTime) }
                outcome = .remembered
            }
        }
        guard chown(path, uid, gid) == 0 else {
            let err = errno
            throw VirError.system(err, "unable to set user and group to '\(uid):\(gid)' on '\(path)'")
        }
        return outcome
    }

    /// One holder fewer; the last one restores the remembered owner and
    /// drops the record.
    ///
    /// - Returns: the owner restored, or `nil` when others still hold the
    ///   file or nothing was remembered.
    @discardableResult
    public static func restore(_ path: String) throws(VirError) -> (uid: uid_t, gid: gid_t)? {
        dropStaleRecord(path)
        guard let count = readCount(path) else { return nil }
        if count > 1 {
            try write(path, countAttribute, String(count - 1))
            return nil
        }
        let owner = read(path, ownerAttribute).flatMap(parseOwner)
        removeRecord(path)
        guard let owner else { return nil }
        guard chown(path, owner.uid, owner.gid) == 0 else {
            let err = errno
            throw VirError.system(err, "unable to set user and group to '\(owner.uid):\(owner.gid)' on '\(path)'")
        }
        return owner
    }

    /// The number of holders `path` has (`nil`: none remembered).
    public static func holders(_ path: String) -> Int? { readCount(path) }

    /// The owner `path` had before its first holder (`nil`: none
    /// remembered).
    public static func rememberedOwner(_ path: String) -> (uid: uid_t, gid: gid_t)? {
        read(path, ownerAttribute).flatMap(parseOwner)
    }

    /// A record without this boot's timestamp (libvirt writes one; a
    /// record from before a reboot, or without one, counts holders that
    /// are gone) is dropped, its owner not restored, as libvirt drops it.
    ///
    /// libvirt: `virSecurityValidateTimestamp`.
    private static func dropStaleRecord(_ path: String) {
        guard read(path, countAttribute) != nil || read(path, ownerAttribute) != nil else { return }
        guard let bootTime, read(path, timestampAttribute) != bootTime else { return }
        log.warning("Invalid XATTR timestamp detected on \(path) secdriver=dac", metadata: ["domain": "\(path)", "step": "dac"])
        removeRecord(path)
    }

    private static func removeRecord(_ path: String) {
        for name in [countAttribute, ownerAttribute, timestampAttribute] where removexattr(path, name) != 0 && errno != ENODATA {
            log.warning("Unable to remove XATTR \(name) on \(path): \(VirError.strerror(errno))",
                        metadata: ["domain": "\(path)", "step": "dac"])
        }
    }

    static let log = DriverLog.logger("util.security")

    private static func readCount(_ path: String) -> Int? {
        read(path, countAttribute).flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    private static func parseOwner(_ text: String) -> (uid: uid_t, gid: gid_t)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].hasPrefix("+"), parts[1].hasPrefix("+"),
              let uid = uid_t(parts[0].dropFirst()), let gid = gid_t(parts[1].dropFirst()) else { return nil }
        return (uid, gid)
    }

    private static func read(_ path: String, _ name: String) -> String? {
        var buf = [UInt8](repeating: 0, count: 256)
        let n = getxattr(path, name, &buf, buf.count)
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n], as: UTF8.self)
    }

    private static func write(_ path: String, _ name: String, _ value: String) throws(VirError) {
        guard setxattr(path, name, value, value.utf8.count, 0) == 0 else {
            throw VirError.system(errno, "Unable to set XATTR \(name) on \(path)")
        }
    }
}

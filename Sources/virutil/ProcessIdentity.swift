import Glibc
import libvirt_abi

/// A user a child process runs as: its uid, its gid and supplementary
/// groups, and no capabilities (none permitted, effective or ambient, and
/// an empty bounding set, so that nothing it executes can regain one).
///
/// libvirt: the `user`/`group` of `qemu.conf` as `virCommandSetUID`,
/// `virCommandSetGID` and `virCommandClearCaps` apply them
/// (`virSetUIDGIDWithCaps`).
public struct ProcessIdentity: Sendable, Equatable, CustomStringConvertible {
    public var uid: uid_t
    public var gid: gid_t
    /// The supplementary groups (`getgrouplist` of the user, with `gid`).
    public var groups: [gid_t]

    public init(uid: uid_t, gid: gid_t, groups: [gid_t]) {
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }

    /// The identity of `user` and `group` as `qemu.conf` spells them: a
    /// name, or `+N` for a number (libvirt: `virGetUserID`,
    /// `virGetGroupID`). The supplementary groups are the user's, when the
    /// user has an account: its primary group and the groups that list it,
    /// and `group` (libvirt: `virGetGroupList`). So `libvirt-qemu` with
    /// group `libvirt-qemu` keeps its primary group `kvm`, which /dev/kvm
    /// belongs to.
    public init(user: String, group: String) throws(VirError) {
        let uid = try Self.lookup(user, kind: "user")
        let gid = try Self.lookup(group, kind: "group")
        var groups: [gid_t] = [gid]
        if let (name, primary) = Self.account(uid) {
            var count: Int32 = 64
            var list = [gid_t](repeating: 0, count: Int(count))
            if getgrouplist(name, primary, &list, &count) < 0 {
                list = [gid_t](repeating: 0, count: Int(count))
                _ = getgrouplist(name, primary, &list, &count)
            }
            groups = Array(list.prefix(Int(max(count, 0))))
            if !groups.contains(gid) { groups.append(gid) }
        }
        self.init(uid: uid, gid: gid, groups: groups)
    }

    /// Whether a child would run as the caller runs (no switch to make).
    public var isCaller: Bool { uid == geteuid() && gid == getegid() }

    public var description: String { "\(Self.userName(uid) ?? "+\(uid)"):\(Self.groupName(gid) ?? "+\(gid)")" }

    private static func lookup(_ spec: String, kind: String) throws(VirError) -> UInt32 {
        if spec.hasPrefix("+") {
            guard let n = UInt32(spec.dropFirst()) else {
                throw VirError(.invalidArg, "Failed to parse \(kind) '\(spec)'")
            }
            return n
        }
        var buf = [CChar](repeating: 0, count: 16384)
        if kind == "user" {
            var pw = passwd(), result: UnsafeMutablePointer<passwd>?
            if getpwnam_r(spec, &pw, &buf, buf.count, &result) == 0, let result { return result.pointee.pw_uid }
        } else {
            var gr = group(), result: UnsafeMutablePointer<group>?
            if getgrnam_r(spec, &gr, &buf, buf.count, &result) == 0, let result { return result.pointee.gr_gid }
        }
        if let n = UInt32(spec) { return n }
        throw VirError(.internalError, "Failed to find \(kind) record for name '\(spec)'")
    }

    static func userName(_ uid: uid_t) -> String? { account(uid)?.name }

    /// The user's name and primary group, from its passwd entry.
    static func account(_ uid: uid_t) -> (name: String, primaryGroup: gid_t)? {
        var pw = passwd(), result: UnsafeMutablePointer<passwd>?
        var buf = [CChar](repeating: 0, count: 16384)
        guard getpwuid_r(uid, &pw, &buf, buf.count, &result) == 0, let result, let name = result.pointee.pw_name else { return nil }
        return (String(cString: name), result.pointee.pw_gid)
    }

    static func groupName(_ gid: gid_t) -> String? {
        var gr = group(), result: UnsafeMutablePointer<group>?
        var buf = [CChar](repeating: 0, count: 16384)
        guard getgrgid_r(gid, &gr, &buf, buf.count, &result) == 0, let result, let name = result.pointee.gr_name else { return nil }
        return String(cString: name)
    }
}

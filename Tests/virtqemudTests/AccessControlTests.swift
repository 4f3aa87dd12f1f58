import Foundation
import Glibc
import Testing
import TestSupport
import remote

/// Who may connect, and what a read-only client may do: the read-write
/// socket (0700), the read-only socket (0777) whose clients are read-only
/// whatever they ask for, `unix_sock_group` and the modes of
/// `virtqemud.conf`, and the refusals a read-only connection gets, with
/// libvirt's messages. Debian's virsh, run as an unprivileged user the
/// test creates, sees the same from virtqemud as from Debian's libvirtd.
@Suite(.serialized) struct AccessControlTests {
    /// The unprivileged user the tests run virsh as (created if missing).
    static let user = "lm-unpriv"

    static func ensureUser() throws -> (uid: uid_t, gid: gid_t) {
        if getpwnam(user) == nil {
            let r = try Command.run("/usr/sbin/useradd", ["--system", "--user-group", "--no-create-home",
                                                          "--shell", "/usr/sbin/nologin", user])
            #expect(r.status == 0, "\(r)")
        }
        guard let pw = getpwnam(user) else { throw CocoaError(.fileNoSuchFile) }
        return (pw.pointee.pw_uid, pw.pointee.pw_gid)
    }

    /// Debian's virsh as the unprivileged user (with `groups` as its
    /// supplementary groups), in a home of its own.
    static func virshAsUser(_ uri: String, _ args: [String], home: String, groups: [gid_t] = []) throws -> Command.Result {
        let group = groups.isEmpty ? ["--clear-groups"] : ["--groups", groups.map(String.init).joined(separator: ",")]
        return try Command.run("/usr/bin/setpriv", ["--reuid", user, "--regid", user] + group +
                               ["/usr/bin/env", "HOME=\(home)", "/usr/bin/virsh", "-c", uri] + args)
    }

    /// A directory the unprivileged user may enter (sockets go there, as
    /// in /run/libvirt), with a home and a domain XML file it can read.
    static func publicDirectory(in root: TestRoot, uid: uid_t, gid: gid_t, xml: String) throws -> String {
        chmod(root.path, 0o711)
        let dir = root.path + "/pub"
        try FileManager.default.createDirectory(atPath: dir + "/home", withIntermediateDirectories: true)
        chmod(dir, 0o755)
        chown(dir + "/home", uid, gid)
        try xml.write(toFile: dir + "/vm.xml", atomically: false, encoding: .utf8)
        chmod(dir + "/vm.xml", 0o644)
        return dir
    }

    static func mode(_ path: String) -> (mode: mode_t, gid: gid_t)? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return (st.st_mode & 0o7777, st.st_gid)
    }

    @Test func theReadOnlySocketMakesEveryConnectionReadOnly() throws {
        let root = TestRoot("acl-ro")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        defer { daemon.stop() }
        #expect(Self.mode(daemon.socket)?.mode == 0o700)
        #expect(Self.mode(daemon.socket + "-ro")?.mode == 0o777)

        let rw = try daemon.client()
        defer { rw.close() }
        let disk = try CounterGuest.disk(in: root.path)
        let xml = CounterGuest.domainXML(name: "vm", disk: disk, serialLog: root.path + "/serial.log")
            .replacingOccurrences(of: "</devices>", with: "<graphics type='vnc' port='-1' autoport='yes' passwd='s3cret'/></devices>")
        let dom = try rw.call(RemoteCalls.DomainDefineXMLFlags.self, StringFlagsArgs(xml, flags: 0)).dom

        // The client does not ask for read-only: the socket decides.
        let ro = try RemoteClient(socketPath: daemon.socket + "-ro")
        defer { ro.close() }
        try ro.open(flags: 0)
        #expect(try ro.call(RemoteCalls.DomainLookupByName.self, StringValue("vm")).dom == dom)
        #expect(try ro.call(RemoteCalls.ConnectListAllDomains.self, ConnectListAllDomainsArgs()).count == 1)
        func refused(_ api: String, _ body: () throws -> Void) {
            do {
                try body()
                Issue.record("a read-only connection was allowed \(api)")
            } catch let error as RemoteError {
                #expect(error.code == .operationDenied, "\(api)")
                #expect(error.message == "operation forbidden: read only access prevents \(api)")
            } catch {
                Issue.record("\(api): \(error)")
            }
        }
        refused("virDomainCreate") { try ro.call(RemoteCalls.DomainCreate.self, DomainArgs(dom: dom)) }
        refused("virDomainDefineXMLFlags") { _ = try ro.call(RemoteCalls.DomainDefineXMLFlags.self, StringFlagsArgs(xml, flags: 0)) }
        refused("virDomainUndefineFlags") { try ro.call(RemoteCalls.DomainUndefineFlags.self, DomainFlagsArgs(dom: dom)) }
        refused("virDomainMigrateBegin3Params") {
            _ = try ro.call(RemoteCalls.DomainMigrateBegin3Params.self, DomainMigrateBegin3ParamsArgs(dom: dom, params: [], flags: 1))
        }

        // Secrets: stripped without VIR_DOMAIN_XML_SECURE, refused with it
        // on a read-only connection.
        let plain = try rw.call(RemoteCalls.DomainGetXMLDesc.self, DomainFlagsArgs(dom: dom, flags: 0)).value
        #expect(plain.contains("<graphics type=\"vnc\"") || plain.contains("<graphics type='vnc'"))
        #expect(!plain.contains("s3cret"))
        #expect(try rw.call(RemoteCalls.DomainGetXMLDesc.self, DomainFlagsArgs(dom: dom, flags: 1)).value.contains("passwd='s3cret'"))
        #expect(!(try ro.call(RemoteCalls.DomainGetXMLDesc.self, DomainFlagsArgs(dom: dom, flags: 0)).value.contains("s3cret")))
        do {
            _ = try ro.call(RemoteCalls.DomainGetXMLDesc.self, DomainFlagsArgs(dom: dom, flags: 1))
            Issue.record("a read-only connection read the secrets")
        } catch {
            #expect(error.code == .operationDenied)
            #expect(error.message == "operation forbidden: virDomainGetXMLDesc with secure flag")
        }
        try rw.call(RemoteCalls.DomainUndefineFlags.self, DomainFlagsArgs(dom: dom))
    }

    /// What an unprivileged user gets from Debian's virsh: the commands,
    /// with `%xml` for a readable domain definition.
    static let steps: [(socket: String, args: [String])] = [
        ("rw", ["list", "--all"]),
        ("ro", ["list", "--all"]),
        ("ro", ["domstate", "vm"]),
        ("ro", ["start", "vm"]),
        ("ro", ["define", "%xml"]),
        ("ro", ["undefine", "vm"]),
        ("ro", ["migrate", "--live", "vm", "%rw"]),
        ("ro", ["dumpxml", "--security-info", "vm"]),
        ("ro", ["destroy", "vm"]),
    ]

    @Test func anUnprivilegedUserIsRefusedReadWriteAndCanOnlyLookThroughTheReadOnlySocketAsWithLibvirtd() throws {
        let (uid, gid) = try Self.ensureUser()
        let root = TestRoot("acl-user")
        defer { #expect(root.cleanup() == []) }
        let disk = try CounterGuest.disk(in: root.path)
        let xml = CounterGuest.domainXML(name: "vm", disk: disk, serialLog: root.path + "/serial.log")
        let pub = try Self.publicDirectory(in: root, uid: uid, gid: gid, xml: xml)

        let daemon = try VirtqemudProcess(root: root, socket: pub + "/virtqemud-sock")
        defer { daemon.stop() }
        let ours = "qemu+unix:///system?socket=\(pub)/virtqemud-sock"
        #expect(try Command.virsh(ours, "define", pub + "/vm.xml").status == 0)

        var why = ""
        // Without polkit (which this daemon does not have), as libvirt's
        // default for such a daemon: a read-write socket for its owner only.
        guard let libvirtd = PrivateLibvirtd.start(config: """
            auth_unix_rw = "none"
            auth_unix_ro = "none"
            unix_sock_rw_perms = "0700"
            unix_sock_ro_perms = "0777"
            """, why: &why) else {
            Issue.record("libvirtd: \(why)")
            return
        }
        defer { libvirtd.stop() }
        #expect(try Command.virsh(libvirtd.uri, "define", pub + "/vm.xml").status == 0)

        for (socket, args) in Self.steps {
            func run(_ rw: String, _ ro: String, _ socketPath: String) throws -> String {
                let a = args.map { $0 == "%xml" ? pub + "/vm.xml" : $0 == "%rw" ? rw : $0 }
                let r = try Self.virshAsUser(socket == "rw" ? rw : ro, a, home: pub + "/home")
                return "status \(r.status)\n\(r.stdout)\(r.stderr)".replacingOccurrences(of: socketPath, with: "SOCKET")
            }
            let got = try run(ours, ours + "-ro", pub + "/virtqemud-sock")
            let want = try run(libvirtd.uri, libvirtd.readOnlyURI, libvirtd.dir + "/run/libvirt-sock")
            #expect(got == want, "virsh \(args.joined(separator: " ")) on the \(socket) socket")
            // Each step is refused as a user expects, not by chance.
            if socket == "rw" { #expect(got.contains("Failed to connect socket to 'SOCKET': Permission denied")) }
            if ["start", "define", "undefine", "destroy"].contains(args[0]) {
                #expect(got.contains("operation forbidden: read only access prevents"), "\(args[0])")
            }
        }
        // And nothing was changed.
        #expect(try Command.virsh(ours, "domstate", "vm").stdout.hasPrefix("shut off"))
        #expect(try Command.virsh(ours, "undefine", "vm").status == 0)
        #expect(try Command.virsh(libvirtd.uri, "undefine", "vm").status == 0)
    }

    @Test func theSocketsTakeTheConfiguredGroupAndModesAndTheGroupGetsReadWrite() throws {
        let (uid, gid) = try Self.ensureUser()
        guard let kvm = getgrnam("kvm")?.pointee.gr_gid else {
            Issue.record("no kvm group (Debian's qemu-system packages make it)")
            return
        }
        let root = TestRoot("acl-grp")
        defer { #expect(root.cleanup() == []) }
        let disk = try CounterGuest.disk(in: root.path)
        let pub = try Self.publicDirectory(in: root, uid: uid, gid: gid,
                                           xml: CounterGuest.domainXML(name: "vm", disk: disk, serialLog: root.path + "/serial.log"))
        let conf = pub + "/virtqemud.conf"
        try """
            # as an administrator would write it
            unix_sock_group = "kvm"
            unix_sock_rw_perms = "0770"
            unix_sock_ro_perms = "0775"
            """.write(toFile: conf, atomically: false, encoding: .utf8)
        let daemon = try VirtqemudProcess(root: root, socket: pub + "/virtqemud-sock", extraArgs: ["--config", conf])
        defer { daemon.stop() }
        #expect(Self.mode(daemon.socket).map { [$0.mode, mode_t($0.gid)] } == [0o770, mode_t(kvm)])
        #expect(Self.mode(daemon.socket + "-ro").map { [$0.mode, mode_t($0.gid)] } == [0o775, mode_t(kvm)])

        let uri = "qemu+unix:///system?socket=\(daemon.socket)"
        // In the group: read-write.
        let defined = try Self.virshAsUser(uri, ["define", pub + "/vm.xml"], home: pub + "/home", groups: [kvm])
        #expect(defined.status == 0, "\(defined)")
        #expect(defined.stdout.contains("Domain 'vm' defined from"))
        // Not in it: nothing.
        let outside = try Self.virshAsUser(uri, ["list", "--all"], home: pub + "/home")
        #expect(outside.status == 1)
        #expect(outside.stderr.contains("Failed to connect socket to '\(daemon.socket)': Permission denied"))
        let undefined = try Self.virshAsUser(uri, ["undefine", "vm"], home: pub + "/home", groups: [kvm])
        #expect(undefined.status == 0, "\(undefined)")
    }

    @Test func aReadWriteSocketOpenToEveryUserIsRefusedUnlessAskedFor() throws {
        guard let binary = VirtqemudProcess.binary else {
            Issue.record("virtqemud is not built")
            return
        }
        let root = TestRoot("acl-mode")
        defer { #expect(root.cleanup() == []) }
        let socket = root.path + "/s"
        let r = try Command.run(binary, ["--socket", socket, "--root", root.path, "--mode", "0777"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("refusing read-write socket mode 777: it lets every user on the host control the daemon (use --allow-others-rw if that is meant)"))
        let conf = root.path + "/virtqemud.conf"
        try "unix_sock_rw_perms = \"0666\"\n".write(toFile: conf, atomically: false, encoding: .utf8)
        let c = try Command.run(binary, ["--socket", socket, "--root", root.path, "--config", conf])
        #expect(c.status == 2)
        #expect(c.stderr.contains("refusing read-write socket mode 666"))
        try "unix_sock_rw_perms = \"07x\"\n".write(toFile: conf, atomically: false, encoding: .utf8)
        let bad = try Command.run(binary, ["--socket", socket, "--root", root.path, "--config", conf])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("Failed to parse mode '07x'"))
        #expect(!FileManager.default.fileExists(atPath: socket))

        let forced = try VirtqemudProcess(root: root, extraArgs: ["--mode", "0777", "--allow-others-rw"])
        defer { forced.stop() }
        #expect(Self.mode(forced.socket)?.mode == 0o777)
    }
}

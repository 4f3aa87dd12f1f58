import Foundation
import Glibc
import Testing
import libvirt_abi
import virutil

/// `VirCommand.identity`: the child runs as another user, with no
/// capability, and gets the same descriptors as a `posix_spawn` child.
@Suite struct VirCommandIdentityTests {
    @Test func theChildRunsAsTheIdentityWithNoCapabilities() throws {
        var command = VirCommand(["/bin/sh", "-c", "id -u; id -g; id -G; grep -E '^Cap(Prm|Eff|Bnd|Amb)' /proc/self/status; ls /proc/self/fd"],
                                 environment: ["PATH=/usr/bin:/bin"])
        command.identity = ProcessIdentity(uid: 65534, gid: 65534, groups: [65534, 100])
        command.stderr = .stdout
        let (status, out) = try command.output()
        #expect(VirCommand.exitCode(status) == 0)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(Array(lines.prefix(3)) == ["65534", "65534", "65534 100"])
        #expect(lines.filter { $0.hasPrefix("Cap") }.allSatisfy { $0.hasSuffix("0000000000000000") })
        #expect(lines.filter { $0.hasPrefix("Cap") }.count == 4)
        // 0, 1, 2, and the descriptor ls opens for the listing.
        #expect(lines.dropFirst(7) == ["0", "1", "2", "3"])
    }

    @Test func aProgramThatCannotStartIsAnErrorWithItsErrno() {
        var command = VirCommand(["/nonexistent/qemu"], environment: [])
        command.identity = ProcessIdentity(uid: 65534, gid: 65534, groups: [])
        let error = #expect(throws: VirError.self) { try command.spawn() }
        #expect(error?.message.contains("No such file or directory") == true, "\(String(describing: error))")
    }
}

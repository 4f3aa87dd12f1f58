import Foundation
import Glibc
import Testing
import TestSupport

/// `save`/`restore` and `managedsave`/`start` on the embedded driver, with
/// the counter guest: the way libvirt's users restart QEMU today, kept to
/// compare with the local migration. The guest goes on counting from where
/// it stopped (it is not booted again), a paused save restores paused, and
/// the refusals are libvirt's.
@Suite(.serialized) struct SaveRestoreShellTests {
    init() throws {
        try #require(Virsh.ours != nil, "our virsh is not built")
    }

    @Test func saveRestoreAndManagedSaveKeepTheGuestGoing() throws {
        let g = try LocalMigrationShellTests.Guest("saverestore")
        defer { #expect(g.root.cleanup() == []) }
        let image = g.root.path + "/vm.save"
        #expect(g.virsh("define", g.xmlFile).status == 0)
        let notRunning = g.virsh("save", g.name, image)
        #expect(notRunning.stderr == "error: Failed to save domain '\(g.name)' to \(image)\nerror: Requested operation is not valid: domain is not running\n",
                "\(notRunning)")
        #expect(g.virsh("start", g.name).status == 0)
        #expect(g.counterAdvances())
        let qemuBefore = g.qemus

        let s = g.virsh("save", g.name, image)
        #expect(s == VirshResult(stdout: "\nDomain '\(g.name)' saved to \(image)\n\n", stderr: "", status: 0), "\(s)")
        #expect(g.virsh("domstate", "--reason", g.name).stdout == "shut off (saved)\n\n")
        #expect(g.qemus.isEmpty, "the QEMU is gone")
        let atSave = CounterGuest.counters(inLog: g.serial).last ?? 0
        let data = try #require(FileManager.default.contents(atPath: image))
        #expect(data.prefix(16) == Data("LibvirtQemudSave".utf8), "libvirt's save image layout")

        let r = g.virsh("restore", image)
        #expect(r == VirshResult(stdout: "Domain restored from \(image)\n\n", stderr: "", status: 0), "\(r)")
        #expect(g.virsh("domstate", "--reason", g.name).stdout == "running (restored)\n\n")
        #expect(g.counterAdvances(by: 5))
        #expect(g.countersAreContinuous(), "counting on from \(atSave), not booted again")
        #expect(g.qemus.count == 1 && g.qemus != qemuBefore, "a new QEMU")
        let again = g.virsh("restore", image)
        #expect(again.stderr == "error: Failed to restore domain from \(image)\nerror: Requested operation is not valid: domain '\(g.name)' is already active\n",
                "\(again)")

        // Paused when saved with --paused: restored paused.
        #expect(g.virsh("save", "--paused", g.name, image).status == 0)
        #expect(g.virsh("restore", image).status == 0)
        #expect(g.virsh("domstate", g.name).stdout == "paused\n\n")
        #expect(g.virsh("resume", g.name).status == 0)
        #expect(g.counterAdvances())

        // managedsave: dominfo says so, start goes on from it, the image goes.
        let m = g.virsh("managedsave", g.name)
        #expect(m == VirshResult(stdout: "\nDomain '\(g.name)' state saved by libvirt\n\n", stderr: "", status: 0), "\(m)")
        #expect(g.info()["Managed save"] == "yes")
        let refused = g.virsh("undefine", g.name)
        #expect(refused.stderr.hasSuffix("error: Requested operation is not valid: Refusing to undefine while domain managed save image exists\n"),
                "\(refused)")
        #expect(g.virsh("start", g.name).status == 0)
        #expect(g.virsh("domstate", "--reason", g.name).stdout == "running (restored)\n\n")
        #expect(g.info()["Managed save"] == "no")
        #expect(g.counterAdvances())
        #expect(g.countersAreContinuous())
        let none = g.virsh("managedsave-remove", g.name)
        #expect(none.stdout == "Domain '\(g.name)' has no manage save image; removal skipped\n", "\(none)")

        // managedsave, then thrown away: start boots afresh.
        #expect(g.virsh("managedsave", g.name).status == 0)
        #expect(g.virsh("managedsave-remove", g.name).stdout == "Removed managedsave image for domain '\(g.name)'\n")
        #expect(g.virsh("start", g.name).status == 0)
        #expect(g.virsh("domstate", "--reason", g.name).stdout == "running (booted)\n\n")
        #expect(g.virsh("destroy", g.name).status == 0)
        #expect(g.virsh("undefine", g.name).status == 0)
        unlink(image)
    }

    /// The virsh process that runs a save is killed while QEMU writes the
    /// image (8 MiB of random ballast at 1 MiB/s, so that it takes a while): the
    /// next command's driver finds the save job in the status file,
    /// cancels QEMU's transfer, runs the guest again and removes the
    /// unfinished image. The guest runs once, in its QEMU, and counts on.
    @Test func aSaveWhoseDriverDiesIsUndoneByTheNext() throws {
        let g = try LocalMigrationShellTests.Guest("savedie", sharedMemory: false, ballastMiB: 8)
        defer { #expect(g.root.cleanup() == []) }
        let image = g.root.path + "/vm.save"
        #expect(g.virsh("define", g.xmlFile).status == 0)
        #expect(g.virsh("start", g.name).status == 0)
        #expect(g.counterAdvances())
        let qemu = g.qemus
        #expect(g.virsh("migrate-setspeed", g.name, "1").status == 0)

        var env = ProcessInfo.processInfo.environment
        env["LIBVIRT_DEFAULT_URI"] = g.root.uri
        let saving = try Subprocess(Virsh.ours ?? "", ["save", g.name, image], environment: env, stdout: .null, stderr: .null)
        let size = { (try? FileManager.default.attributesOfItem(atPath: image)[.size] as? Int) ?? 0 }
        #expect(Wait.untilBlocking(timeout: .seconds(60)) { size() > 1 << 20 }, "QEMU writes the image")
        saving.signal(SIGKILL)
        saving.wait()
        #expect(g.qemus == qemu, "the QEMU outlives the driver")

        let state = g.virsh("domstate", "--reason", g.name)
        #expect(state.stdout == "running (save canceled)\n\n", "\(state)")
        #expect(!FileManager.default.fileExists(atPath: image), "the unfinished image is gone")
        #expect(g.qemus == qemu, "the same QEMU runs the guest")
        #expect(g.counterAdvances(by: 5))
        #expect(g.countersAreContinuous())
        #expect(g.virsh("domjobinfo", g.name).stdout == "Job type:         None        \n\n")
        // And the guest saves normally after that.
        #expect(g.virsh("migrate-setspeed", g.name, "8796093022207").status == 0)
        #expect(g.virsh("save", g.name, image).status == 0)
        #expect(g.virsh("domstate", "--reason", g.name).stdout == "shut off (saved)\n\n")
        #expect(g.qemus.isEmpty)
    }
}

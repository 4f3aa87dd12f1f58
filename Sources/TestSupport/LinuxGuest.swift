import Foundation
import Synchronization

/// The tests' Linux guest: Debian's kernel (scripts/setup-linux-guest.sh
/// unpacks it into /opt/linux-guest) booted by the driver (`<os><kernel>`)
/// with an initramfs of busybox-static, Debian's QEMU guest agent and
/// guest/linux/init, which says what devices it found, starts the agent on
/// its channel (`lmguest: agent`) and then counts, each value to the serial
/// console (`lmguest: count N`) and to its own 16-byte slot of the virtio
/// disk.
public enum LinuxGuest {
    public static let kernel = "/opt/linux-guest/vmlinuz"

    private static let built = Mutex<String?>(nil)

    /// The initramfs, built with `make -C guest linux` when missing.
    public static func initramfs() throws -> String {
        try built.withLock { cached in
            if let cached { return cached }
            let guest = Fixtures.projectRoot.appendingPathComponent("guest").path
            let made = try Subprocess.run("/usr/bin/make", ["-s", "-C", guest, "linux"])
            let path = guest + "/build/linux-initramfs.cpio"
            guard made.status == 0, FileManager.default.fileExists(atPath: path) else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: made.description])
            }
            cached = path
            return path
        }
    }

    /// An empty 1 MiB raw disk for the counter's slots.
    public static func disk(in dir: String) throws -> String {
        try blankDisk(dir + "/linux-disk.raw", bytes: 1 << 20)
    }

    /// An empty 64 MiB raw disk (sparse), which the guest formats (FAT32:
    /// busybox makes no other, and FAT32 wants 65,525 clusters) and mounts
    /// on /mnt/data when it is its second disk (`vdb`).
    public static func dataDisk(in dir: String) throws -> String {
        try blankDisk(dir + "/linux-data.raw", bytes: 64 << 20)
    }

    /// A sparse file of `bytes` zeros at `path`.
    static func blankDisk(_ path: String, bytes: UInt64) throws -> String {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.truncate(atOffset: bytes)
        try h.close()
        return path
    }

    /// Domain XML: TCG, 96 MiB of shared file-backed RAM, the kernel and
    /// initramfs, a virtio disk (and `dataDisk` as a second one, `vdb`) and
    /// NIC, a USB tablet, VNC, the guest-agent channel, a virtio RNG and
    /// balloon, the console to a file.
    public static func domainXML(name: String, disk: String, serialLog: String, emulator: String? = nil,
                                 dataDisk: String? = nil) throws -> String {
        """
        <domain type='qemu'>
          <name>\(name)</name>
          <memory unit='MiB'>96</memory>
          <memoryBacking><source type='file'/><access mode='shared'/></memoryBacking>
          <vcpu>1</vcpu>
          <os>
            <type arch='x86_64' machine='pc'>hvm</type>
            <kernel>\(kernel)</kernel>
            <initrd>\(try initramfs())</initrd>
            <cmdline>console=ttyS0 quiet panic=-1</cmdline>
          </os>
          <features><acpi/><apic/></features>
          <devices>
            \(emulator.map { "<emulator>\($0)</emulator>" } ?? "")
            <disk type='file' device='disk'>
              <driver name='qemu' type='raw'/>
              <source file='\(disk)'/>
              <target dev='vda' bus='virtio'/>
            </disk>
            \(dataDisk.map { "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='\($0)'/><target dev='vdb' bus='virtio'/></disk>" } ?? "")
            <controller type='usb' model='qemu-xhci'/>
            <interface type='user'><mac address='52:54:00:4c:4d:01'/><model type='virtio'/></interface>
            <serial type='file'><source path='\(serialLog)'/><target port='0'/></serial>
            <console type='file'><source path='\(serialLog)'/><target type='serial' port='0'/></console>
            <channel type='unix'><source mode='bind'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
            <input type='tablet' bus='usb'/>
            <graphics type='vnc' autoport='yes'/>
            <video><model type='vga'/></video>
            <memballoon model='virtio'/>
            <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
          </devices>
        </domain>
        """
    }

    /// The guest's `lmguest: ...` lines in a serial log.
    public static func lines(inLog path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
            .compactMap { line in line.range(of: "lmguest: ").map { String(line[$0.upperBound...]) } }
    }

    /// The counter values the console shows, in order.
    public static func counters(inLog path: String) -> [Int] {
        lines(inLog: path).compactMap { $0.hasPrefix("count ") ? Int($0.dropFirst(6)) : nil }
    }

    /// The values in the disk's slots, from slot 0 up to the first empty one.
    public static func counters(onDisk path: String) -> [Int] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var out: [Int] = []
        var offset = 0
        while offset + 16 <= data.count, let n = Int(String(decoding: data[offset..<offset + 15], as: UTF8.self)) {
            out.append(n)
            offset += 16
        }
        return out
    }

    public static func waitForCounter(inLog path: String, atLeast value: Int, timeout: TimeInterval = 120) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (counters(inLog: path).last ?? -1) >= value { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }
}

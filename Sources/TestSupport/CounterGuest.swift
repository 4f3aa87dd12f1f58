import Foundation
import Synchronization

/// The project's test guest (guest/counter.S): a boot sector that prints
/// `counter N` to COM1 about 18 times a second and keeps N at guest-physical
/// address 0x500.
public enum CounterGuest {
    /// Where the guest keeps its counter.
    public static let counterAddress: UInt64 = 0x500

    /// The guest's images (guest/README.md).
    public enum Variant: String, Sendable {
        /// `counter N` about 18 times a second, the vCPU halted between lines.
        case counter
        /// Between lines, writes 512 KiB of RAM over and over instead of
        /// sleeping (a migration at a low bandwidth cannot converge with it).
        case dirtier
        /// For benchmarks: writes every page of its RAM at boot (a
        /// long-running guest's memory is full), then counts at 1 kHz (its
        /// serial output shows a pause to about a millisecond).
        case bench
    }

    private static let built = Mutex<[Variant: String]>([:])

    /// The raw disk image, built with `make -C guest` when missing.
    public static func image(_ variant: Variant = .counter) throws -> String {
        try built.withLock { cached in
            if let path = cached[variant] { return path }
            let path = Fixtures.projectRoot.appendingPathComponent("guest/build/\(variant.rawValue).img").path
            if !FileManager.default.fileExists(atPath: path) {
                let made = try Subprocess.run("/usr/bin/make", ["-s", "-C", Fixtures.projectRoot.appendingPathComponent("guest").path])
                guard made.status == 0, FileManager.default.fileExists(atPath: path) else {
                    throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
                }
            }
            cached[variant] = path
            return path
        }
    }

    /// A writable copy of the image in `dir` (QEMU's IDE disks cannot be
    /// read-only, and every test gets its own).
    public static func disk(in dir: String, name: String = "counter.img", dirtier: Bool = false) throws -> String {
        try disk(in: dir, name: name, variant: dirtier ? .dirtier : .counter)
    }

    public static func disk(in dir: String, name: String = "counter.img", variant: Variant) throws -> String {
        let target = dir + "/" + name
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: try image(variant), toPath: target)
        return target
    }

    /// Domain XML for the counter guest: TCG (`type='qemu'`, the fastest way
    /// to boot it on these machines), 16 MiB, serial to a file.
    /// - Parameter memballoon: the `<memballoon model=...>` (`virtio` gives
    ///   the guest a PCI device).
    /// - Parameter ballast: a file QEMU loads into guest RAM at 4 MiB
    ///   (`-device loader`), so that private memory has something to copy
    ///   and a bandwidth-limited migration takes a while.
    public static func domainXML(name: String, uuid: String? = nil, disk: String, serialLog: String,
                                 memoryMiB: Int = 16, sharedMemory: Bool = false, memfd: Bool = false, emulator: String? = nil,
                                 extraDevices: String = "", memballoon: String = "none", ballast: String? = nil,
                                 features: String = "", ptyConsole: Bool = false, vcpu: String = "<vcpu>1</vcpu>") -> String {
        let serial = ptyConsole ? """
            <serial type='pty'>
              <target port='0'/>
            </serial>
            <console type='pty'>
              <target type='serial' port='0'/>
            </console>
            """ : """
            <serial type='file'>
              <source path='\(serialLog)'/>
              <target port='0'/>
            </serial>
            <console type='file'>
              <source path='\(serialLog)'/>
              <target type='serial' port='0'/>
            </console>
            """
        let passthrough = ballast.map {
            "<qemu:commandline><qemu:arg value='-device'/><qemu:arg value='loader,file=\($0),addr=0x400000,force-raw=on'/></qemu:commandline>"
        } ?? ""
        return """
        <domain type='qemu'\(ballast == nil ? "" : " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'")>
          <name>\(name)</name>
          \(uuid.map { "<uuid>\($0)</uuid>" } ?? "")
          <memory unit='MiB'>\(memoryMiB)</memory>
          \(sharedMemory || memfd ? "<memoryBacking><source type='\(memfd ? "memfd" : "file")'/><access mode='shared'/></memoryBacking>" : "")
          \(vcpu)
          <os>
            <type arch='x86_64' machine='pc'>hvm</type>
            <boot dev='hd'/>
          </os>
          \(features.isEmpty ? "" : "<features>\(features)</features>")
          <devices>
            \(emulator.map { "<emulator>\($0)</emulator>" } ?? "")
            <disk type='file' device='disk'>
              <driver name='qemu' type='raw'/>
              <source file='\(disk)'/>
              <target dev='hda' bus='ide'/>
            </disk>
            \(serial)
            <memballoon model='\(memballoon)'/>
            \(extraDevices)
          </devices>
          \(passthrough)
        </domain>
        """
    }

    /// Random bytes for `ballast` (random, so that QEMU cannot skip them as
    /// zero pages).
    public static func ballast(in dir: String, mebibytes: Int) throws -> String {
        let path = dir + "/ballast.bin"
        var g = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: mebibytes * 1_048_576)
        for i in stride(from: 0, to: bytes.count, by: 8) {
            let v = g.next() as UInt64
            for j in 0..<8 { bytes[i + j] = UInt8(truncatingIfNeeded: v >> (8 * j)) }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The counters printed in a serial log, in order.
    public static func counters(inLog path: String) -> [Int] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return counters(in: String(decoding: data, as: UTF8.self))
    }

    public static func counters(in text: String) -> [Int] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            guard line.hasPrefix("counter ") else { return nil }
            return Int(line.dropFirst(8))
        }
    }

    /// Waits until the log shows a counter of at least `value`.
    public static func waitForCounter(inLog path: String, atLeast value: Int, timeout: TimeInterval = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let last = counters(inLog: path).last, last >= value { return true }
            usleep(20_000)
        }
        return false
    }
}

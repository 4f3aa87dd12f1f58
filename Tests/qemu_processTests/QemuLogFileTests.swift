import Foundation
import Testing
import TestSupport
import qemu_process

/// What QEMU said, out of a domain log the driver writes to as well.
@Suite struct QemuLogFileTests {
    @Test func qemusWordsSinceAnInstanceStartedWithoutTheDriversLines() throws {
        let root = TestRoot("qlog")
        defer { #expect(root.cleanup() == []) }
        let path = root.path + "/vm.log"
        // Instance 1 ran before; instance 2 is the one asked about. QEMU
        // wrote its timestamp and its message in two writes, and a line of
        // the driver's (instance 1 shutting down) landed between them.
        let text = """
            2026-12-03 06:29:19.001+0000: starting up instance id 1 (start), emulator /usr/bin/qemu-system-x86_64
            LC_ALL=C /usr/bin/qemu-system-x86_64 -name guest=vm
            2026-12-03T06:29:19.500000Z qemu-system-x86_64: old news
            2026-12-03 06:29:43.100+0000: starting up instance id 2 (incoming), emulator /usr/bin/qemu-system-x86_64
            LC_ALL=C /usr/bin/qemu-system-x86_64 -name guest=vm -incoming defer
            char device redirected to /dev/pts/3 (label charserial0)
            2026-12-03T06:29:43.988892Z 2026-12-03 06:29:43.990+0000: shutting down, reason=crashed, instance id 1
            qemu-system-x86_64: check_section_footer: Read section footer failed: -5
            2026-12-03T06:29:43.989000Z qemu-system-x86_64: load of migration failed: Invalid argument

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let log = QemuLogFile(path: path)
        #expect(log.read(sinceStartOf: 2) == """
            2026-12-03T06:29:43.988892Z qemu-system-x86_64: check_section_footer: Read section footer failed: -5
            2026-12-03T06:29:43.989000Z qemu-system-x86_64: load of migration failed: Invalid argument
            """)
        #expect(log.read(sinceStartOf: 3) == "", "an instance the log does not know")
    }
}

import Foundation
import qemu_driver
import remote

/// What the daemon says about the host, gathered once at start-up
/// (`virNodeGetInfo`, `virConnectGetCapabilities`; the QEMU version is
/// asked each time, since the binary can be replaced under the daemon).
///
/// libvirt: `virCapabilitiesGetNodeInfo` (src/util/virhostcpu.c),
/// `virQEMUCapsInitGuest` (src/qemu/qemu_capabilities.c), much reduced.
struct HostFacts: Sendable {
    let nodeInfo: NodeGetInfoRet
    let capabilities: String

    init(driver: QemuDriver) {
        let conn = driver.connect()
        let cpus = Int32(clamping: ProcessInfo.processInfo.activeProcessorCount)
        var mhz: Int32 = 0
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu MHz") }),
           let v = line.split(separator: ":").last.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) {
            mhz = Int32(clamping: Int(v))
        }
        var arch = utsname()
        uname(&arch)
        let machine = withUnsafeBytes(of: &arch.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        nodeInfo = NodeGetInfoRet(model: machine, memory: ProcessInfo.processInfo.physicalMemory / 1024, cpus: cpus,
                                  mhz: mhz, nodes: 1, sockets: 1, cores: cpus, threads: 1)
        capabilities = """
        <capabilities>

          <host>
            <uuid>\(conn.hostUUID)</uuid>
            <cpu>
              <arch>\(machine)</arch>
            </cpu>
            <migration_features>
              <live/>
              <uri_transports>
                <uri_transport>tcp</uri_transport>
                <uri_transport>rdma</uri_transport>
                <uri_transport>unix</uri_transport>
              </uri_transports>
            </migration_features>
            <secmodel>
              <model>none</model>
              <doi>0</doi>
            </secmodel>
          </host>

          <guest>
            <os_type>hvm</os_type>
            <arch name='x86_64'>
              <wordsize>64</wordsize>
              <emulator>/usr/bin/qemu-system-x86_64</emulator>
              <machine>pc</machine>
              <domain type='qemu'/>
            </arch>
          </guest>

        </capabilities>

        """
    }
}

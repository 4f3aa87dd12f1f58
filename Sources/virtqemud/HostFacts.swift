import Foundation
import libvirt_abi
import qemu_driver
import remote

/// What the daemon says about the host, gathered once at start-up
/// (`virNodeGetInfo` from the driver's `NodeInfo`, `virConnectGetCapabilities`;
/// the QEMU version is asked each time, since the binary can be replaced
/// under the daemon).
///
/// libvirt: `virCapabilitiesGetNodeInfo` (src/util/virhostcpu.c),
/// `virQEMUCapsInitGuest` (src/qemu/qemu_capabilities.c), much reduced.
struct HostFacts: Sendable {
    let nodeInfo: NodeGetInfoRet
    let capabilities: String

    init(driver: QemuDriver) throws(VirError) {
        let conn = driver.connect()
        let node = try conn.nodeInfo()
        nodeInfo = NodeGetInfoRet(model: node.model, memory: node.memory, cpus: Int32(clamping: node.cpus),
                                  mhz: Int32(clamping: node.mhz), nodes: Int32(clamping: node.nodes),
                                  sockets: Int32(clamping: node.sockets), cores: Int32(clamping: node.cores),
                                  threads: Int32(clamping: node.threads))
        let machine = node.model
        capabilities = """
        <capabilities>

          <host>
            <uuid>\(conn.hostUUID)</uuid>
            <cpu>
              <arch>\(machine)</arch>
            </cpu>
        \(NodeFreeMemory.topologyXML(indent: "    "))    <migration_features>
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

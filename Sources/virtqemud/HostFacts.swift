import Foundation
import libvirt_abi
import qemu_driver
import remote

/// What the daemon says about the host, gathered once at start-up
/// (`virNodeGetInfo` from the driver's `NodeInfo`; the QEMU version and
/// the capabilities are asked each time, since the binary can be replaced
/// under the daemon).
///
/// libvirt: `virCapabilitiesGetNodeInfo` (src/util/virhostcpu.c).
struct HostFacts: Sendable {
    let nodeInfo: NodeGetInfoRet

    init(driver: QemuDriver) throws(VirError) {
        let conn = driver.connect()
        let node = try conn.nodeInfo()
        nodeInfo = NodeGetInfoRet(model: node.model, memory: node.memory, cpus: Int32(clamping: node.cpus),
                                  mhz: Int32(clamping: node.mhz), nodes: Int32(clamping: node.nodes),
                                  sockets: Int32(clamping: node.sockets), cores: Int32(clamping: node.cores),
                                  threads: Int32(clamping: node.threads))
    }
}

import Foundation
import domain_conf
import libvirt_abi

/// `<interface type='network'>` resolved the way libvirt's network driver
/// resolves it for the networks this host has: an active network whose
/// guests join a bridge (forward mode `nat`, `route`, `open`, none, or
/// `bridge` with a `<bridge name>`) gives the bridge's name; anything else
/// is refused with libvirt's message.
///
/// The networks are libvirt's own (Debian's virtnetworkd or libvirtd):
/// their definitions in `networkConfigDir`, the active ones' status in
/// `networkStatusDir`.
///
/// libvirt: `networkAllocatePort` (src/network/bridge_driver.c), reached
/// through `virDomainNetAllocateActualDevice`.
public enum QemuNetworkResolver {
    /// The bridge the guest's tap joins.
    public static func bridge(network name: String, config: QemuDriverConfig) throws(VirError) -> String {
        let status = config.networkStatusDir + "/\(name).xml"
        guard let text = try? String(contentsOfFile: status, encoding: .utf8) else {
            if FileManager.default.fileExists(atPath: config.networkConfigDir + "/\(name).xml") {
                throw VirError(.operationInvalid, "network '\(name)' is not active")
            }
            throw VirError(.noNetwork, "no network with matching name '\(name)'")
        }
        let root: XMLElement
        do {
            root = try XMLParser.parse(text, url: status)
        } catch {
            throw VirError(.internalError, "cannot read the status of network '\(name)': \(error.message)")
        }
        guard let network = root.name == "network" ? root : root.child("network") else {
            throw VirError(.internalError, "the status of network '\(name)' holds no <network>")
        }
        let mode = network.child("forward")?.attribute("mode") ?? "none"
        switch mode {
        case "nat", "route", "open", "none", "bridge":
            guard let bridge = network.child("bridge")?.attribute("name"), !bridge.isEmpty else {
                throw VirError(.configUnsupported, "network '\(name)' with forward mode '\(mode)' and no bridge is not supported by this driver")
            }
            return bridge
        default:
            throw VirError(.configUnsupported, "network '\(name)' with forward mode '\(mode)' is not supported by this driver")
        }
    }
}

import Foundation
import domain_conf
import libvirt_abi
import virdomainobjlist

/// The traffic counters of a running domain's interfaces, from the host's
/// side of their taps.
extension QemuConnection {
    /// One interface's counters, by its host device (`vnet0`) or its MAC:
    /// `rx_bytes`, `rx_packets`, `rx_errs`, `rx_drop`, `tx_bytes`,
    /// `tx_packets`, `tx_errs`, `tx_drop`, as the guest sees them (a tap's
    /// host side counts the other way round).
    ///
    /// libvirt: `qemuDomainInterfaceStats` → `virDomainNetFind`,
    /// `virNetDevTapInterfaceStats` (/proc/net/dev).
    public func interfaceStats(_ dom: DomainRef, device: String) throws(VirError) -> [Int64] {
        let obj = try obj(dom)
        guard obj.isActive else { throw VirError.notRunning }
        let def = obj.def
        let byMAC = Self.isMAC(device)
        guard let net = def.interfaces.first(where: { byMAC ? $0.mac.lowercased() == device.lowercased() : $0.targetDevice == device }) else {
            throw VirError(.invalidArg, "'\(device)' is not a known interface")
        }
        guard let ifname = net.targetDevice else {
            throw VirError(.internalError, "Interface name not provided")
        }
        guard let text = try? String(contentsOfFile: "/proc/net/dev", encoding: .utf8) else {
            throw VirError.system(errno, "Could not open /proc/net/dev")
        }
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].trimmingCharacters(in: .whitespaces) == ifname else { continue }
            let f = line[line.index(after: colon)...].split(separator: " ").compactMap { Int64($0) }
            guard f.count == 16 else { continue }
            // Every interface type this driver runs is a tap: swapped.
            return [f[8], f[9], f[10], f[11], f[0], f[1], f[2], f[3]]
        }
        throw VirError(.internalError, "/proc/net/dev: Interface not found")
    }

    /// libvirt: `virMacAddrParse` (six hex pairs, `:`-separated).
    static func isMAC(_ s: String) -> Bool {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 6 && parts.allSatisfy { (1...2).contains($0.count) && $0.allSatisfy(\.isHexDigit) }
    }
}

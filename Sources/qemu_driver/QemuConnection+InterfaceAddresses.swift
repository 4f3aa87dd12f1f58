import Glibc
import domain_conf
import libvirt_abi
import qemu_domain
import virdomainobjlist
import virutil

/// The IP addresses of a running guest's interfaces, from one of libvirt's
/// sources: the DHCP leases of libvirt's networks, the guest agent, or
/// the host's ARP table.
extension QemuConnection {
    /// `VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE`, `_AGENT`, `_ARP`.
    public enum InterfaceAddressSource: UInt32, Sendable {
        case lease = 0, agent = 1, arp = 2
    }

    /// libvirt: `qemuDomainInterfaceAddresses`.
    public func interfaceAddresses(_ dom: DomainRef, source: UInt32, flags: UInt32 = 0) async throws(VirError) -> [DomainInterfaceAddresses] {
        try Self.checkFlags(flags, allowed: 0, "qemuDomainInterfaceAddresses")
        let obj = try obj(dom)
        guard obj.isActive else { throw VirError.notRunning }
        guard let kind = InterfaceAddressSource(rawValue: source) else {
            throw VirError(.argumentUnsupported, "Unknown IP address data source \(source)")
        }
        switch kind {
        case .lease:
            try Self.checkNoLeases(obj.def)
            return []
        case .agent:
            return try await withAgent(obj, api: "qemuDomainInterfaceAddresses") { agent throws(VirError) -> [DomainInterfaceAddresses] in
                try DomainInterfaceAddresses.fromAgent(try await agent.execute("guest-network-get-interfaces"))
            }
        case .arp:
            return try Self.arpInterfaces(obj.def)
        }
    }

    /// Only the interfaces on a libvirt network have DHCP leases, which
    /// this driver, without a network driver, cannot ask for: refused for
    /// such an interface, none for the others.
    ///
    /// libvirt: `virDomainNetDHCPInterfaces`, `qemuDomainGetHostnameLease`.
    static func checkNoLeases(_ def: DomainDef) throws(VirError) {
        if let net = def.interfaces.first(where: { $0.type == "network" }) {
            throw VirError(.operationUnsupported,
                           "the DHCP leases of network '\(net.source ?? "")' are not available: this driver has no network driver")
        }
    }

    /// An entry per address the host's IPv4 neighbour table has for an
    /// interface's MAC address.
    ///
    /// libvirt: `virDomainNetARPInterfaces` over `virArpTableGet` (which
    /// reads the same table through netlink).
    static func arpInterfaces(_ def: DomainDef) throws(VirError) -> [DomainInterfaceAddresses] {
        let bytes: [UInt8]
        do { bytes = try VirFile.readAll("/proc/net/arp", limit: 16 << 20) } catch {
            throw VirError.system(error.errno ?? EIO, "failed to read the ARP table")
        }
        // IP address, HW type, Flags, HW address, Mask, Device.
        let entries = String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst().compactMap { line -> (ip: String, mac: String)? in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 4 else { return nil }
            return (String(f[0]), f[3].lowercased())
        }
        var out: [DomainInterfaceAddresses] = []
        for net in def.interfaces {
            for e in entries where e.mac == net.mac.lowercased() {
                out.append(DomainInterfaceAddresses(name: net.targetDevice ?? "", hwaddr: net.mac,
                                                    addrs: [.init(type: .ipv4, addr: e.ip, prefix: 0)]))
            }
        }
        return out
    }
}

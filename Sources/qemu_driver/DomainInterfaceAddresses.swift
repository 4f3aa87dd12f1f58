import libvirt_abi
import qemu_monitor

/// One network interface of a running guest and its IP addresses, as
/// `virDomainInterfaceAddresses` reports them.
///
/// libvirt: `virDomainInterface`, `virDomainIPAddress`.
public struct DomainInterfaceAddresses: Sendable, Equatable {
    public enum AddressType: Int32, Sendable {
        case ipv4 = 0, ipv6 = 1
    }
    public struct Address: Sendable, Equatable {
        public let type: AddressType
        public let addr: String
        public let prefix: UInt32
    }
    public let name: String
    public let hwaddr: String?
    public var addrs: [Address]

    /// The agent's `guest-network-get-interfaces`: an alias (`eth0:1`)
    /// joins its interface.
    ///
    /// libvirt: `qemuAgentGetInterfaces`, `qemuAgentGetInterfaceAddresses`,
    /// `qemuAgentGetInterfaceOneAddress`.
    static func fromAgent(_ reply: JSONValue) throws(VirError) -> [DomainInterfaceAddresses] {
        guard let list = reply.arrayValue else { throw VirError(.internalError, "qemu agent didn't return an array of interfaces") }
        var out: [DomainInterfaceAddresses] = []
        for entry in list {
            guard let full = entry["name"]?.stringValue else { throw VirError(.internalError, "qemu agent didn't provide 'name' field") }
            let name = String(full.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            var index = out.firstIndex { $0.name == name }
            if index == nil {
                out.append(DomainInterfaceAddresses(name: name, hwaddr: entry["hardware-address"]?.stringValue, addrs: []))
                index = out.count - 1
            }
            guard let i = index, let addrs = entry["ip-addresses"] else { continue }
            guard let array = addrs.arrayValue else { throw VirError(.internalError, "Malformed ip-addresses array") }
            for a in array {
                guard let type = a["ip-address-type"]?.stringValue else {
                    throw VirError(.internalError, "qemu agent didn't provide 'ip-address-type' field for interface '\(full)'")
                }
                guard let t = type == "ipv4" ? AddressType.ipv4 : type == "ipv6" ? .ipv6 : nil else {
                    throw VirError(.internalError, "unknown ip address type '\(type)'")
                }
                guard let addr = a["ip-address"]?.stringValue else {
                    throw VirError(.internalError, "qemu agent didn't provide 'ip-address' field for interface '\(full)'")
                }
                guard let p = a["prefix"]?.uint64Value, let prefix = UInt32(exactly: p) else {
                    throw VirError(.internalError, "malformed 'prefix' field")
                }
                out[i].addrs.append(Address(type: t, addr: addr, prefix: prefix))
            }
        }
        return out
    }
}

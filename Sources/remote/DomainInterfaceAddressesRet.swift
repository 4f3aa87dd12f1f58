/// libvirt: `remote_domain_interface_addresses_ret`
/// (`remote_domain_interface`, `remote_domain_ip_addr`).
public struct DomainInterfaceAddressesRet: XDRCodable, Hashable {
    /// libvirt: `remote_domain_ip_addr`.
    public struct IPAddr: XDRCodable, Hashable {
        /// `virIPAddrType`: 0 IPv4, 1 IPv6.
        public var type: Int32
        public var addr: String
        public var prefix: UInt32
        public init(type: Int32, addr: String, prefix: UInt32) {
            self.type = type
            self.addr = addr
            self.prefix = prefix
        }
        public init(from d: inout XDRDecoder) throws(RemoteError) {
            type = try d.int32()
            addr = try d.string()
            prefix = try d.uint32()
        }
        public func encode(to e: inout XDREncoder) throws(RemoteError) {
            e.int32(type)
            try e.string(addr)
            e.uint32(prefix)
        }
    }

    /// libvirt: `remote_domain_interface`.
    public struct Interface: XDRCodable, Hashable {
        public var name: String
        public var hwaddr: String?
        public var addrs: [IPAddr]
        public init(name: String, hwaddr: String?, addrs: [IPAddr]) {
            self.name = name
            self.hwaddr = hwaddr
            self.addrs = addrs
        }
        public init(from d: inout XDRDecoder) throws(RemoteError) {
            name = try d.string()
            hwaddr = try d.optionalString()
            addrs = try d.array(IPAddr.self, max: RemoteProtocolLimits.domainIPAddrMax)
        }
        public func encode(to e: inout XDREncoder) throws(RemoteError) {
            try e.string(name)
            try e.optionalString(hwaddr)
            try e.array(addrs, max: RemoteProtocolLimits.domainIPAddrMax)
        }
    }

    public var ifaces: [Interface]
    public init(ifaces: [Interface]) { self.ifaces = ifaces }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        ifaces = try d.array(Interface.self, max: RemoteProtocolLimits.domainInterfaceMax)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.array(ifaces, max: RemoteProtocolLimits.domainInterfaceMax)
    }
}

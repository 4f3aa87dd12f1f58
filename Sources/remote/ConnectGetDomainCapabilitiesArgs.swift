/// libvirt: `remote_connect_get_domain_capabilities_args`.
public struct ConnectGetDomainCapabilitiesArgs: XDRCodable, Hashable {
    public var emulatorBin: String?
    public var arch: String?
    public var machine: String?
    public var virtType: String?
    public var flags: UInt32

    public init(emulatorBin: String?, arch: String?, machine: String?, virtType: String?, flags: UInt32) {
        (self.emulatorBin, self.arch, self.machine, self.virtType, self.flags) = (emulatorBin, arch, machine, virtType, flags)
    }

    public init(from d: inout XDRDecoder) throws(RemoteError) {
        emulatorBin = try d.optionalString()
        arch = try d.optionalString()
        machine = try d.optionalString()
        virtType = try d.optionalString()
        flags = try d.uint32()
    }

    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.optionalString(emulatorBin)
        try e.optionalString(arch)
        try e.optionalString(machine)
        try e.optionalString(virtType)
        e.uint32(flags)
    }
}

/// libvirt: `remote_domain_get_fsinfo_ret` (`remote_domain_fsinfo`
/// entries, then their count again as `ret`).
public struct DomainGetFSInfoRet: XDRCodable, Hashable {
    /// libvirt: `remote_domain_fsinfo`.
    public struct FSInfo: XDRCodable, Hashable {
        public var mountpoint: String
        public var name: String
        public var fstype: String
        public var devAliases: [String]
        public init(mountpoint: String, name: String, fstype: String, devAliases: [String]) {
            self.mountpoint = mountpoint
            self.name = name
            self.fstype = fstype
            self.devAliases = devAliases
        }
        public init(from d: inout XDRDecoder) throws(RemoteError) {
            mountpoint = try d.string()
            name = try d.string()
            fstype = try d.string()
            devAliases = try d.array(StringValue.self, max: RemoteProtocolLimits.domainFSInfoDisksMax).map(\.value)
        }
        public func encode(to e: inout XDREncoder) throws(RemoteError) {
            try e.string(mountpoint)
            try e.string(name)
            try e.string(fstype)
            try e.array(devAliases.map(StringValue.init), max: RemoteProtocolLimits.domainFSInfoDisksMax)
        }
    }

    public var info: [FSInfo]
    public init(info: [FSInfo]) { self.info = info }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        info = try d.array(FSInfo.self, max: RemoteProtocolLimits.domainFSInfoMax)
        _ = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.array(info, max: RemoteProtocolLimits.domainFSInfoMax)
        e.uint32(UInt32(info.count))
    }
}

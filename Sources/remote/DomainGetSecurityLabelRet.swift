/// libvirt: `remote_domain_get_security_label_ret` (`char label<REMOTE_SECURITY_LABEL_MAX>`, `int enforcing`).
public struct DomainGetSecurityLabelRet: XDRCodable, Hashable {
    public var label: String
    public var enforcing: Int32
    public init(label: String, enforcing: Int32) {
        self.label = label
        self.enforcing = enforcing
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        label = try d.charArray(max: RemoteProtocolLimits.securityLabelMax)
        enforcing = try d.int32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.charArray(label, max: RemoteProtocolLimits.securityLabelMax)
        e.int32(enforcing)
    }
}

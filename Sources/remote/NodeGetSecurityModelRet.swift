/// libvirt: `remote_node_get_security_model_ret` (`char model<REMOTE_SECURITY_MODEL_MAX>`,
/// `char doi<REMOTE_SECURITY_DOI_MAX>`, each NUL-terminated).
public struct NodeGetSecurityModelRet: XDRCodable, Hashable {
    public var model: String
    public var doi: String
    public init(model: String, doi: String) {
        self.model = model
        self.doi = doi
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        model = try d.charArray(max: RemoteProtocolLimits.securityModelMax)
        doi = try d.charArray(max: RemoteProtocolLimits.securityDOIMax)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.charArray(model, max: RemoteProtocolLimits.securityModelMax)
        try e.charArray(doi, max: RemoteProtocolLimits.securityDOIMax)
    }
}

/// libvirt: `remote_domain_screenshot_ret` (`remote_string mime;`); the
/// image follows as the call's stream.
public struct DomainScreenshotRet: XDRCodable, Hashable {
    public var mime: String?

    public init(mime: String?) { self.mime = mime }

    public init(from d: inout XDRDecoder) throws(RemoteError) {
        mime = try d.optionalString()
    }

    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.optionalString(mime)
    }
}

import libvirt_abi

/// Errors of the RPC layer: libvirt's code, domain and detail, in libvirt's
/// wording (most are `VIR_ERR_RPC` from `VIR_FROM_RPC`, as
/// src/rpc/virnetmessage.c reports them).
public struct RemoteError: LibvirtError, Equatable {
    public let code: ErrorNumber
    public let domain: ErrorDomain
    public let detail: String?

    public init(_ code: ErrorNumber, _ detail: String?, domain: ErrorDomain = .rpc) {
        self.code = code
        self.domain = domain
        self.detail = detail
    }

    /// Carries another module's error unchanged.
    public init(_ error: any LibvirtError) {
        self.code = error.code
        self.domain = error.domain
        self.detail = error.detail
    }

    /// `VIR_ERR_RPC` with a detail, from `VIR_FROM_RPC`.
    public static func rpc(_ detail: String) -> RemoteError { RemoteError(.rpc, detail) }

    /// What libvirt reports when a payload does not decode
    /// (`virNetMessageDecodePayload`).
    public static let undecodablePayload = RemoteError.rpc("Unable to decode message payload")

    /// What libvirt reports when a payload does not encode
    /// (`virNetMessageEncodePayload`).
    public static let unencodablePayload = RemoteError.rpc("Unable to encode message payload")
}

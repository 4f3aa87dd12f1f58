import libvirt_abi

/// Errors of the RPC layer: libvirt's code, domain and detail, in libvirt's
/// wording (most are `VIR_ERR_RPC` from `VIR_FROM_RPC`, as
/// src/rpc/virnetmessage.c reports them).
public struct RemoteError: LibvirtError, Equatable {
    public let code: ErrorNumber
    public let domain: ErrorDomain
    public let detail: String?
    /// The message exactly as a server sent it, when it came over the wire.
    public let serverMessage: String?

    public init(_ code: ErrorNumber, _ detail: String?, domain: ErrorDomain = .rpc) {
        self.code = code
        self.domain = domain
        self.detail = detail
        self.serverMessage = nil
    }

    /// Carries another module's error unchanged (a server's error keeps
    /// the server's message).
    public init(_ error: any LibvirtError) {
        self.code = error.code
        self.domain = error.domain
        self.detail = error.detail
        self.serverMessage = error.message
    }

    /// The message as libvirt prints it.
    public var message: String { serverMessage ?? code.format(detail) }

    /// `VIR_ERR_RPC` with a detail, from `VIR_FROM_RPC`.
    public static func rpc(_ detail: String) -> RemoteError { RemoteError(.rpc, detail) }

    /// What libvirt reports when a payload does not decode
    /// (`virNetMessageDecodePayload`).
    public static let undecodablePayload = RemoteError.rpc("Unable to decode message payload")

    /// What libvirt reports when a payload does not encode
    /// (`virNetMessageEncodePayload`).
    public static let unencodablePayload = RemoteError.rpc("Unable to encode message payload")
}

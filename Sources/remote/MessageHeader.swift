/// The header every message starts with, after the length word: six XDR
/// words, 24 bytes.
///
/// libvirt: `struct virNetMessageHeader` (src/rpc/virnetprotocol.x).
public struct MessageHeader: XDRCodable, Hashable {
    /// The program (`REMOTE_PROGRAM`, `KEEPALIVE_PROGRAM`, ...).
    public var program: UInt32
    /// The program's version.
    public var version: UInt32
    /// The procedure within the program.
    public var procedure: Int32
    public var type: MessageType
    /// Pairs a reply with its call.
    public var serial: UInt32
    public var status: MessageStatus

    public init(program: UInt32, version: UInt32, procedure: Int32, type: MessageType, serial: UInt32,
                status: MessageStatus = .ok) {
        self.program = program
        self.version = version
        self.procedure = procedure
        self.type = type
        self.serial = serial
        self.status = status
    }

    /// `VIR_NET_MESSAGE_HEADER_MAX`.
    public static let size = RemoteProtocolLimits.headerMax

    public init(from d: inout XDRDecoder) throws(RemoteError) {
        guard d.remaining >= Self.size else { throw RemoteError.rpc("Unable to decode message header") }
        program = try d.uint32()
        version = try d.uint32()
        procedure = try d.int32()
        type = MessageType(rawValue: try d.int32())
        serial = try d.uint32()
        status = MessageStatus(rawValue: try d.int32())
    }

    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.uint32(program)
        e.uint32(version)
        e.int32(procedure)
        e.int32(type.rawValue)
        e.uint32(serial)
        e.int32(status.rawValue)
    }

    /// The header of the reply to this call: same program, version,
    /// procedure and serial (`virNetServerProgramDispatchCall`).
    public func reply(status: MessageStatus = .ok) -> MessageHeader {
        MessageHeader(program: program, version: version, procedure: procedure, type: .reply, serial: serial, status: status)
    }
}

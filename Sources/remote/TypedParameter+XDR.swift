import libvirt_abi

/// A typed parameter on the wire: the field name, then a union keyed by
/// the type number. A parameter's name must fit libvirt's
/// `VIR_TYPED_PARAM_FIELD_LENGTH` (80 bytes with the NUL); an unknown type
/// number does not decode.
///
/// libvirt: `struct remote_typed_param`, `union remote_typed_param_value`
/// (src/remote/remote_protocol.x); `virTypedParamsSerialize`,
/// `virTypedParamsDeserialize` (src/util/virtypedparam.c).
extension TypedParameter: XDRCodable {
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        let field = try d.string()
        guard field.utf8.count < RemoteProtocolLimits.typedParamFieldLength else {
            throw RemoteError(.internalError, "Parameter \(field) too big for destination")
        }
        let type = try d.int32()
        let value: Value
        switch type {
        case 1: value = .int(try d.int32())
        case 2: value = .uint(try d.uint32())
        case 3: value = .llong(try d.int64())
        case 4: value = .ullong(try d.uint64())
        case 5: value = .double(try d.double())
        case 6: value = .boolean(try d.int32() != 0)
        case 7: value = .string(try d.string())
        default: throw RemoteError.rpc("typed parameter '\(field)' has unknown type \(type)")
        }
        self.init(field, value)
    }

    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        guard name.utf8.count < RemoteProtocolLimits.typedParamFieldLength else {
            throw RemoteError(.internalError, "Parameter \(name) too big for destination")
        }
        try e.string(name)
        e.int32(value.typeNumber)
        switch value {
        case .int(let v): e.int32(v)
        case .uint(let v): e.uint32(v)
        case .llong(let v): e.int64(v)
        case .ullong(let v): e.uint64(v)
        case .double(let v): e.double(v)
        case .boolean(let v): e.int32(v ? 1 : 0)
        case .string(let v): try e.string(v)
        }
    }
}

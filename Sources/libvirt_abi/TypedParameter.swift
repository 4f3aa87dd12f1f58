/// One typed parameter (`virTypedParameter`): a name and a typed value.
///
/// libvirt: `virTypedParameter` and `virTypedParameterType`
/// (include/libvirt/libvirt-common.h).
public struct TypedParameter: Hashable, Sendable {
    public enum Value: Hashable, Sendable {
        case int(Int32)
        case uint(UInt32)
        case llong(Int64)
        case ullong(UInt64)
        case double(Double)
        case boolean(Bool)
        case string(String)

        /// libvirt's type number (`VIR_TYPED_PARAM_*`).
        public var typeNumber: Int32 {
            switch self {
            case .int: return 1
            case .uint: return 2
            case .llong: return 3
            case .ullong: return 4
            case .double: return 5
            case .boolean: return 6
            case .string: return 7
            }
        }
    }

    /// libvirt's limit on a parameter's name (`VIR_TYPED_PARAM_FIELD_LENGTH`).
    public static let fieldLength = 80

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == TypedParameter {
    /// The last string value of a parameter (libvirt: `virTypedParamsGetString`).
    public func string(_ name: String) -> String? {
        for p in reversed() where p.name == name { if case .string(let s) = p.value { return s } }
        return nil
    }

    /// Every string value of a parameter (libvirt: `virTypedParamsGetStringList`).
    public func strings(_ name: String) -> [String] {
        compactMap { p in
            if p.name == name, case .string(let s) = p.value { return s }
            return nil
        }
    }

    /// An unsigned value of any integer width (libvirt: `virTypedParamsGetULLong`
    /// and friends, which callers use for `bandwidth` in MiB/s).
    public func unsigned(_ name: String) -> UInt64? {
        for p in reversed() where p.name == name {
            switch p.value {
            case .uint(let v): return UInt64(v)
            case .ullong(let v): return v
            case .int(let v) where v >= 0: return UInt64(v)
            case .llong(let v) where v >= 0: return UInt64(v)
            default: return nil
            }
        }
        return nil
    }
}

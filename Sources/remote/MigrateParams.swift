import libvirt_abi

/// The typed parameters of a migration phase, bounded by
/// `REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX`.
enum MigrateParams {
    /// A typed parameter takes at least 12 bytes: name length, type, value.
    static let minSize = 12

    static func decode(_ d: inout XDRDecoder) throws(RemoteError) -> [TypedParameter] {
        try d.array(TypedParameter.self, max: RemoteProtocolLimits.migrateParamListMax, minElementSize: minSize)
    }

    static func encode(_ p: [TypedParameter], _ e: inout XDREncoder) throws(RemoteError) {
        try e.array(p, max: RemoteProtocolLimits.migrateParamListMax)
    }

    static func decodeCookie(_ d: inout XDRDecoder) throws(RemoteError) -> [UInt8] {
        try d.opaque(max: RemoteProtocolLimits.migrateCookieMax)
    }

    static func encodeCookie(_ c: [UInt8], _ e: inout XDREncoder) throws(RemoteError) {
        try e.opaque(c, max: RemoteProtocolLimits.migrateCookieMax)
    }
}

import domain_conf
import libvirt_abi

/// A live definition parsed the first time it is read: a running domain
/// found again from its status file by a short-lived driver, which a
/// command that lists domains, or touches one of them, never needs for the
/// others. Until then the object's definition is the persistent one (same
/// name and UUID), which is all the tables and the lists read.
public struct DeferredDomainDef: Sendable {
    let parse: @Sendable () throws(VirError) -> DomainDef
    let failed: @Sendable (VirError) -> Void

    /// - Parameters:
    ///   - parse: reads the definition (from the status file's text).
    ///   - failed: told when it cannot: the persistent definition then
    ///     stands for the live one (the caller logs it).
    public init(parse: @escaping @Sendable () throws(VirError) -> DomainDef, failed: @escaping @Sendable (VirError) -> Void) {
        self.parse = parse
        self.failed = failed
    }
}

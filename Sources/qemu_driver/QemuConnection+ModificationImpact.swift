import domain_conf
import libvirt_abi
import virdomainobjlist

/// Which of a domain's definitions a call reads or changes, from its
/// `VIR_DOMAIN_AFFECT_*` flags.
extension QemuConnection {
    /// The definition a query reads: the live one if the domain runs,
    /// else the persistent one, or the one `flags` name.
    ///
    /// libvirt: `virDomainObjGetOneDef`.
    func oneDef(_ obj: DomainObj, _ flags: DomainDeviceModifyFlags) throws(VirError) -> DomainDef {
        if flags.contains(.live) && flags.contains(.config) {
            throw VirError(.invalidArg, "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive")
        }
        if flags.contains(.live) {
            guard obj.isActive else { throw VirError.notRunning }
            return obj.def
        }
        if flags.contains(.config) {
            guard obj.persistent else {
                throw VirError(.operationInvalid, "transient domains do not have any persistent config")
            }
            return obj.persistentDef
        }
        return obj.isActive ? obj.def : obj.persistentDef
    }

    /// The definitions a change affects: those asked for, or with neither,
    /// the running one if the domain runs, else the persistent one; the
    /// running one of a domain that does not run, or the persistent one of
    /// a transient domain, refused.
    ///
    /// libvirt: `virDomainObjUpdateModificationImpact`.
    func modificationImpact(_ obj: DomainObj, live: Bool, config: Bool) throws(VirError) -> (live: Bool, config: Bool) {
        var live = live, config = config
        if !live && !config { if obj.isActive { live = true } else { config = true } }
        if live && !obj.isActive { throw VirError.notRunning }
        if config && !obj.persistent {
            throw VirError(.operationInvalid, "transient domains do not have any persistent config")
        }
        return (live, config)
    }
}

import domain_conf
import libvirt_abi
import qemu_domain
import virdomainobjlist

/// libvirt's `virDomainMetadataType`.
public enum DomainMetadataType: Int32, Sendable {
    case description = 0
    case title = 1
    case element = 2
}

/// A domain's description and title, live and persistent.
extension QemuConnection {
    /// libvirt: `qemuDomainGetMetadata` → `virDomainObjGetMetadata`.
    public func metadata(_ dom: DomainRef, type: Int32, uri: String?, flags: DomainDeviceModifyFlags) throws(VirError) -> String {
        try Self.checkFlags(flags.rawValue, allowed: 3, "virDomainObjGetMetadata")
        guard let kind = DomainMetadataType(rawValue: type) else {
            throw VirError(.invalidArg, "unknown metadata type '\(type)'")
        }
        let def = try oneDef(try obj(dom), flags)
        let value: String?
        switch kind {
        case .description: value = def.description
        case .title: value = def.title
        case .element:
            throw VirError(.operationUnsupported, "custom metadata elements (virsh metadata) are not supported by this driver")
        }
        guard let value else {
            throw VirError(.noDomainMetadata, "Requested metadata element is not present")
        }
        return value
    }

    /// Sets (or with `nil` or "" removes) the description or title.
    ///
    /// libvirt: `qemuDomainSetMetadata` → `virDomainObjSetMetadata`, which
    /// queues a metadata-change event.
    public func setMetadata(_ dom: DomainRef, type: Int32, metadata: String?, key: String?, uri: String?,
                            flags: DomainDeviceModifyFlags) async throws(VirError) {
        try Self.checkFlags(flags.rawValue, allowed: 3, "virDomainObjSetMetadata")
        guard let kind = DomainMetadataType(rawValue: type) else {
            throw VirError(.invalidArg, "unknown metadata type '\(type)'")
        }
        if kind == .element {
            throw VirError(.operationUnsupported, "custom metadata elements (virsh metadata) are not supported by this driver")
        }
        if kind == .title, metadata?.contains("\n") == true {
            throw VirError(.invalidArg, "metadata title can't contain newlines")
        }
        let obj = try obj(dom)
        try await withJob(obj, .modify, api: "qemuDomainSetMetadata") { () throws(VirError) in
            // virDomainObjGetDefs
            let (live, config) = try modificationImpact(obj, live: flags.contains(.live), config: flags.contains(.config))
            let value = metadata == "" ? nil : metadata
            func apply(_ def: inout DomainDef) {
                if kind == .title { def.title = value } else { def.description = value }
            }
            if live {
                obj.withLock { apply(&$0.def) }
                state.saveStatus(obj)
            }
            if config {
                var def = obj.persistentDef
                apply(&def)
                try saveConfig(obj, def)
            }
        }
        state.emit(obj, kind: .metadataChange(type: type, nsuri: uri))
    }
}

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

/// A domain's description, title and applications' metadata elements, live
/// and persistent.
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
        case .element: value = uri.flatMap { DomainMetadata.element(def, namespace: $0) }
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
        if kind == .title, metadata?.contains("\n") == true {
            throw VirError(.invalidArg, "metadata title can't contain newlines")
        }
        let obj = try obj(dom)
        try await withJob(obj, .modify, api: "qemuDomainSetMetadata") { () throws(VirError) in
            // virDomainObjGetDefs
            let (live, config) = try modificationImpact(obj, live: flags.contains(.live), config: flags.contains(.config))
            let value = metadata == "" ? nil : metadata
            func apply(_ def: inout DomainDef) throws(VirError) {
                switch kind {
                case .title: def.title = value
                case .description: def.description = value
                case .element: try DomainMetadata.set(&def, xml: metadata, key: key, namespace: uri ?? "")
                }
            }
            // Both changes are checked before either is made.
            var liveDef = obj.withLock { $0.def }
            var configDef = obj.persistentDef
            if live { try apply(&liveDef) }
            if config { try apply(&configDef) }
            if live {
                obj.withLock { $0.def = liveDef }
                state.saveStatus(obj)
            }
            if config { try saveConfig(obj, configDef) }
        }
        state.emit(obj, kind: .metadataChange(type: type, nsuri: uri))
    }
}

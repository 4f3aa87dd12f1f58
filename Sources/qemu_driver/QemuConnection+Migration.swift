import virutil
import Foundation
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_migration
import qemu_process
import virclosecallbacks
import virdomainobjlist

/// The migration entry points of the driver: the five phases of protocol
/// v3 with parameters, the client-side sequence of `virDomainMigrate3` over
/// two connections, peer-to-peer migration, and job control.
extension QemuConnection {
    /// libvirt: `qemuDomainMigrateBegin3Params`.
    public func migrateBegin3(_ dom: DomainRef, params: [TypedParameter], flags: MigrateFlags) async throws(VirError) -> (cookie: String, xml: String) {
        let obj = try obj(dom)
        if let id = obj.id, state.closeCallbacks.get(CloseCallbackInstance(uuid: obj.uuid, id: id)) == .autodestroy {
            throw VirError(.operationInvalid, "domain is marked for auto destroy")
        }
        let r: (cookie: String, xml: String)
        r = try await QemuMigration.begin(state, obj, params: params, flags: flags)
        driver.watchMigration(obj, connection: self)
        return r
    }

    /// The domain XML comes in `destination_xml`, as `virDomainMigrate3`
    /// passes Begin's XML on.
    ///
    /// libvirt: `qemuDomainMigratePrepare3Params`.
    public func migratePrepare3(cookie: String, params: [TypedParameter], flags: MigrateFlags) async throws(VirError) -> (cookie: String, uri: String) {
        guard let xml = params.string(MigrateParam.destXML) else {
            throw VirError(.invalidArg, "no domain XML passed")
        }
        do {
            let r = try await QemuMigration.prepare(state, cookieIn: cookie, domXML: xml, params: params, flags: flags)
            driver.watchMigration(r.obj, connection: self)
            return (r.cookie, r.uri)
        } catch { throw error }
    }

    /// The destination URI comes in `migrate_uri`.
    ///
    /// libvirt: `qemuDomainMigratePerform3Params`.
    public func migratePerform3(_ dom: DomainRef, cookie: String, params: [TypedParameter], flags: MigrateFlags) async throws(VirError) -> String {
        let obj = try obj(dom)
        guard let uri = params.string(MigrateParam.uri) else {
            throw VirError(.invalidArg, "no migration URI passed")
        }
        return try await QemuMigration.perform(state, obj, cookieIn: cookie, uri: uri, flags: flags)
    }

    /// The domain's name comes in `destination_name`.
    ///
    /// libvirt: `qemuDomainMigrateFinish3Params`.
    public func migrateFinish3(params: [TypedParameter], cookie: String, flags: MigrateFlags,
                               cancelled: Bool) async throws(VirError) -> DomainRef? {
        guard let name = params.string(MigrateParam.destName) else {
            throw VirError(.invalidArg, "missing domain name")
        }
        do {
            guard let obj = try await QemuMigration.finish(state, name: name, cookieIn: cookie, flags: flags, cancelled: cancelled) else { return nil }
            driver.unwatchMigration(obj)
            return ref(obj)
        } catch { throw error }
    }

    /// libvirt: `qemuDomainMigrateConfirm3Params`.
    public func migrateConfirm3(_ dom: DomainRef, cookie: String, flags: MigrateFlags, cancelled: Bool) async throws(VirError) {
        let obj = try obj(dom)
        defer { driver.unwatchMigration(obj) }
        try await QemuMigration.confirm(state, obj, cookieIn: cookie, cancelled: cancelled)
    }

    /// Migrates over two connections, phase by phase, as the client library
    /// does: Begin on the source, Prepare on the destination, Perform on
    /// the source, Finish on the destination, Confirm on the source. A
    /// failure is rolled back in the same order.
    ///
    /// - Returns: the domain on the destination connection.
    ///
    /// libvirt: `virDomainMigrate3` → `virDomainMigrateVersion3Full`
    /// (src/libvirt-domain.c).
    @discardableResult
    public func migrate3(_ dom: DomainRef, to dconn: QemuConnection, params: [TypedParameter],
                         flags: MigrateFlags) async throws(VirError) -> DomainRef {
        var params = params
        let (cookie1, xml) = try await migrateBegin3(dom, params: params, flags: flags)
        params.removeAll { $0.name == MigrateParam.destXML }
        params.append(TypedParameter(MigrateParam.destXML, .string(xml)))
        if params.string(MigrateParam.destName) == nil {
            params.append(TypedParameter(MigrateParam.destName, .string(dom.name)))
        }
        let cookie2: String, uri: String
        do {
            (cookie2, uri) = try await dconn.migratePrepare3(cookie: cookie1, params: params, flags: flags)
        } catch {
            // The Prepare error is the one to report; the rollback's goes to the log.
            await state.log.bestEffort("confirm the cancelled migration", domain: dom.name) {
                try await migrateConfirm3(dom, cookie: "", flags: flags, cancelled: true)
            }
            throw error
        }
        params.removeAll { $0.name == MigrateParam.uri }
        params.append(TypedParameter(MigrateParam.uri, .string(uri)))
        var performError: VirError?
        var cookie3 = ""
        do { cookie3 = try await migratePerform3(dom, cookie: cookie2, params: params, flags: flags) } catch { performError = error }

        var finishError: VirError?
        var ddom: DomainRef?
        do {
            ddom = try await dconn.migrateFinish3(params: params, cookie: cookie3, flags: flags, cancelled: performError != nil)
        } catch { finishError = error }
        do {
            try await migrateConfirm3(dom, cookie: "", flags: flags, cancelled: ddom == nil)
        } catch {
            if performError == nil && finishError == nil { throw error }
        }
        // A destination that died has the better reason: Finish's error
        // replaces Perform's "job failed", as virDomainMigrateVersion3Full
        // does when Perform failed in QEMU and Finish reported an error.
        if let performError, let finishError, performError.domain == .qemu, performError.code == .operationFailed,
           finishError.domain == .qemu, finishError.code != .migrateFinishOK {
            throw finishError
        }
        if let performError { throw performError }
        if let finishError { throw finishError }
        guard let ddom else { throw VirError(.operationFailed, "migration of domain \(dom.name) failed on the destination") }
        return ddom
    }

    /// Peer-to-peer migration: this driver reaches the destination itself
    /// (`VIR_MIGRATE_PEER2PEER`) and runs all five phases.
    ///
    /// libvirt: `qemuDomainMigrateToURI3` → `qemuMigrationSrcPerformPeer2Peer3`.
    @discardableResult
    public func migrateToURI3(_ dom: DomainRef, dconnuri: String, params: [TypedParameter],
                              flags: MigrateFlags) async throws(VirError) -> DomainRef {
        guard flags.contains(.peer2peer) else {
            throw VirError(.argumentUnsupported, "direct migration (without VIR_MIGRATE_PEER2PEER) is not supported by this driver")
        }
        // Another root is refused without opening it: opening a driver
        // takes the root's lock and reconnects to its VMs.
        guard try QemuDriverConfig(uri: dconnuri).uri == driver.config.uri else {
            throw VirError(.operationUnsupported, "peer-to-peer migration to another driver (\(dconnuri)) is not supported; local migration stays within \(uri)")
        }
        return try await migrate3(dom, to: driver.connect(), params: params, flags: flags)
    }

    // MARK: jobs

    /// A domain that does not run has no current job: asking for one is an
    /// error, asking for the last completed one is not.
    ///
    /// libvirt: `qemuDomainGetJobStats` (`VIR_DOMAIN_JOB_STATS_COMPLETED` for `completed`).
    public func jobStats(_ dom: DomainRef, completed: Bool = false) async throws(VirError) -> (type: DomainJobType, params: [TypedParameter]) {
        let obj = try obj(dom)
        if !completed && !obj.isActive { throw VirError.notRunning }
        let r = await QemuMigration.jobStats(obj, completed: completed)
        return (r.0, r.1)
    }

    /// libvirt: `qemuDomainAbortJob`.
    public func abortJob(_ dom: DomainRef) async throws(VirError) {
        let obj = try obj(dom)
        try await withJob(obj, .abort, api: "qemuDomainAbortJob") { () throws(VirError) in
            guard obj.isActive else { throw VirError.notRunning }
            try await QemuMigration.abort(obj)
        }
    }
}

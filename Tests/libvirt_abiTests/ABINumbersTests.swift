import CLibvirt
import Testing
import libvirt_abi

/// The numbers this project exposes are libvirt's: every enum written with
/// literal values is checked here against libvirt's own header.
@Suite struct ABINumbersTests {
    @Test func domainStates() {
        let c: [(DomainState, virDomainState)] = [
            (.noState, VIR_DOMAIN_NOSTATE), (.running, VIR_DOMAIN_RUNNING), (.blocked, VIR_DOMAIN_BLOCKED),
            (.paused, VIR_DOMAIN_PAUSED), (.shutdown, VIR_DOMAIN_SHUTDOWN), (.shutoff, VIR_DOMAIN_SHUTOFF),
            (.crashed, VIR_DOMAIN_CRASHED), (.pmSuspended, VIR_DOMAIN_PMSUSPENDED),
        ]
        for (ours, theirs) in c { #expect(ours.rawValue == Int32(theirs.rawValue)) }
    }

    @Test func stateReasons() {
        #expect(RunningReason.migrated.rawValue == Int32(VIR_DOMAIN_RUNNING_MIGRATED.rawValue))
        #expect(RunningReason.postcopyFailed.rawValue == Int32(VIR_DOMAIN_RUNNING_POSTCOPY_FAILED.rawValue))
        #expect(RunningReason.migrationCanceled.rawValue == Int32(VIR_DOMAIN_RUNNING_MIGRATION_CANCELED.rawValue))
        #expect(PausedReason.migration.rawValue == Int32(VIR_DOMAIN_PAUSED_MIGRATION.rawValue))
        #expect(PausedReason.postcopyFailed.rawValue == Int32(VIR_DOMAIN_PAUSED_POSTCOPY_FAILED.rawValue))
        #expect(PausedReason.startingUp.rawValue == Int32(VIR_DOMAIN_PAUSED_STARTING_UP.rawValue))
        #expect(ShutoffReason.migrated.rawValue == Int32(VIR_DOMAIN_SHUTOFF_MIGRATED.rawValue))
        #expect(ShutoffReason.daemon.rawValue == Int32(VIR_DOMAIN_SHUTOFF_DAEMON.rawValue))
        #expect(ShutoffReason.failed.rawValue == Int32(VIR_DOMAIN_SHUTOFF_FAILED.rawValue))
        #expect(CrashedReason.panicked.rawValue == Int32(VIR_DOMAIN_CRASHED_PANICKED.rawValue))
        #expect(ShutdownReason.user.rawValue == Int32(VIR_DOMAIN_SHUTDOWN_USER.rawValue))
        #expect(RunningReason.allCases.count == Int(VIR_DOMAIN_RUNNING_POSTCOPY_FAILED.rawValue) + 1)
        #expect(PausedReason.allCases.count == Int(VIR_DOMAIN_PAUSED_POSTCOPY_FAILED.rawValue) + 1)
        #expect(ShutoffReason.allCases.count == Int(VIR_DOMAIN_SHUTOFF_DAEMON.rawValue) + 1)
    }

    @Test func lifecycleEvents() {
        #expect(LifecycleEvent.started(.migrated).type == Int32(VIR_DOMAIN_EVENT_STARTED.rawValue))
        #expect(LifecycleEvent.started(.migrated).detail == Int32(VIR_DOMAIN_EVENT_STARTED_MIGRATED.rawValue))
        #expect(LifecycleEvent.suspended(.migrated).type == Int32(VIR_DOMAIN_EVENT_SUSPENDED.rawValue))
        #expect(LifecycleEvent.suspended(.migrated).detail == Int32(VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED.rawValue))
        #expect(LifecycleEvent.resumed(.migrated).type == Int32(VIR_DOMAIN_EVENT_RESUMED.rawValue))
        #expect(LifecycleEvent.resumed(.migrated).detail == Int32(VIR_DOMAIN_EVENT_RESUMED_MIGRATED.rawValue))
        #expect(LifecycleEvent.stopped(.migrated).type == Int32(VIR_DOMAIN_EVENT_STOPPED.rawValue))
        #expect(LifecycleEvent.stopped(.migrated).detail == Int32(VIR_DOMAIN_EVENT_STOPPED_MIGRATED.rawValue))
        #expect(LifecycleEvent.stopped(.destroyed).detail == Int32(VIR_DOMAIN_EVENT_STOPPED_DESTROYED.rawValue))
        #expect(LifecycleEvent.stopped(.failed).detail == Int32(VIR_DOMAIN_EVENT_STOPPED_FAILED.rawValue))
        #expect(LifecycleEvent.suspended(.apiError).detail == Int32(VIR_DOMAIN_EVENT_SUSPENDED_API_ERROR.rawValue))
        #expect(LifecycleEvent.resumed(.unpaused).detail == Int32(VIR_DOMAIN_EVENT_RESUMED_UNPAUSED.rawValue))
        #expect(LifecycleEvent.crashed(0).type == Int32(VIR_DOMAIN_EVENT_CRASHED.rawValue))
        #expect(DomainEventID.lifecycle.rawValue == Int32(VIR_DOMAIN_EVENT_ID_LIFECYCLE.rawValue))
        #expect(DomainEventID.jobCompleted.rawValue == Int32(VIR_DOMAIN_EVENT_ID_JOB_COMPLETED.rawValue))
        #expect(DomainEventID.memoryDeviceSizeChange.rawValue == Int32(VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE.rawValue))
    }

    /// `VIR_MIGRATE_LOCAL` is the first bit libvirt 9.0 leaves free.
    @Test func localFlagIsTheFirstFreeBit() {
        #expect(MigrateFlags.local.rawValue == 1 << 21)
        #expect(MigrateFlags.known.subtracting(.local).rawValue == (1 << 21) - 1)
        #expect(MigrateFlags.zerocopy.rawValue == 1 << 20)
        #expect(MigrateParam.destXML == "destination_xml")
        #expect(MigrateParam.bandwidth == "bandwidth")
    }

    @Test func errorMessagesFollowLibvirtsLayout() {
        #expect(ErrorNumber.operationInvalid.format("domain is not running") == "Requested operation is not valid: domain is not running")
        #expect(ErrorNumber.noDomain.format("no domain with matching name 'x'") == "Domain not found: no domain with matching name 'x'")
        #expect(ErrorNumber.noName.format(nil) == "missing name information")
        #expect(ErrorNumber.xmlDetail.format("raw") == "raw")
        #expect(ErrorNumber.operationInvalid.rawValue == 55)
        #expect(ErrorDomain.qemu.rawValue == 10)
    }
}

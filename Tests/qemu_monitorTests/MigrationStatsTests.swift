import Testing
import libvirt_abi
import qemu_monitor

/// `query-migrate` replies as QEMU 7.2 writes them.
@Suite struct MigrationStatsTests {
    @Test func completedReplyIsRead() throws {
        let reply = try JSONValue(parsing: """
            {"expected-downtime": 300, "status": "completed", "setup-time": 2, "total-time": 1234, "downtime": 17,
             "ram": {"total": 17179869184, "postcopy-requests": 0, "dirty-sync-count": 3, "multifd-bytes": 0,
                     "pages-per-second": 32768, "downtime-bytes": 4096, "page-size": 4096, "remaining": 0,
                     "postcopy-bytes": 0, "mbps": 268.5, "transferred": 17184006144, "dirty-sync-missed-zero-copy": 0,
                     "precopy-bytes": 17184002048, "duplicate": 4190000, "dirty-pages-rate": 0, "skipped": 0,
                     "normal-bytes": 12345678, "normal": 3014}}
            """)
        let stats = try MigrationStats(qmp: reply)
        #expect(stats.status == .completed)
        #expect(stats.status.isFinished)
        #expect(stats.totalTime == 1234)
        #expect(stats.downtime == 17)
        #expect(stats.expectedDowntime == 300)
        #expect(stats.setupTime == 2)
        let ram = try #require(stats.ram)
        #expect(ram.total == 17_179_869_184)
        #expect(ram.transferred == 17_184_006_144)
        #expect(ram.remaining == 0)
        #expect(ram.duplicate == 4_190_000)
        #expect(ram.normal == 3014)
        #expect(ram.normalBytes == 12_345_678)
        #expect(ram.dirtySyncCount == 3)
        #expect(ram.pageSize == 4096)
        #expect(ram.pagesPerSecond == 32768)
        #expect(ram.precopyBytes == 17_184_002_048)
        #expect(ram.downtimeBytes == 4096)
        #expect(ram.postcopyBytes == 0)
        #expect(ram.mbps == 268.5)
        #expect(ram.bytesPerSecond == 33_562_500)
        #expect(stats.errorDescription == nil)
    }

    @Test func emptyReplyIsNone() throws {
        let stats = try MigrationStats(qmp: .object([:]))
        #expect(stats.status == .none)
        #expect(stats.ram == nil)
    }

    @Test func failedReplyKeepsTheDescription() throws {
        let stats = try MigrationStats(qmp: ["status": "failed", "error-desc": "Unable to write to socket: Broken pipe"])
        #expect(stats.status == .failed)
        #expect(stats.errorDescription == "Unable to write to socket: Broken pipe")
    }

    @Test func activeWithoutTransferredIsLibvirtsError() {
        let error = #expect(throws: QemuMonitorError.self) {
            try MigrationStats(qmp: ["status": "active", "ram": ["remaining": 1, "total": 2]])
        }
        #expect(error?.message == "internal error: migration was active, but RAM 'transferred' data was missing")
    }

    @Test func everyQemuStatusNameRoundTrips() {
        let names = ["none", "setup", "cancelling", "cancelled", "active", "postcopy-active", "postcopy-paused",
                     "postcopy-recover", "completed", "failed", "colo", "pre-switchover", "device", "wait-unplug"]
        for name in names {
            let status = MigrationStatus(qemuName: name)
            #expect(status != .unknown(name), "\(name)")
            #expect(status.qemuName == name)
        }
        #expect(MigrationStatus(qemuName: "something-new") == .unknown("something-new"))
        #expect(MigrationStatus(qemuName: "something-new").qemuName == "something-new")
    }

    @Test func pausedReasonFollowsLibvirt() {
        #expect(PausedReason(qemuStatus: "prelaunch") == .user)
        #expect(PausedReason(qemuStatus: "inmigrate") == .migration)
        #expect(PausedReason(qemuStatus: "postmigrate") == .migration)
        #expect(PausedReason(qemuStatus: "io-error") == .ioError)
        #expect(PausedReason(qemuStatus: "guest-panicked") == .crashed)
        #expect(PausedReason(qemuStatus: nil) == .unknown)
        #expect(PausedReason(qemuStatus: "bogus") == .unknown)
    }
}

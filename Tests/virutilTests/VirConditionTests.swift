import Testing
import virutil

/// The wake-up Perform waits on between QEMU's migration events.
@Suite struct VirConditionTests {
    @Test func aBroadcastWakesAWaiterLongBeforeItsTimeout() async {
        let c = VirCondition()
        let generation = c.generation
        let clock = ContinuousClock()
        let started = clock.now
        async let woken: Void = c.wait(since: generation, timeout: .seconds(60))
        try? await Task.sleep(for: .milliseconds(50))
        c.broadcast()
        await woken
        #expect(clock.now - started < .seconds(30), "woken by the broadcast, not by the 60 s timeout")
        #expect(c.generation == generation + 1)
    }

    @Test func aBroadcastBeforeTheWaitIsNotLost() async {
        let c = VirCondition()
        let generation = c.generation
        c.broadcast()
        let clock = ContinuousClock()
        let started = clock.now
        await c.wait(since: generation, timeout: .seconds(60))
        #expect(clock.now - started < .seconds(30))
    }

    @Test func withoutABroadcastTheWaitEndsAtItsTimeout() async {
        let c = VirCondition()
        let clock = ContinuousClock()
        let started = clock.now
        await c.wait(since: c.generation, timeout: .milliseconds(100))
        #expect(clock.now - started >= .milliseconds(100))
        // A broadcast later wakes nobody and breaks nothing.
        c.broadcast()
        await c.wait(since: c.generation, timeout: .milliseconds(10))
    }
}

import Logging
import libvirt_abi

extension Logger {
    /// Runs a clean-up or rollback step that must not stop what it cleans up
    /// after. A failure is logged as a warning with the domain and the step,
    /// as libvirt's rollback paths `VIR_WARN` and carry on; nothing is
    /// dropped silently.
    public func bestEffort(_ step: String, domain: String, _ body: () throws -> Void) {
        do { try body() } catch {
            warning("\(step) failed: \(error)", metadata: ["domain": "\(domain)", "step": "\(step)"])
        }
    }

    /// The same for a step that awaits (a QMP command, a process to stop).
    public func bestEffort(_ step: String, domain: String, _ body: () async throws -> Void) async {
        do { try await body() } catch {
            warning("\(step) failed: \(error)", metadata: ["domain": "\(domain)", "step": "\(step)"])
        }
    }
}

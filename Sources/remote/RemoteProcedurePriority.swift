/// Which procedures of the remote program are "high priority": calls
/// that never block for long (lookups, getters, destroy), which libvirt's
/// daemon runs on its `prio_workers` when every ordinary worker is busy
/// with a call that blocks (a migration phase, an agent command).
///
/// libvirt: the `@priority: high` annotations of
/// src/remote/remote_protocol.x (libvirt 9.0), as gendispatch.pl turns
/// them into `virNetServerProgramProc.priority`.
public enum RemoteProcedurePriority {
    /// Whether procedure `number` of the remote program is high priority.
    public static func isHigh(_ number: Int32) -> Bool { high.contains(number) }

    private static let high: Set<Int32> = [
        1, 2, 3, 4, 5, 6, 11, 12, 15, 17, 18, 19, 20, 21, 22, 23, 24, 25, 29, 30, 35, 36, 37, 38, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51,
        52, 59, 60, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 77, 80, 82, 84, 85, 86, 87, 88, 89, 90, 91, 92, 95, 96, 97, 98, 99, 100, 101,
        102, 105, 106, 110, 111, 112, 113, 115, 116, 117, 121, 122, 124, 126, 127, 128, 129, 131, 132, 134, 137, 138, 139, 140, 141,
        142, 143, 144, 145, 146, 147, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 167, 168, 175, 176, 177, 178, 179, 180, 181,
        186, 187, 188, 189, 202, 203, 212, 227, 228, 229, 231, 234, 235, 236, 244, 246, 247, 273, 274, 275, 278, 281, 282, 283, 284,
        285, 286, 287, 291, 297, 313, 314, 316, 317, 340, 350, 360, 361, 368, 369, 374, 375, 378, 380, 381, 391, 397, 398, 399, 400,
        401, 404, 405, 413, 414, 415, 416, 422, 429, 430, 431, 432, 433, 434, 435, 436, 437,
    ]
}

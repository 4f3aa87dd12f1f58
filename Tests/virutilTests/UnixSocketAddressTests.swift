import Glibc
import Testing
import virutil

/// The one limit on UNIX socket paths: 107 bytes, never truncated.
struct UnixSocketAddressTests {
    @Test func pathsUpTo107BytesFitAndLongerOnesAreRefused() throws {
        #expect(UnixSocketAddress.maxPathLength == 107)
        let fits = "/" + String(repeating: "a", count: 106)
        let addr = try #require(UnixSocketAddress(path: fits))
        let stored = withUnsafeBytes(of: addr.storage.sun_path) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        #expect(stored == fits)
        #expect(Int32(addr.storage.sun_family) == AF_UNIX)
        #expect(UnixSocketAddress(path: fits + "a") == nil)
        #expect(UnixSocketAddress(path: "") == nil)
        #expect(UnixSocketAddress(path: "/tmp/a\u{0}b") == nil)
    }
}

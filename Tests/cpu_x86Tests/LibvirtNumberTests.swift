import Testing
import libvirt_abi
@testable import cpu_x86

/// The conversions the map and /proc/cpuinfo are read with
/// (virStrToLong_uip, virStrToLong_ui, virBitmapParse).
@Suite struct LibvirtNumberTests {
    @Test func wholeStringUnsigned() {
        #expect(LibvirtNumber.uip("0x01", base: 0) == 1)
        #expect(LibvirtNumber.uip("0x80000000", base: 0) == 0x8000_0000)
        #expect(LibvirtNumber.uip("010", base: 0) == 8)
        #expect(LibvirtNumber.uip("010", base: 10) == 10)
        #expect(LibvirtNumber.uip(" 25", base: 10) == 25)
        #expect(LibvirtNumber.uip("25 ", base: 10) == nil)
        #expect(LibvirtNumber.uip("-1", base: 0) == nil)
        #expect(LibvirtNumber.uip("", base: 0) == nil)
        #expect(LibvirtNumber.uip("0x100000000", base: 0) == nil)
        #expect(LibvirtNumber.uip("1x", base: 0) == nil)
    }

    @Test func leadingUnsigned() {
        #expect(LibvirtNumber.uiPrefix(" 0x1000065\nmore", base: 0) == 0x100_0065)
        #expect(LibvirtNumber.uiPrefix(" 48 bits physical", base: 10) == 48)
        #expect(LibvirtNumber.uiPrefix("-1", base: 10) == UInt32.max)
        #expect(LibvirtNumber.uiPrefix(" bits", base: 10) == nil)
        #expect(LibvirtNumber.uiPrefix("4294967296", base: 10) == nil)
    }

    @Test func bitmaps() {
        func set(_ s: String) -> [Int]? {
            LibvirtNumber.bitmap(s, size: 16).map { bits in bits.indices.filter { bits[$0] } }
        }
        #expect(set("5-7") == [5, 6, 7])
        #expect(set("0-4,^2, 9") == [0, 1, 3, 4, 9])
        #expect(set(" 10 - 11 ") == [10, 11])
        #expect(set("15") == [15])
        #expect(set("16") == nil)
        #expect(set("14-16") == nil)
        #expect(set("3-1") == nil)
        #expect(set("^2-3") == nil)
        #expect(set("") == nil)
        #expect(set("a") == nil)
        #expect(set("1;2") == nil)
    }
}

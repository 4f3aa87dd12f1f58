import Testing
import virutil

@Suite struct VirBitmapTests {
    @Test func formatsRunsAsRangesAndSinglesAlone() {
        #expect(VirBitmap.format([0, 1]) == "0-1")
        #expect(VirBitmap.format([3]) == "3")
        #expect(VirBitmap.format([0, 1, 2, 3, 8, 10, 11]) == "0-3,8,10-11")
        #expect(VirBitmap.format([11, 10, 8, 3, 2, 1, 0]) == "0-3,8,10-11")
        #expect(VirBitmap.format([UInt32]()) == "")
    }

    @Test func parsesWhatSysfsWrites() {
        #expect(VirBitmap.parse("0-3,8,10-11\n") == [0, 1, 2, 3, 8, 10, 11])
        #expect(VirBitmap.parse("5") == [5])
        #expect(VirBitmap.parse("") == [])
        // Garbage and reversed ranges add nothing.
        #expect(VirBitmap.parse("x,3-1,-2,7") == [7])
        #expect(VirBitmap.format(VirBitmap.parse("0-1,4,6-9")) == "0-1,4,6-9")
    }
}

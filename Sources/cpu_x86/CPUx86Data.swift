/// A set of x86 CPU data items (CPUID leaves, MSRs), one per key, kept in
/// libvirt's order: what a CPU reports, or what a feature, a vendor or a
/// model requires.
///
/// Items whose registers are all zero are kept but take no part in the
/// operations, as libvirt's iterator skips them.
///
/// libvirt: `virCPUx86Data` and its operations (src/cpu/cpu_x86.c).
public struct CPUx86Data: Hashable, Sendable {
    /// Sorted by key, keys unique.
    public private(set) var items: [CPUx86DataItem] = []

    public init() {}

    /// Data from items given in any order; items with the same key are
    /// ORed together.
    public init(_ items: [CPUx86DataItem]) {
        for item in items { addItem(item) }
    }

    /// The position of the item with that key, or where it would go.
    private func position(of key: CPUx86DataItem.Key) -> (index: Int, found: Bool) {
        var low = 0
        var high = items.count
        while low < high {
            let mid = (low + high) / 2
            if items[mid].key < key {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return (low, low < items.count && items[low].key == key)
    }

    /// The item with that key, zero or not.
    ///
    /// libvirt: `virCPUx86DataGet`.
    public subscript(key: CPUx86DataItem.Key) -> CPUx86DataItem? {
        let (index, found) = position(of: key)
        return found ? items[index] : nil
    }

    /// The items with a bit set, in order.
    ///
    /// libvirt: `virCPUx86DataNext`.
    public var nonZeroItems: [CPUx86DataItem] { items.filter { !$0.isZero } }

    /// ORs an item into the one with its key, or inserts it (even when it is
    /// zero).
    ///
    /// libvirt: `virCPUx86DataAddItem` (`virCPUx86DataAdd`).
    public mutating func addItem(_ item: CPUx86DataItem) {
        let (index, found) = position(of: item.key)
        if found {
            items[index].setBits(item)
        } else {
            items.insert(item, at: index)
        }
    }

    /// ORs every non-zero item of `other` in.
    ///
    /// libvirt: `x86DataAdd`.
    public mutating func add(_ other: CPUx86Data) {
        for item in other.items where !item.isZero { addItem(item) }
    }

    /// Clears the bits `other` has from the items with the same keys.
    ///
    /// libvirt: `x86DataSubtract`.
    public mutating func subtract(_ other: CPUx86Data) {
        for index in items.indices where !items[index].isZero {
            if let mask = other[items[index].key] {
                items[index].clearBits(mask)
            }
        }
    }

    /// Clears the bits of one item from the item with its key, if any.
    ///
    /// libvirt: `virCPUx86DataItemClearBits` on `virCPUx86DataGet`'s item.
    public mutating func clearBits(_ mask: CPUx86DataItem) {
        let (index, found) = position(of: mask.key)
        if found { items[index].clearBits(mask) }
    }

    /// No bit set anywhere.
    ///
    /// libvirt: `x86DataIsEmpty`.
    public var isEmpty: Bool { items.allSatisfy(\.isZero) }

    /// Every bit of `subset` is set here: each of its non-zero items has an
    /// item with the same key that contains its bits.
    ///
    /// libvirt: `x86DataIsSubset(self, subset)`.
    public func contains(_ subset: CPUx86Data) -> Bool {
        for mask in subset.items where !mask.isZero {
            guard let item = self[mask.key], item.contains(mask) else { return false }
        }
        return true
    }
}

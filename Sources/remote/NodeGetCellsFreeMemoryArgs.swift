/// libvirt: `remote_node_get_cells_free_memory_args`.
public struct NodeGetCellsFreeMemoryArgs: XDRCodable, Hashable {
    public var startCell: Int32
    public var maxCells: Int32
    public init(startCell: Int32, maxCells: Int32) {
        self.startCell = startCell
        self.maxCells = maxCells
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        startCell = try d.int32()
        maxCells = try d.int32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.int32(startCell)
        e.int32(maxCells)
    }
}

/// libvirt: `remote_node_get_cells_free_memory_ret`
/// (`unsigned hyper cells<REMOTE_NODE_MAX_CELLS>`, bytes).
public struct NodeGetCellsFreeMemoryRet: XDRCodable, Hashable {
    public var cells: [UInt64]
    public init(_ cells: [UInt64]) { self.cells = cells }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        cells = try d.array(UHyperValue.self, max: RemoteProtocolLimits.nodeMaxCells).map(\.value)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.array(cells.map(UHyperValue.init), max: RemoteProtocolLimits.nodeMaxCells)
    }
}

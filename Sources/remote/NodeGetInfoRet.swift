/// libvirt: `remote_node_get_info_ret` (`virNodeInfo`); `model` is
/// `char model[32]`, a fixed array of 4-byte chars.
public struct NodeGetInfoRet: XDRCodable, Hashable {
    public var model: String
    /// KiB.
    public var memory: UInt64
    public var cpus: Int32
    /// MHz.
    public var mhz: Int32
    public var nodes: Int32
    public var sockets: Int32
    public var cores: Int32
    public var threads: Int32

    static let modelLength = 32

    public init(model: String, memory: UInt64, cpus: Int32, mhz: Int32, nodes: Int32, sockets: Int32, cores: Int32, threads: Int32) {
        self.model = model
        self.memory = memory
        self.cpus = cpus
        self.mhz = mhz
        self.nodes = nodes
        self.sockets = sockets
        self.cores = cores
        self.threads = threads
    }

    public init(from d: inout XDRDecoder) throws(RemoteError) {
        var chars: [UInt8] = []
        for _ in 0..<Self.modelLength { chars.append(UInt8(truncatingIfNeeded: try d.int32())) }
        if let nul = chars.firstIndex(of: 0) { chars.removeSubrange(nul...) }
        model = String(decoding: chars, as: UTF8.self)
        memory = try d.uint64()
        cpus = try d.int32()
        mhz = try d.int32()
        nodes = try d.int32()
        sockets = try d.int32()
        cores = try d.int32()
        threads = try d.int32()
    }

    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        var chars = Array(model.utf8.prefix(Self.modelLength - 1))
        chars += repeatElement(0, count: Self.modelLength - chars.count)
        for c in chars { e.int32(Int32(Int8(bitPattern: c))) }
        e.uint64(memory)
        e.int32(cpus)
        e.int32(mhz)
        e.int32(nodes)
        e.int32(sockets)
        e.int32(cores)
        e.int32(threads)
    }
}

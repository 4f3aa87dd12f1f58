// libFuzzer target: the RPC framing and the XDR decoders of every procedure
// served (Sources/remote), built by scripts/fuzz.sh with SwiftPM.
//
// The input is a byte stream as a client would send it: frames, each a
// length word, a header and a payload. Every frame must be refused or
// decode; a decoded frame must frame back to the same bytes; a payload that
// decodes as its procedure's args (or ret, or a wire error when the header
// says so) must encode, and its encoding must decode and encode to the same
// bytes again. A crash, a sanitizer report, a timeout or a round trip that
// changes the bytes is a bug.
import remote

func fuzzXDR(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    var at = 0
    while bytes.count - at >= RemoteProtocolLimits.lengthWord {
        let word = Array(bytes[at..<(at + RemoteProtocolLimits.lengthWord)])
        guard let length = try? RemoteMessage.bodyLength(lengthWord: word),
              length <= bytes.count - at - RemoteProtocolLimits.lengthWord else { return 0 }
        let frame = Array(bytes[at..<(at + RemoteProtocolLimits.lengthWord + length)])
        at += frame.count
        guard let message = try? RemoteMessage(body: Array(frame[RemoteProtocolLimits.lengthWord...])) else { return 0 }
        guard let again = try? message.framed(), again == frame else {
            fatalError("a decoded frame does not frame back to its bytes: \(frame)")
        }
        check(message)
    }
    return 0
}

private func check(_ message: RemoteMessage) {
    let h = message.header
    if h.status == .error {
        roundTrip(RemoteWireError.self, message.payload)
        return
    }
    switch h.program {
    case RemoteProgram.remote:
        for call in remoteCalls() where call.procedure.rawValue == h.procedure { check(call, message.payload) }
    case RemoteProgram.qemu:
        for call in qemuCalls() where call.procedure.rawValue == h.procedure { check(call, message.payload) }
    default:
        break
    }
}

private func check<C: ProgramCall>(_: C.Type, _ payload: [UInt8]) {
    roundTrip(C.Args.self, payload)
    roundTrip(C.Ret.self, payload)
}

private func roundTrip<T: XDRCodable>(_: T.Type, _ payload: [UInt8]) {
    guard let value = try? T(xdr: payload) else { return }
    let encoded: [UInt8]
    do { encoded = try value.xdrBytes() } catch {
        fatalError("\(T.self) decoded from \(payload) cannot be encoded: \(error)")
    }
    do {
        let again = try T(xdr: encoded).xdrBytes()
        if again != encoded { fatalError("\(T.self): \(encoded) decodes and encodes to \(again)") }
    } catch {
        fatalError("\(T.self): its own encoding \(encoded) is refused: \(error)")
    }
}

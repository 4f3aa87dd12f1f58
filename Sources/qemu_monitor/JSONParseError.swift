/// Why a text is not one JSON document, and where the parser stopped.
///
/// libvirt: the "cannot parse json %s: %s" error of `virJSONValueFromString`;
/// the monitor reports it in that layout.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in the style of a JSON parser's message.
    public let reason: String
    /// The byte offset in the input where the problem was found.
    public let offset: Int

    public init(_ reason: String, offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String { "\(reason) at offset \(offset)" }
}

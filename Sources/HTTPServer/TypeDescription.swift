/// Names Swift types the way a client of a JSON API thinks of them, for error messages.
enum TypeDescription {
    /// "an integer", "a number", "a string", "a boolean", "an array", "an object".
    static func article(for type: Any.Type) -> String {
        switch type {
        case is any FixedWidthInteger.Type: "an integer"
        case is any BinaryFloatingPoint.Type: "a number"
        case is String.Type, is Substring.Type, is Character.Type: "a string"
        case is Bool.Type: "a boolean"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "an object"
        default: "a valid \(type)"
        }
    }
}

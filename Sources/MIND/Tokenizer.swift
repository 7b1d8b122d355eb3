/// The word tokenizer of the MIND reference pipelines: `re.findall(r"[\w]+|[.,!?;|]", text.lower())`.
///
/// The text is lowercased as Python's `str.lower()` does it (full Unicode lowercase mapping of each code point,
/// and `Σ` → `ς` at the end of a word, which Swift's `lowercased()` does not do), then read as Unicode scalars (code points, as Python does). A token is either a
/// maximal run of word scalars or one of the punctuation marks `. , ! ? ; |`; every other scalar separates tokens.
/// A word scalar is what Python's `re` counts as `\w` for `str` patterns: a letter (general category Lu, Ll, Lt,
/// Lm, Lo), a character with a numeric value (decimal digits, other digits, numerals such as `½`, `Ⅻ`), or `_`.
/// Combining marks (Mn, Mc) are not word scalars in Python, so a decomposed `e\u{301}` gives `e`; the
/// precomposed `é` is a letter. A run of CJK letters is one token (`東京タワー`), as in Python.
public enum Tokenizer {
    /// The lowercased tokens of `text`, in order.
    public static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in lowercased(text) {
            if isWordScalar(scalar) {
                current.append(scalar)
                continue
            }
            if !current.isEmpty {
                tokens.append(String(current))
                current = String.UnicodeScalarView()
            }
            if isPunctuationToken(scalar) { tokens.append(String(Character(scalar))) }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }

    /// The scalars of `text` lowercased as Python's `str.lower()`: each code point's full lowercase mapping,
    /// with capital sigma in the Final_Sigma context (after a cased letter, not before one, case-ignorable
    /// scalars skipped) becoming `ς`.
    public static func lowercased(_ text: String) -> [Unicode.Scalar] {
        let scalars = Array(text.unicodeScalars)
        var lowered: [Unicode.Scalar] = []
        lowered.reserveCapacity(scalars.count)
        for (index, scalar) in scalars.enumerated() {
            let value = scalar.value
            if value < 0x80 {
                lowered.append(value >= 0x41 && value <= 0x5A ? Unicode.Scalar(UInt8(value + 0x20)) : scalar)
            } else if value == 0x3A3 {
                lowered.append(isFinalSigma(scalars, at: index) ? "\u{3C2}" : "\u{3C3}")
            } else {
                lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return lowered
    }

    /// Unicode's Final_Sigma condition: `\p{cased} \p{case-ignorable}* Σ !(\p{case-ignorable}* \p{cased})`.
    static func isFinalSigma(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        var before = index - 1
        while before >= 0 && scalars[before].properties.isCaseIgnorable { before -= 1 }
        guard before >= 0 && scalars[before].properties.isCased else { return false }
        var after = index + 1
        while after < scalars.count && scalars[after].properties.isCaseIgnorable { after += 1 }
        return !(after < scalars.count && scalars[after].properties.isCased)
    }

    /// Whether Python's `re` matches `scalar` with `\w` (letters, numerics and `_`).
    public static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value >= 0x61 && value <= 0x7A) || (value >= 0x41 && value <= 0x5A)
                || (value >= 0x30 && value <= 0x39) || value == 0x5F
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return scalar.properties.numericType != nil
        }
    }

    /// Whether `scalar` is one of the single-character tokens `. , ! ? ; |`.
    public static func isPunctuationToken(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ".", ",", "!", "?", ";", "|": return true
        default: return false
        }
    }
}

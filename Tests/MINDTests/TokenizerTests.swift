import Testing
@testable import MIND

/// Expected tokens were produced by Python 3.11: `re.findall(r"[\w]+|[.,!?;|]", text.lower())`.
@Suite("Tokenizer")
struct TokenizerTests {
    static let pythonCases: [(String, [String])] = [
        ("Don't miss: 3 takeaways from Sunday's game!",
         ["don", "t", "miss", "3", "takeaways", "from", "sunday", "s", "game", "!"]),
        ("Hello, World... really?! Yes; no | maybe",
         ["hello", ",", "world", ".", ".", ".", "really", "?", "!", "yes", ";", "no", "|", "maybe"]),
        ("Café culture in Paris: a guide", ["café", "culture", "in", "paris", "a", "guide"]),
        ("e\u{301}te\u{301} vs \u{e9}t\u{e9}", ["e", "te", "vs", "\u{e9}t\u{e9}"]),
        ("Tokyo's 東京タワー reopens after renovation",
         ["tokyo", "s", "東京タワー", "reopens", "after", "renovation"]),
        ("東京タワー", ["東京タワー"]),
        ("state-of-the-art 24-21 win", ["state", "of", "the", "art", "24", "21", "win"]),
        ("Emoji 🎉🎉 party👍ok", ["emoji", "party", "ok"]),
        ("1.2% of $3,000 — 50/50 @home #tag",
         ["1", ".", "2", "of", "3", ",", "000", "50", "50", "home", "tag"]),
        ("snake_case __init__ x²³ ½ Ⅻ ٣٤", ["snake_case", "__init__", "x²³", "½", "ⅻ", "٣٤"]),
        ("ÀÉÎÕÜ STRASSE İstanbul", ["àéîõü", "strasse", "i", "stanbul"]),
        ("ΣΟΦΟΣ ΣΑΣ Σ ΑΣ'Β", ["σοφος", "σας", "σ", "ασ", "β"]),
        ("tab\there\nnewline  spaces", ["tab", "here", "newline", "spaces"]),
        ("", []),
        ("   ", []),
        ("Ünïcödé—dash «quotes» “curly” ‘single’", ["ünïcödé", "dash", "quotes", "curly", "single"]),
        ("한국어 텍스트 and العربية", ["한국어", "텍스트", "and", "العربية"]),
    ]

    @Test("matches Python's re tokens", arguments: pythonCases)
    func matchesPython(text: String, expected: [String]) {
        #expect(Tokenizer.tokenize(text) == expected)
    }

    @Test("word scalars: letters, numerics and underscore; not marks, symbols or punctuation")
    func wordScalars() {
        for scalar in ["a", "Z", "0", "_", "é", "東", "ー", "½", "٣", "ǅ"] as [Unicode.Scalar] {
            #expect(Tokenizer.isWordScalar(scalar), "\(scalar)")
        }
        for scalar in ["-", "'", " ", "\u{301}", "🎉", "$", "%", "—", "\u{3000}"] as [Unicode.Scalar] {
            #expect(!Tokenizer.isWordScalar(scalar), "\(scalar)")
        }
    }
}

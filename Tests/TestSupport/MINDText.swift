import Foundation
import MIND

/// Writes records in MIND's TSV formats, for tests that need files.
public enum MINDText {
    /// `news.tsv` lines (entities `[]`).
    public static func news(_ articles: [NewsArticle]) -> String {
        articles.map { [$0.id.rawValue, $0.category, $0.subcategory, $0.title, $0.abstract, $0.url, "[]", "[]"]
            .joined(separator: "\t") + "\n" }.joined()
    }

    /// `behaviors.tsv` lines (labelled candidates).
    public static func behaviors(_ impressions: [Impression]) -> String {
        impressions.map { impression in
            let candidates = impression.candidates.map { "\($0.news)-\($0.clicked == true ? 1 : 0)" }
            return ["\(impression.id)", impression.user.rawValue, time(impression.time),
                    impression.history.map(\.rawValue).joined(separator: " "), candidates.joined(separator: " ")]
                .joined(separator: "\t") + "\n"
        }.joined()
    }

    /// `MM/DD/YYYY h:mm:ss AM|PM` in UTC.
    public static func time(_ seconds: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                        from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let hour12 = (c.hour! + 11) % 12 + 1
        return String(format: "%d/%d/%d %d:%02d:%02d %@", c.month!, c.day!, c.year!, hour12, c.minute!, c.second!,
                      c.hour! < 12 ? "AM" : "PM")
    }
}

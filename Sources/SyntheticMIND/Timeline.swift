import MIND

/// The calendar of a synthetic dataset, laid out like MIND's (all times UTC, Unix seconds).
///
/// ```
/// Oct 10 ───── news published (uniformly) ──────────────────────────────────────────────► Nov 18
///        Oct 12 ── history: 4 weeks ──► Nov 9 ─ train: 6 days ─► Nov 15 ─ dev ─► Nov 16 ─ test: 2 days ─► Nov 18
/// ```
/// Histories of train and dev impressions are the user's clicks in the history weeks; histories of test impressions
/// add the user's train and dev clicks (MIND's test histories cover weeks 1–5).
enum Timeline {
    static let day: Int64 = 86_400
    /// 2019-10-12 00:00:00 UTC, the first day of MIND's collection.
    static let historyStart: Int64 = 1_570_838_400
    static let trainStart = historyStart + 28 * day
    static let devStart = trainStart + 6 * day
    static let testStart = devStart + day
    static let testEnd = testStart + 2 * day
    /// News appear from two days before the history weeks, so early history clicks have fresh news too.
    static let publishStart = historyStart - 2 * day

    /// The interval of impressions of a split.
    static func period(of split: Split) -> Range<Int64> {
        switch split {
        case .train: return trainStart..<devStart
        case .dev: return devStart..<testStart
        case .test: return testStart..<testEnd
        }
    }

    /// Appends MIND's time format, `11/15/2019 10:22:32 AM` (month, day and hour not zero-padded).
    static func appendTime(_ seconds: Int64, to buffer: inout [UInt8]) {
        let days = seconds >= 0 ? seconds / day : (seconds - day + 1) / day
        let secondOfDay = Int(seconds - days * day)
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        let hour24 = secondOfDay / 3600
        let minute = (secondOfDay / 60) % 60
        let second = secondOfDay % 60
        let hour12 = hour24 % 12 == 0 ? 12 : hour24 % 12
        ByteText.appendInt(Int(month), to: &buffer)
        buffer.append(UInt8(ascii: "/"))
        ByteText.appendInt(Int(dayOfMonth), to: &buffer)
        buffer.append(UInt8(ascii: "/"))
        ByteText.appendInt(Int(year), to: &buffer)
        buffer.append(UInt8(ascii: " "))
        ByteText.appendInt(hour12, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
        ByteText.appendTwoDigits(minute, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
        ByteText.appendTwoDigits(second, to: &buffer)
        buffer.append(UInt8(ascii: " "))
        buffer.append(hour24 < 12 ? UInt8(ascii: "A") : UInt8(ascii: "P"))
        buffer.append(UInt8(ascii: "M"))
    }
}

/// Byte-level text formatting for the hot output paths (no `String` per line).
enum ByteText {
    @inline(__always)
    static func appendInt(_ value: Int, to buffer: inout [UInt8]) {
        var value = value
        if value < 0 {
            buffer.append(UInt8(ascii: "-"))
            value = -value
        }
        if value < 10 {
            buffer.append(UInt8(48 + value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            while value > 0 {
                raw[count] = UInt8(48 + value % 10)
                value /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { buffer.append(raw[index]) }
        }
    }

    @inline(__always)
    static func appendTwoDigits(_ value: Int, to buffer: inout [UInt8]) {
        buffer.append(UInt8(48 + value / 10))
        buffer.append(UInt8(48 + value % 10))
    }

    @inline(__always)
    static func append(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: text.utf8)
    }

    /// Appends `value` rounded to `decimals` places in plain decimal notation (`-0.12345`).
    static func appendFixed(_ value: Double, decimals: Int, to buffer: inout [UInt8]) {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((abs(value) * Double(scale)).rounded())
        if value < 0 && scaled != 0 { buffer.append(UInt8(ascii: "-")) }
        appendInt(scaled / scale, to: &buffer)
        guard decimals > 0 else { return }
        buffer.append(UInt8(ascii: "."))
        var fraction = scaled % scale
        var divisor = scale / 10
        while divisor > 0 {
            buffer.append(UInt8(48 + fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }
}

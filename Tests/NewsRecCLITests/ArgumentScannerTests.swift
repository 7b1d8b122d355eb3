import Testing
@testable import NewsRecCLI

@Suite("Argument scanner")
struct ArgumentScannerTests {
    @Test("reads --name value, --name=value and flags in any order")
    func readsOptionsAndFlags() throws {
        var scanner = ArgumentScanner(["--json", "--db", "a.sqlite", "--epochs=3"])
        #expect(try scanner.option("--db") == "a.sqlite")
        #expect(try scanner.option("--epochs", as: Int.self) == 3)
        let json = scanner.flag("--json")
        let resume = scanner.flag("--resume")
        #expect(json)
        #expect(!resume)
        try scanner.finish()
    }

    @Test("rejects unknown arguments, missing values and bad numbers")
    func rejectsMistakes() throws {
        var unknown = ArgumentScanner(["--db", "x", "--bogus"])
        _ = try unknown.option("--db")
        #expect(throws: UsageError.self) { try unknown.finish() }
        var missing = ArgumentScanner(["--db"])
        #expect(throws: UsageError.self) { try missing.option("--db") }
        var bad = ArgumentScanner(["--epochs", "three"])
        #expect(throws: UsageError.self) { try bad.option("--epochs", as: Int.self) }
    }

    @Test("unknown command exits 64, --help exits 0")
    func exitCodes() {
        let context = CommandContext(out: { _ in }, err: { _ in })
        #expect(NewsRecCLI.run(["frobnicate"], context: context) == 64)
        #expect(NewsRecCLI.run(["--help"], context: context) == 0)
        #expect(NewsRecCLI.run(["version"], context: context) == 0)
    }
}

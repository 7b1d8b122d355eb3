import NewsRecCLI
import TestSupport

/// What one in-process `newsrec` run returned and printed.
struct Outcome {
    var code: Int32
    var out: String
    var err: String
}

/// Runs `newsrec arguments` in-process and captures standard output and standard error.
func newsrec(_ arguments: [String], interactive: Bool = false) -> Outcome {
    let capture = OutputCapture()
    let context = CommandContext(out: capture.writeOut, err: capture.writeErr, interactive: interactive)
    let code = NewsRecCLI.run(arguments, context: context)
    return Outcome(code: code, out: capture.out, err: capture.err)
}

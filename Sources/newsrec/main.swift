import Foundation
import NewsRecCLI

exit(NewsRecCLI.run(Array(CommandLine.arguments.dropFirst())))

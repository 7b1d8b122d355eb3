// Driver for DistributedTests and the reduction benchmark; run it under `mpirun` (or alone for one process).
//
//   mpi-selftest check [--shards 8,7,13] [--threads 2] [--dense 1000] [--rows 40] [--width 8] [--vocabulary 120]
//       Reduces synthetic shard gradients for each shard count; rank 0 prints
//       `result shards=S ranks=N fingerprint=HEX` after checking that every rank got the same bits.
//   mpi-selftest fail --how exit|kill|throw|stall [--timeout-ms 1000]
//       Rank 1 fails (exit 3, SIGKILL, thrown error, or sleeps) while the others wait in a reduction.
//   mpi-selftest bench [--shards 8] [--dense 600000] [--rows 3000] [--width 300] [--vocabulary 65000] [--repeat 5]
//       Times the reduction; rank 0 prints one line per rank and the median step time.
import Distributed
import Foundation

let arguments = SelftestArguments(CommandLine.arguments.dropFirst())
switch arguments.mode {
case "check": runCheck(arguments)
case "fail": runFailure(arguments)
case "bench": runBenchmark(arguments)
default:
    FileHandle.standardError.write(Data("usage: mpi-selftest check|fail|bench [--option value …]\n".utf8))
    exit(2)
}

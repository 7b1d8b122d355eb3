import Basics
import Foundation
import Testing

@Suite("Atomic file writer and line reader")
final class FileTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("basics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    @Test("the file appears only at close, with everything written; a dropped writer leaves nothing")
    func atomicWrite() throws {
        let path = folder.appendingPathComponent("out.txt").path
        let writer = try AtomicFileWriter(path: path, bufferSize: 4096)
        let big = [UInt8](repeating: 65, count: 10_000)
        try writer.write("head\n")
        try writer.write(big)
        try writer.write(big[0..<10])
        #expect(!FileManager.default.fileExists(atPath: path))
        try writer.close()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.count == 5 + 10_010)
        #expect(writer.bytesWritten == 5 + 10_010)
        #expect(throws: FileError.self) { try writer.write("late") }
        do {
            let abandoned = try AtomicFileWriter(path: folder.appendingPathComponent("gone.txt").path)
            try abandoned.write("x")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.txt"])
    }

    @Test("an existing file is replaced only when the new one is complete")
    func replace() throws {
        let path = folder.appendingPathComponent("f").path
        try AtomicFileWriter.write(Array("old".utf8), to: path)
        let writer = try AtomicFileWriter(path: path)
        try writer.write("new")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
        try writer.close()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
    }

    @Test("lines: CRLF, BOM, no final newline, empty lines, lines longer than the chunk")
    func lines() throws {
        let path = folder.appendingPathComponent("lines.txt").path
        let long = String(repeating: "x", count: 100)
        try Data(([0xEF, 0xBB, 0xBF] as [UInt8]) + Array("a\r\n\n\(long)\nlast".utf8)).write(to: URL(fileURLWithPath: path))
        var seen: [(String, Int)] = []
        try LineReader.forEachLine(path: path, chunkSize: 16) { bytes, line in
            seen.append((String(decoding: bytes, as: UTF8.self), line))
        }
        #expect(seen.map(\.0) == ["a", "", long, "last"])
        #expect(seen.map(\.1) == [1, 2, 3, 4])
    }

    @Test("pull reading keeps the line number; a missing file is a FileError naming it")
    func pull() throws {
        let path = folder.appendingPathComponent("p.txt").path
        try Data("one\ntwo\n".utf8).write(to: URL(fileURLWithPath: path))
        let reader = try LineReader(path: path)
        #expect(try reader.next().map { String(decoding: $0, as: UTF8.self) } == "one")
        #expect(reader.lineNumber == 1)
        #expect(try reader.next().map { String(decoding: $0, as: UTF8.self) } == "two")
        #expect(try reader.next() == nil)
        #expect(throws: FileError(path: "/nonexistent/x", reason: "No such file or directory")) {
            try LineReader(path: "/nonexistent/x")
        }
    }
}

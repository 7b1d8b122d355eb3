import Foundation
import Metrics
import Testing
@testable import Training
import TestSupport

@Suite("Training log and report")
struct TrainingLogTests {
    static let metrics = MetricsSummary(auc: 0.61, mrr: 0.28, ndcg5: 0.3, ndcg10: 0.37, impressions: 40, skipped: 2, withoutClick: 1)

    @Test("entries round-trip through JSON lines, and truncation drops the steps after a checkpoint")
    func roundTrip() throws {
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = TrainingLog(url: directory.appendingPathComponent("train-log.jsonl"))
        let entries: [TrainingLogEntry] = (1...4).map {
            .step(.init(step: $0, epoch: 1, loss: 1.6 - 0.1 * Double($0), samplesPerSecond: 500, time: Double($0)))
        } + [.epoch(.init(epoch: 1, step: 4, trainLoss: 1.35, dev: Self.metrics, time: 4.5))]
        try log.append(Array(entries.prefix(2)))
        try log.append(Array(entries.dropFirst(2)))
        #expect(try log.read() == entries)
        let text = try String(contentsOf: log.url, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 5)
        #expect(text.contains("\"kind\":\"epoch\"") && text.contains("\"ndcg10\":0.37"))
        try log.truncate(after: 2)
        #expect(try log.read() == Array(entries.prefix(2)))
    }

    @Test("a malformed line is reported with its line number")
    func malformedLine() throws {
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("train-log.jsonl")
        try Data("{\"kind\":\"step\",\"step\":1,\"epoch\":1,\"loss\":1,\"samples_per_second\":1,\"time\":1}\n{oops\n".utf8)
            .write(to: url)
        #expect {
            try TrainingLog(url: url).read()
        } throws: { error in
            (error as? TrainingDataError)?.source == "\(url.path):2"
        }
    }

    @Test("the report is one self-contained page with the loss curve and the epoch metrics")
    func report() {
        let entries: [TrainingLogEntry] = (1...20).map {
            .step(.init(step: $0, epoch: $0 <= 10 ? 1 : 2, loss: 1.6 / Double($0), samplesPerSecond: 100, time: 1))
        } + [.epoch(.init(epoch: 1, step: 10, trainLoss: 0.5, dev: Self.metrics, time: 10)),
             .epoch(.init(epoch: 2, step: 20, trainLoss: 0.1, dev: nil, time: 20))]
        let page = TrainingReport.html(entries: entries)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.components(separatedBy: "<svg").count == 3, "loss chart and metrics chart")
        #expect(page.contains("<polyline"))
        #expect(page.contains("<td>0.6100</td>"))
        #expect(page.contains("no dev split"))
        #expect(!page.contains("<script"))
        #expect(!page.contains("src="), "no external resources")
    }
}

import Dispatch
import Testing
@testable import HTTPServer

@Suite("MetricsRegistry")
struct MetricsRegistryTests {
    @Test func countersWithLabelsAndEscaping() throws {
        let registry = MetricsRegistry()
        let hits = registry.counter("cache_hits_total", help: "Cache hits.\nBy kind.", labels: ["kind"])
        hits.increment(labels: ["news"])
        hits.increment(by: 2, labels: ["news"])
        hits.increment(labels: ["we\"ird\\"])
        let text = registry.exposition()
        #expect(text.contains("# HELP cache_hits_total Cache hits.\\nBy kind.\n"))
        #expect(text.contains("# TYPE cache_hits_total counter\n"))
        #expect(text.contains("cache_hits_total{kind=\"news\"} 3\n"))
        #expect(text.contains("cache_hits_total{kind=\"we\\\"ird\\\\\"} 1\n"))
        #expect(hits.value(labels: ["news"]) == 3)
    }

    @Test func unlabelledMetricsShowZeroBeforeUse() throws {
        let registry = MetricsRegistry()
        _ = registry.counter("clicks_recorded_total", help: "Clicks recorded.")
        let gauge = registry.gauge("model_loaded", help: "1 when a model is loaded.")
        gauge.set(1)
        gauge.increment(by: 0.5)
        gauge.decrement()
        let parsed = try Exposition(registry.exposition())
        #expect(parsed.samples["clicks_recorded_total"] == 0)
        #expect(parsed.samples["model_loaded"] == 0.5)
        #expect(parsed.types == ["clicks_recorded_total": "counter", "model_loaded": "gauge"])
    }

    @Test func histogramIsCumulativeWithSumAndCount() throws {
        let registry = MetricsRegistry()
        let histogram = registry.histogram("work_seconds", help: "Work.", labels: ["op"], buckets: [0.1, 1, 10])
        for value in [0.05, 0.1, 0.5, 5, 50] { histogram.observe(value, labels: ["rank"]) }
        let parsed = try Exposition(registry.exposition())
        #expect(parsed.types["work_seconds"] == "histogram")
        #expect(parsed.samples["work_seconds_bucket{op=\"rank\",le=\"0.1\"}"] == 2)
        #expect(parsed.samples["work_seconds_bucket{op=\"rank\",le=\"1\"}"] == 3)
        #expect(parsed.samples["work_seconds_bucket{op=\"rank\",le=\"10\"}"] == 4)
        #expect(parsed.samples["work_seconds_bucket{op=\"rank\",le=\"+Inf\"}"] == 5)
        #expect(parsed.samples["work_seconds_sum{op=\"rank\"}"] == 55.65)
        #expect(parsed.samples["work_seconds_count{op=\"rank\"}"] == 5)
        #expect(parsed.order.last == "work_seconds_count{op=\"rank\"}")
    }

    @Test func registeringAgainReturnsTheSameMetric() {
        let registry = MetricsRegistry()
        let first = registry.counter("news_added_total", help: "News added.")
        let second = registry.counter("news_added_total", help: "News added.")
        first.increment()
        #expect(first === second)
        #expect(second.value() == 1)
    }

    @Test func concurrentIncrementsAreAllCounted() {
        let registry = MetricsRegistry()
        let counter = registry.counter("events_total", help: "Events.", labels: ["shard"])
        let histogram = registry.histogram("latency_seconds", help: "Latency.")
        DispatchQueue.concurrentPerform(iterations: 8) { shard in
            for _ in 0..<1000 {
                counter.increment(labels: [String(shard % 2)])
                histogram.observe(0.001)
            }
        }
        #expect(counter.value(labels: ["0"]) + counter.value(labels: ["1"]) == 8000)
        #expect(histogram.summary().count == 8000)
    }

    @Test func valuesFormat() {
        #expect(PrometheusText.value(3) == "3")
        #expect(PrometheusText.value(0.25) == "0.25")
        #expect(PrometheusText.value(.infinity) == "+Inf")
        #expect(PrometheusText.value(.nan) == "NaN")
        #expect(PrometheusText.isValidMetricName("http_requests_total"))
        #expect(!PrometheusText.isValidMetricName("2xx"))
        #expect(!PrometheusText.isValidLabelName("le"))
    }
}

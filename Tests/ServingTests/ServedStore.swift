import Foundation
import HTTPServer
import MIND
import NewsModel
import Ranking
import Serving
import Store
import TestSupport

/// The tiny NRMS data set in a store, a checkpoint of the tiny model for it, and (optionally) a `Service` on an
/// ephemeral port serving them in-process.
final class ServedStore: @unchecked Sendable {
    let folder: TemporaryDirectory
    var storePath: String { folder.path("store.sqlite") }
    var checkpoint: URL { folder.appending("checkpoint") }
    private(set) var ranker: Ranker!
    private(set) var service: Service!
    private(set) var port: UInt16 = 0

    /// Writes the store and the checkpoint; starts a service unless `serve` is false.
    init(serve: Bool = true, configuration: ServiceConfiguration = ServedStore.quietConfiguration()) throws {
        folder = try TemporaryDirectory("serve")
        let (news, impressions) = TinyNRMS.data()
        try NewsStore(path: folder.path("store.sqlite")).ingest(split: .dev, news: news, impressions: impressions)
        let vocabulary = Vocabulary(buildingFrom: news.map(\.title))
        let parameters = try TinyNRMS.model(vocabulary: vocabulary, encoder: .fastformer)
        try Checkpoint.save(NRMSModel(parameters: parameters, vocabulary: vocabulary), to: checkpoint)
        guard serve else { return }
        ranker = try Ranker(store: NewsStore(path: storePath, busyTimeout: 30), checkpoint: checkpoint, threads: 1)
        service = try Service(ranker: ranker, configuration: configuration)
        port = try service.start()
    }

    deinit {
        service?.stop(timeout: .seconds(2))
        folder.remove()
    }

    /// Port 0, two threads, no access log.
    static func quietConfiguration(token: BearerToken? = nil, maxBodyBytes: Int = 1 << 20,
                                   threads: Int = 2) -> ServiceConfiguration {
        ServiceConfiguration(port: 0, threads: threads, maxBodyBytes: maxBodyBytes, token: token, accessLog: nil)
    }

    /// One request on a fresh connection; `json` is sent as the body.
    func call(_ method: String, _ target: String, json: String? = nil,
              headers: [String: String] = [:]) throws -> RawResponse {
        try Self.call(method, target, port: port, json: json, headers: headers)
    }

    /// One request to `port` on a fresh connection.
    static func call(_ method: String, _ target: String, port: UInt16, json: String? = nil,
                     headers: [String: String] = [:]) throws -> RawResponse {
        let connection = try RawConnection(port: port)
        var headers = headers
        if json != nil { headers["Content-Type"] = "application/json" }
        try connection.sendRequest(method, target, body: Array((json ?? "").utf8), headers: headers)
        return try connection.readResponse(head: method == "HEAD")
    }

    /// `POST /v1/rank` decoded as the report.
    func rank(_ user: String, candidates: [String]? = nil, top: Int? = nil) throws -> RankingReport {
        let body = String(decoding: try JSONEncoder().encode(RankRequest(user: user, candidates: candidates, top: top)),
                          as: UTF8.self)
        let response = try call("POST", "/v1/rank", json: body)
        guard response.status == 200 else {
            throw TestClientError(description: "rank answered \(response.status): \(response.text)")
        }
        return try JSONDecoder().decode(RankingReport.self, from: Data(response.body))
    }

    /// The recorded clicks of the store.
    func recordedClicks() throws -> Int {
        try NewsStore(path: storePath, create: false).withConnection { try $0.recordedClickCount() }
    }
}

/// Values of a Prometheus exposition, by series (`name{labels}`).
func metricValues(_ text: String) -> [String: Double] {
    var values: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
            continue
        }
        values[String(line[..<space])] = value
    }
    return values
}

import Foundation
import HTTPServer
import NewsModel
import Ranking

/// `GET /v1/model`, `GET /healthz` (liveness) and `GET /readyz` (store readable, model loaded).
struct StatusRoutes: Sendable {
    let ranker: Ranker

    func register(in router: inout Router) {
        router.get("/v1/model", access: .open) { _ in try model() }
        router.get("/healthz", access: .open) { _ in try ServiceJSON.response(StatusResponse(status: "ok")) }
        router.get("/readyz", access: .open) { _ in try ready() }
    }

    /// The served model, its configuration and the number of news cached for it.
    func model() throws -> HTTPResponse {
        let model = ranker.model
        let config = try? JSONDecoder().decode(NRMSConfiguration.self, from: Data(model.config.utf8))
        return try ServiceJSON.response(ModelResponse(id: model.id, dimension: model.dimension, historyLength: ranker.historyLength,
                                       checkpoint: model.checkpoint, config: config,
                                       cachedNews: try ranker.cachedNewsCount()))
    }

    /// Ready when the store answers a query about the served model; 503 otherwise.
    func ready() throws -> HTTPResponse {
        do {
            _ = try ranker.cachedNewsCount()
        } catch {
            throw HTTPError.unavailable("store not readable: \(error)")
        }
        return try ServiceJSON.response(StatusResponse(status: "ready", model: ranker.model.id))
    }
}

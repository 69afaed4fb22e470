// Every refusal the service answers: an HTTP status and a `regula.error/1` body, with the same
// message text the command line prints for the same fault.
import Hummingbird
import Regula
import RegulaJSON

/// A request the service refuses: the status and the JSON error body.
struct ServiceError: Error {
  var status: HTTPResponse.Status
  var kind: String
  /// The whole `regula.error/1` document.
  var json: String

  init(_ status: HTTPResponse.Status, kind: String, message: String, extra: [String] = []) {
    self.status = status
    self.kind = kind
    json =
      "{\"schema\":\"regula.error/1\",\"kind\":\(JSONWriter.quote(kind)),\"message\":\(JSONWriter.quote(message))"
      + extra.map { "," + $0 }.joined() + "}"
  }

  /// A decision error as the CLI reports it (`DecisionError.json`), with status 422.
  init(_ error: DecisionError) {
    status = .unprocessableContent
    kind = error.kind
    json = error.json
  }

  static func unauthorized(_ message: String) -> ServiceError {
    ServiceError(.unauthorized, kind: "unauthorized", message: message)
  }

  static func badRequest(_ message: String) -> ServiceError {
    ServiceError(.badRequest, kind: "bad_request", message: message)
  }

  static func notFound(_ message: String) -> ServiceError {
    ServiceError(.notFound, kind: "not_found", message: message)
  }

  var response: Response {
    var headers: HTTPFields = [.contentType: "application/json"]
    if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
    // The log could not be written (a lost database connection, a server restarting): the
    // same request may be sent again shortly; the replica reconnects by itself.
    if status == .serviceUnavailable { headers[.retryAfter] = "1" }
    // Refused before its body was read: closing beats reading the rest of it for nothing.
    if status == .unauthorized || status == .contentTooLarge { headers[.connection] = "close" }
    return Response(
      status: status, headers: headers,
      body: ResponseBody(byteBuffer: ByteBuffer(string: json + "\n")))
  }
}

// The service's counters, served at /metrics in Prometheus' text format (version 0.0.4):
// decisions by policy, errors by kind, responses by status, and a histogram of the time to
// decide and log. Durations are kept in integer nanoseconds and printed as decimal seconds.
import Foundation

final class Metrics: @unchecked Sendable {
  /// Upper bounds of the latency buckets, in nanoseconds (100 µs … 1 s).
  static let bucketBounds: [Int64] = [
    100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000,
    50_000_000, 100_000_000, 250_000_000, 1_000_000_000,
  ]

  let lock = NSLock()
  var decisions: [String: Int64] = [:]
  var errors: [String: Int64] = [:]
  var statuses: [Int: Int64] = [:]
  var buckets = [Int64](repeating: 0, count: bucketBounds.count + 1)
  var latencySum: Int64 = 0
  var latencyCount: Int64 = 0

  func decided(policy: String, count: Int64 = 1) {
    lock.lock()
    decisions[policy, default: 0] += count
    lock.unlock()
  }

  func failed(kind: String, count: Int64 = 1) {
    lock.lock()
    errors[kind, default: 0] += count
    lock.unlock()
  }

  func responded(status: Int) {
    lock.lock()
    statuses[status, default: 0] += 1
    lock.unlock()
  }

  /// Records the time one decision request took, from its body read to its entry committed.
  func observe(nanoseconds: Int64) {
    let bucket = Metrics.bucketBounds.firstIndex { nanoseconds <= $0 } ?? Metrics.bucketBounds.count
    lock.lock()
    buckets[bucket] += 1
    latencySum += nanoseconds
    latencyCount += 1
    lock.unlock()
  }

  /// Nanoseconds as decimal seconds: 1500000 → `0.001500000`.
  static func seconds(_ nanoseconds: Int64) -> String {
    let fraction = String(nanoseconds % 1_000_000_000)
    return "\(nanoseconds / 1_000_000_000)."
      + String(repeating: "0", count: 9 - fraction.count) + fraction
  }

  static func label(_ text: String) -> String {
    text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n")
  }

  /// The Prometheus text exposition.
  func text(logEntries: Int64) -> String {
    lock.lock()
    defer { lock.unlock() }
    var lines: [String] = []
    lines.append("# HELP regula_decisions_total Decisions made and logged, by policy.")
    lines.append("# TYPE regula_decisions_total counter")
    for (policy, count) in decisions.sorted(by: { $0.key < $1.key }) {
      lines.append("regula_decisions_total{policy=\"\(Metrics.label(policy))\"} \(count)")
    }
    lines.append("# HELP regula_decision_errors_total Applications refused, by error kind.")
    lines.append("# TYPE regula_decision_errors_total counter")
    for (kind, count) in errors.sorted(by: { $0.key < $1.key }) {
      lines.append("regula_decision_errors_total{kind=\"\(Metrics.label(kind))\"} \(count)")
    }
    lines.append("# HELP regula_http_requests_total HTTP responses, by status.")
    lines.append("# TYPE regula_http_requests_total counter")
    for (status, count) in statuses.sorted(by: { $0.key < $1.key }) {
      lines.append("regula_http_requests_total{status=\"\(status)\"} \(count)")
    }
    lines.append(
      "# HELP regula_decision_seconds Time to decide one application and commit its log entry.")
    lines.append("# TYPE regula_decision_seconds histogram")
    var cumulative: Int64 = 0
    for (index, bound) in Metrics.bucketBounds.enumerated() {
      cumulative += buckets[index]
      lines.append("regula_decision_seconds_bucket{le=\"\(Metrics.seconds(bound))\"} \(cumulative)")
    }
    cumulative += buckets[Metrics.bucketBounds.count]
    lines.append("regula_decision_seconds_bucket{le=\"+Inf\"} \(cumulative)")
    lines.append("regula_decision_seconds_sum \(Metrics.seconds(latencySum))")
    lines.append("regula_decision_seconds_count \(latencyCount)")
    lines.append("# HELP regula_log_entries Entries in the decision log.")
    lines.append("# TYPE regula_log_entries gauge")
    lines.append("regula_log_entries \(logEntries)")
    return lines.joined(separator: "\n") + "\n"
  }
}

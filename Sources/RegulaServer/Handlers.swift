// The service's routes: one decision, a batch, a logged decision, its trace, the policies.
import Dispatch
import Foundation
import Hummingbird
import NIOCore
import Regula
import RegulaLog

/// The query parameters of a decision request.
struct DecisionQuery {
  var asOf: CivilDate?
  var jurisdiction: String?
  var explain = false

  /// Reads `as_of`, `jurisdiction` and (when `explaining`) `explain`; any other parameter,
  /// or a value that does not parse, is a 400 naming it.
  init(_ request: Request, explaining: Bool) throws(ServiceError) {
    for (key, value) in request.uri.queryParameters {
      switch key {
      case "as_of":
        guard let date = try? CivilDate(iso8601: String(value)) else {
          throw ServiceError.badRequest("`as_of=\(value)` is not a date YYYY-MM-DD")
        }
        asOf = date
      case "jurisdiction":
        jurisdiction = String(value)
      case "explain" where explaining:
        guard let flag = ["true": true, "false": false, "1": true, "0": false][String(value)] else {
          throw ServiceError.badRequest("`explain=\(value)` is not true or false")
        }
        explain = flag
      default:
        throw ServiceError.badRequest(
          "unknown query parameter `\(key)`; this endpoint takes `as_of`, `jurisdiction`"
            + (explaining ? " and `explain`" : ""))
      }
    }
  }
}

/// A decision made and not yet logged.
struct Outcome {
  var record: [UInt8]
  var asOf: String
  var jurisdiction: String
  var trace: String?
}

extension DecisionService {
  /// The request body, at most `maxBody` bytes (413 beyond).
  func body(_ request: Request) async throws(ServiceError) -> [UInt8] {
    do {
      let buffer = try await request.body.collect(upTo: options.maxBody)
      return Array(buffer.readableBytesView)
    } catch is NIOTooManyBytesError {
      throw ServiceError(
        .contentTooLarge, kind: "too_large",
        message: "the request body is over the limit of \(options.maxBody) bytes (--max-body)")
    } catch {
      throw ServiceError.badRequest("the request body could not be read: \(error)")
    }
  }

  // MARK: One decision

  /// `POST /v1/policies/{name}/decisions`: decides, logs, then answers.
  func decide(_ request: Request, _ context: ServiceContext) async throws -> Response {
    let caller = try context.require([.decide])
    let policy = try self.policy(context)
    let query = try DecisionQuery(request, explaining: true)
    let started = DispatchTime.now().uptimeNanoseconds
    let input = try await body(request)
    let outcome: Outcome
    do {
      outcome = try policy.evaluators.with { (evaluator) throws(DecisionError) -> Outcome in
        try DecisionService.decide(input, with: &evaluator, query)
      }
    } catch {
      metrics.failed(kind: error.kind)
      throw ServiceError(error)
    }
    let entry = NewEntry(
      loggedAt: Timestamp.now(), policy: policy.name, policyHash: policy.hash,
      asOf: outcome.asOf, jurisdiction: outcome.jurisdiction, caller: caller.name, input: input,
      record: outcome.record)
    let ids: ClosedRange<Int64>
    do { ids = try await log.append([entry]) } catch {
      logger.error("decision not logged", metadata: ["error": "\(error)"])
      metrics.failed(kind: "unavailable")
      throw ServiceError(
        .serviceUnavailable, kind: "unavailable",
        message: "the decision could not be logged, so it is not given: \(error)")
    }
    metrics.decided(policy: policy.name)
    metrics.observe(nanoseconds: Int64(DispatchTime.now().uptimeNanoseconds - started))
    var bytes: [UInt8] = []
    bytes.reserveCapacity(outcome.record.count + (outcome.trace?.utf8.count ?? 0) + 96)
    bytes.append(contentsOf: "{\"decision_id\":\(ids.lowerBound),\"logged_at\":\"".utf8)
    bytes.append(contentsOf: entry.loggedAt.utf8)
    bytes.append(contentsOf: "\",\"record\":".utf8)
    bytes.append(contentsOf: outcome.record)
    if let trace = outcome.trace {
      bytes.append(contentsOf: ",\"trace\":".utf8)
      bytes.append(contentsOf: trace.utf8)
    }
    bytes.append(contentsOf: "}\n".utf8)
    return Response(
      status: .ok, headers: [.contentType: "application/json"],
      body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
  }

  /// Decides one application: the record's JSON (and the trace's, when asked).
  static func decide(
    _ input: [UInt8], with evaluator: inout Evaluator, _ query: DecisionQuery
  ) throws(DecisionError) -> Outcome {
    if query.explain {
      let (record, trace) = try evaluator.explain(
        json: input, asOf: query.asOf, jurisdiction: query.jurisdiction)
      return Outcome(
        record: Array(record.json.utf8), asOf: record.asOf.description,
        jurisdiction: record.jurisdiction, trace: trace.json(record: record))
    }
    var record: [UInt8] = []
    record.reserveCapacity(768)
    let (date, place) = try input.withUnsafeBufferPointer { buffer throws(DecisionError) in
      try decide(buffer, with: &evaluator, query, appendingRecordTo: &record)
    }
    return Outcome(record: record, asOf: date.description, jurisdiction: place, trace: nil)
  }

  /// Decides one application (without a trace) and appends its record's JSON to `records`.
  ///
  /// - Returns: the as-of date and the jurisdiction it was decided for.
  static func decide(
    _ json: UnsafeBufferPointer<UInt8>, with evaluator: inout Evaluator, _ query: DecisionQuery,
    appendingRecordTo records: inout [UInt8]
  ) throws(DecisionError) -> (asOf: CivilDate, jurisdiction: String) {
    let (date, place) = try evaluator.evaluate(
      json: json, asOf: query.asOf, jurisdiction: query.jurisdiction)
    evaluator.appendRecordJSON(asOf: date, jurisdiction: place, to: &records)
    return (date, place)
  }

  // MARK: A batch

  /// `POST /v1/policies/{name}/decisions/batch`: JSON Lines in, JSON Lines out, streamed.
  ///
  /// Three stages overlap: a child task reads the body and splits it into blocks of lines
  /// (a few blocks ahead, so the socket keeps being read while a block is decided), this task
  /// decides each block and submits its entries to the log, and the log's writer commits
  /// them. A block's answers are written once its entries are committed; up to
  /// `blocksInFlight` blocks wait for their commit before the next is decided.
  func batch(_ request: Request, _ context: ServiceContext) async throws -> Response {
    let caller = try context.require([.decide])
    let policy = try self.policy(context)
    let query = try DecisionQuery(request, explaining: false)
    let body = request.body
    let limit = options.maxBody
    return Response(
      status: .ok, headers: [.contentType: "application/x-ndjson"],
      body: ResponseBody { writer in
        let (blocks, source) = AsyncThrowingStream<BatchBlock, any Error>.makeStream()
        // Credits bound the blocks read ahead (memory: a block is at most `blockBytes`).
        let (credits, creditSource) = AsyncStream<Void>.makeStream()
        for _ in 0..<DecisionService.blocksReadAhead { creditSource.yield() }
        defer { creditSource.finish() }
        try await withThrowingTaskGroup(of: Void.self) { group in
          group.addTask {
            do {
              try await DecisionService.split(body, limit: limit, credits: credits, into: source)
              source.finish()
            } catch {
              source.finish(throwing: error)
            }
          }
          var pending: [DecidedBlock] = []
          for try await body in blocks {
            creditSource.yield()
            pending.append(self.decide(body, policy, query, caller))
            // Answers already committed go out at once; the oldest is awaited only when
            // too many blocks wait.
            while let first = pending.first,
              pending.count > DecisionService.blocksInFlight || first.ticket.isComplete
            {
              pending.removeFirst()
              try await writer.write(await self.answers(first))
            }
          }
          for block in pending { try await writer.write(await self.answers(block)) }
          try await group.waitForAll()
        }
        try await writer.finish(nil)
      })
  }

  /// Reads a batch body into blocks of lines, taking a credit for each block it yields.
  static func split(
    _ body: RequestBody, limit: Int, credits: AsyncStream<Void>,
    into source: AsyncThrowingStream<BatchBlock, any Error>.Continuation
  ) async throws {
    var splitter = LineSplitter(limit: limit)
    var credit = credits.makeAsyncIterator()
    for try await buffer in body {
      splitter.feed(buffer)
      if splitter.lineCount >= blockLines || splitter.keptBytes >= blockBytes {
        // No credit: the request is over (its answers failed to go out, or it was cancelled).
        guard await credit.next() != nil else { throw CancellationError() }
        source.yield(splitter.takeBlock())
      }
    }
    splitter.finish()
    guard await credit.next() != nil else { throw CancellationError() }
    source.yield(splitter.takeBlock())
  }

  /// Blocks read ahead of the one being decided.
  static let blocksReadAhead = 3
  /// Decided blocks that may wait for their commit before the next block is decided.
  static let blocksInFlight = 2
  static let blockLines = 2048
  /// A block also ends past this many bytes of applications, so that memory stays bounded
  /// however long the lines.
  static let blockBytes = 16 << 20

  /// Decides a block of lines with one evaluator and submits the decisions to the log.
  ///
  /// The records are rendered into one buffer for the block, and each entry's input and
  /// record are slices of the block's two buffers: no array of its own per line (an
  /// allocation and a free each, twice per decision, freed on another thread than the one
  /// that allocated: a batch took about a tenth more CPU with them).
  func decide(
    _ body: BatchBlock, _ policy: LoadedPolicy, _ query: DecisionQuery, _ caller: Caller
  ) -> DecidedBlock {
    var block = DecidedBlock()
    block.answers.reserveCapacity(body.lines.count)
    let loggedAt = Timestamp.now()
    var failures: [String: Int64] = [:]
    // Decided first, all into `records`; the entries are made once it is complete (a slice
    // taken earlier would make every later append copy the buffer).
    var records: [UInt8] = []
    records.reserveCapacity(body.lines.count * 640)
    var decided: [(input: Range<Int>, record: Range<Int>, asOf: String, jurisdiction: String)] =
      []
    decided.reserveCapacity(body.lines.count)
    policy.evaluators.with { evaluator in
      for line in body.lines {
        switch line {
        case .oversized(let number, let count):
          block.answers.append(
            .failed(
              line: number,
              error: ServiceError(
                .contentTooLarge, kind: "too_large",
                message: "line \(number) has \(count) bytes, over the limit of "
                  + "\(options.maxBody) bytes (--max-body)"
              ).json))
          failures["too_large", default: 0] += 1
        case .application(let number, let range):
          do throws(DecisionError) {
            let start = records.count
            let (asOf, jurisdiction) = try body.bytes.withUnsafeBufferPointer {
              buffer throws(DecisionError) in
              try DecisionService.decide(
                UnsafeBufferPointer(rebasing: buffer[range]), with: &evaluator, query,
                appendingRecordTo: &records)
            }
            block.answers.append(.decided(line: number, entry: decided.count))
            decided.append((range, start..<records.count, asOf.description, jurisdiction))
          } catch {
            block.answers.append(.failed(line: number, error: error.json))
            failures[error.kind, default: 0] += 1
          }
        }
      }
    }
    block.entries.reserveCapacity(decided.count)
    for entry in decided {
      block.entries.append(
        NewEntry(
          loggedAt: loggedAt, policy: policy.name, policyHash: policy.hash, asOf: entry.asOf,
          jurisdiction: entry.jurisdiction, caller: caller.name,
          input: body.bytes[entry.input], record: records[entry.record]))
    }
    for (kind, count) in failures { metrics.failed(kind: kind, count: count) }
    let metrics = self.metrics
    let name = policy.name
    let count = Int64(block.entries.count)
    if !block.entries.isEmpty {
      let ticket = block.ticket
      log.append(block.entries) { result in
        // Counted once committed: a decision not logged was not made.
        switch result {
        case .success: metrics.decided(policy: name, count: count)
        case .failure: metrics.failed(kind: "unavailable", count: count)
        }
        ticket.complete(result)
      }
    } else {
      block.ticket.complete(.success(1...1))
    }
    return block
  }

  /// The block's answer lines, once its entries are committed (or an `unavailable` error for
  /// each decided line, when the commit failed: a decision not logged is not given).
  func answers(_ block: DecidedBlock) async -> ByteBuffer {
    let committed = await block.ticket.result()
    let ids: ClosedRange<Int64>
    switch committed {
    case .success(let range): ids = range
    case .failure(let error):
      // A decision not logged is not given: each decided line becomes an `unavailable` error.
      var buffer = ByteBufferAllocator().buffer(capacity: block.answers.count * 160)
      let refusal = ServiceError(
        .serviceUnavailable, kind: "unavailable",
        message: "the decision could not be logged, so it is not given: \(error)")
      for answer in block.answers {
        switch answer {
        case .failed(let line, let error):
          buffer.writeString("{\"line\":\(line),\"error\":\(error)}\n")
        case .decided(let line, _):
          buffer.writeString("{\"line\":\(line),\"error\":\(refusal.json)}\n")
        }
      }
      return buffer
    }
    // Rendered straight into the buffer that goes out, in one write: a write of NIO's per
    // piece (seven per line) had cost more than the copying. Measured first, generously: a
    // line's own bytes around its error or record are at most 39 and 75.
    var size = 0
    for answer in block.answers {
      switch answer {
      case .failed(_, let error): size += error.utf8.count + 48
      case .decided(_, let index): size += block.entries[index].record.count + 96
      }
    }
    var buffer = ByteBufferAllocator().buffer(capacity: size)
    if block.answers.isEmpty { return buffer }
    buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
      var out = AnswerWriter(
        start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), capacity: raw.count)
      for answer in block.answers {
        switch answer {
        case .failed(let line, let error):
          out.write("{\"line\":")
          out.write(integer: Int64(line))
          out.write(",\"error\":")
          var error = error
          error.withUTF8 { out.write($0) }
          out.write("}\n")
        case .decided(let line, let index):
          out.write("{\"line\":")
          out.write(integer: Int64(line))
          out.write(",\"decision_id\":")
          out.write(integer: ids.lowerBound + Int64(index))
          out.write(",\"record\":")
          block.entries[index].record.withUnsafeBufferPointer { out.write($0) }
          out.write("}\n")
        }
      }
      return out.count
    }
    return buffer
  }

  // MARK: Logged decisions

  /// The logged entry a route's `{id}` names.
  func loggedEntry(_ context: ServiceContext) throws(ServiceError) -> LogEntry {
    let text = context.parameters.get("id") ?? ""
    guard let id = Int64(text), id > 0 else {
      throw ServiceError.badRequest("`\(text)` is not a decision id (a positive integer)")
    }
    let entry: LogEntry?
    do { entry = try log.entry(id: id) } catch {
      throw ServiceError(
        .serviceUnavailable, kind: "unavailable", message: "the decision log: \(error)")
    }
    guard let entry else { throw ServiceError.notFound("no decision \(id) in the log") }
    return entry
  }

  /// `GET /v1/decisions/{id}`: the entry, personal fields masked unless the caller may see them.
  func storedDecision(_ context: ServiceContext, _ caller: Caller) throws -> Response {
    let entry = try loggedEntry(context)
    let masking =
      caller.roles.contains(.personal)
      ? [] : try replayPolicy(entry.policyHash).image.personalInputPaths
    return Response.json(entry.json(masking: masking) + "\n")
  }

  /// `GET /v1/decisions/{id}/trace`: the decision replayed, traced, against the compiled policy
  /// that made it (kept in the log by content hash); refused if the replay's record is not
  /// the logged one.
  func trace(_ request: Request, _ context: ServiceContext, _ caller: Caller) throws -> Response {
    var html = false
    var audience: Audience?
    var language: String?
    for (key, value) in request.uri.queryParameters {
      switch key {
      case "format":
        guard value == "json" || value == "html" else {
          throw ServiceError.badRequest("`format=\(value)` is not json or html")
        }
        html = value == "html"
      case "audience":
        guard let chosen = Audience(rawValue: String(value)) else {
          throw ServiceError.badRequest(
            "`audience=\(value)` is not "
              + Audience.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))
        }
        audience = chosen
      case "lang":
        language = String(value)
      default:
        throw ServiceError.badRequest(
          "unknown query parameter `\(key)`; this endpoint takes `format`, `audience` and `lang`")
      }
    }
    let entry = try loggedEntry(context)
    let compiled = try replayPolicy(entry.policyHash)
    var evaluator = Evaluator(policy: compiled)
    let replay: (record: DecisionRecord, trace: Trace)
    do {
      let date = try CivilDate(iso8601: entry.asOf)
      replay = try evaluator.explain(
        json: entry.input, asOf: date, jurisdiction: entry.jurisdiction)
    } catch {
      throw ServiceError(
        .internalServerError, kind: "replay_mismatch",
        message: "decision \(entry.id) did not replay: \(error)")
    }
    guard Array(replay.record.json.utf8) == entry.record else {
      throw ServiceError(
        .internalServerError, kind: "replay_mismatch",
        message: "decision \(entry.id) replays to a different record than the one logged; "
          + "run `regula audit verify`")
    }
    if !caller.roles.contains(.personal) {
      // A personal field of record or list type is shown by the fields under it.
      let read = replay.trace.inputs.map { Self.staticPath($0.path) }
      let shown = compiled.image.personalInputPaths.filter { personal in
        read.contains { path in
          path == personal || path.hasPrefix(personal + ".") || path.hasPrefix(personal + "[")
        }
      }
      if !shown.isEmpty {
        throw ServiceError(
          .forbidden, kind: "forbidden",
          message: "this trace shows personal input fields ("
            + shown.map { "`\($0)`" }.joined(separator: ", ")
            + "); the token `\(caller.name)` needs the role `personal`")
      }
    }
    let record = replay.record
    let trace = replay.trace
    if html {
      let page =
        language.map { evaluator.report(record: record, trace: trace, language: $0) }
        ?? trace.html(record: record)
      return Response(
        status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
    guard let audience else { return Response.json(trace.json(record: record) + "\n") }
    let lang = language ?? "zh"
    let account = evaluator.account(
      record: record, trace: trace, audience: audience, language: lang)
    return Response.json(
      "{\"schema\":\"regula.account/1\",\"audience\":\(JSONWriter.quote(audience.rawValue)),"
        + "\"language\":\(JSONWriter.quote(lang)),\"text\":\(JSONWriter.quote(account.text)),"
        + "\"missing_labels\":["
        + account.missingLabels.map(JSONWriter.quote).joined(separator: ",")
        + "],\"record\":\(record.json)}\n")
  }

  /// `members[1].name` → `members[].name`.
  static func staticPath(_ path: String) -> String {
    var result = ""
    var inIndex = false
    for character in path {
      if character == "[" {
        inIndex = true
        result.append("[")
      } else if character == "]" {
        inIndex = false
        result.append("]")
      } else if !inIndex {
        result.append(character)
      }
    }
    return result
  }

  // MARK: Policies

  /// `GET /v1/policies`: each policy's name, hash, validity, jurisdictions, decisions,
  /// personal fields and input schema (JSON Schema).
  func policyList() -> String {
    let set = policies
    let items = set.names.map { name -> String in
      let policy = set.byName[name]!
      let image = policy.compiled.image
      func date(_ day: Int64?) -> String {
        guard let day, let date = try? CivilDate(daysSince1970: day) else { return "null" }
        return "\"\(date)\""
      }
      let decisions = image.definitions.filter { $0.kind == .decision }.map(\.name)
      return "{\"name\":\(JSONWriter.quote(name)),"
        + "\"hash\":\"\(policy.hash)\","
        + "\"compiler_version\":\(JSONWriter.quote(policy.compiled.compilerVersion)),"
        + "\"valid_from\":\(date(image.validFrom)),\"valid_until\":\(date(image.validUntil)),"
        + "\"level\":\(JSONWriter.quote(image.defaultJurisdiction)),"
        + "\"jurisdictions\":[\(image.jurisdictionCodes.map { JSONWriter.quote($0.code) }.joined(separator: ","))],"
        + "\"decisions\":[\(decisions.map(JSONWriter.quote).joined(separator: ","))],"
        + "\"personal_fields\":[\(policy.personalPaths.map(JSONWriter.quote).joined(separator: ","))],"
        + "\"input_schema\":\(InputSchema.json(image))}"
    }
    return "{\"policies\":[\(items.joined(separator: ","))]}\n"
  }
}

/// Writes answer lines into memory measured beforehand (`answers(_:)`); every write is
/// checked against that measure first, so a wrong measure stops the service instead of
/// writing past the buffer.
struct AnswerWriter {
  let start: UnsafeMutablePointer<UInt8>
  let capacity: Int
  var count = 0

  mutating func reserve(_ more: Int) {
    precondition(count + more <= capacity, "an answer block larger than measured")
  }

  mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let base = bytes.baseAddress else { return }
    reserve(bytes.count)
    (start + count).update(from: base, count: bytes.count)
    count += bytes.count
  }

  mutating func write(_ literal: StaticString) {
    reserve(literal.utf8CodeUnitCount)
    (start + count).update(from: literal.utf8Start, count: literal.utf8CodeUnitCount)
    count += literal.utf8CodeUnitCount
  }

  /// `value` in decimal (at most 20 bytes).
  mutating func write(integer value: Int64) {
    reserve(20)
    if value < 0 {
      start[count] = UInt8(ascii: "-")
      count += 1
    }
    var magnitude = value.magnitude
    var digits = 0
    var probe = magnitude
    repeat {
      digits += 1
      probe /= 10
    } while probe > 0
    var position = count + digits
    repeat {
      position -= 1
      start[position] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
      magnitude /= 10
    } while magnitude > 0
    count += digits
  }
}

/// A block of a batch body: its lines, and the bytes of its applications in one buffer.
struct BatchBlock: Sendable {
  var bytes: [UInt8] = []
  var lines: [BatchLine] = []
}

/// A line of a batch request.
enum BatchLine: Equatable, Sendable {
  /// An application: its line number and its bytes in the block's buffer.
  case application(number: Int, range: Range<Int>)
  /// A line longer than the limit: its number and length; its bytes are not kept.
  case oversized(number: Int, count: Int)
}

/// A block of a batch, decided: the answers in line order and the entries to log.
struct DecidedBlock {
  enum Answer {
    case decided(line: Int, entry: Int)
    case failed(line: Int, error: String)
  }
  var answers: [Answer] = []
  var entries: [NewEntry] = []
  let ticket = CommitTicket()
}

/// The result of one append, awaited by the request that submitted it.
final class CommitTicket: @unchecked Sendable {
  let lock = NSLock()
  var outcome: Result<ClosedRange<Int64>, LogError>?
  var waiter: CheckedContinuation<Result<ClosedRange<Int64>, LogError>, Never>?

  /// Whether the commit has been answered (a result is waiting).
  var isComplete: Bool {
    lock.lock()
    defer { lock.unlock() }
    return outcome != nil
  }

  func complete(_ result: Result<ClosedRange<Int64>, LogError>) {
    lock.lock()
    if let waiter {
      self.waiter = nil
      lock.unlock()
      waiter.resume(returning: result)
      return
    }
    outcome = result
    lock.unlock()
  }

  func result() async -> Result<ClosedRange<Int64>, LogError> {
    await withCheckedContinuation { continuation in
      lock.lock()
      if let outcome {
        lock.unlock()
        continuation.resume(returning: outcome)
        return
      }
      waiter = continuation
      lock.unlock()
    }
  }
}

/// Splits a streamed body into lines, numbering them from 1 and skipping blank ones; a line
/// over `limit` bytes is reported, not kept.
struct LineSplitter {
  let limit: Int
  /// The block being filled: its complete lines, then the bytes kept of the line in progress
  /// (from `lineStart`).
  var block = BatchBlock()
  var lineStart = 0
  /// The bytes of the line in progress so far (kept only up to the limit).
  var partialCount = 0
  var number = 0

  init(limit: Int) { self.limit = limit }

  /// Lines in the block so far.
  var lineCount: Int { block.lines.count }
  /// Bytes kept in the block so far.
  var keptBytes: Int { block.bytes.count }

  mutating func feed(_ buffer: ByteBuffer) {
    buffer.withUnsafeReadableBytes { raw in
      guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
      var start = 0
      // memchr finds line breaks many bytes at a time.
      while start < raw.count, let found = memchr(base + start, 0x0A, raw.count - start) {
        let end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        take(UnsafeBufferPointer(start: base + start, count: end - start), complete: true)
        start = end + 1
      }
      take(UnsafeBufferPointer(start: base + start, count: raw.count - start), complete: false)
    }
  }

  /// Adds bytes of the current line, copied whole (a slice of raw bytes appended to an array
  /// went through a generic iterator, byte by byte).
  mutating func take(_ bytes: UnsafeBufferPointer<UInt8>, complete: Bool) {
    partialCount += bytes.count
    if partialCount <= limit { block.bytes.append(contentsOf: bytes) }
    if complete { endLine() }
  }

  mutating func finish() {
    if partialCount > 0 { endLine() }
  }

  mutating func endLine() {
    number += 1
    if partialCount > limit {
      block.lines.append(.oversized(number: number, count: partialCount))
      block.bytes.removeSubrange(lineStart...)
    } else {
      var end = block.bytes.count
      if end > lineStart && block.bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
      let blank = block.bytes[lineStart..<end].allSatisfy { $0 == 32 || $0 == 9 }
      if blank {
        block.bytes.removeSubrange(lineStart...)
      } else {
        block.lines.append(.application(number: number, range: lineStart..<end))
        lineStart = block.bytes.count
      }
    }
    partialCount = 0
  }

  /// The complete lines so far, as a block; the line in progress goes on in the next one.
  mutating func takeBlock() -> BatchBlock {
    var next = BatchBlock()
    next.bytes.reserveCapacity(max(block.bytes.count, 1 << 16))
    next.bytes.append(contentsOf: block.bytes[lineStart...])
    block.bytes.removeSubrange(lineStart...)
    next.lines.reserveCapacity(DecisionService.blockLines)
    let complete = block
    block = next
    lineStart = 0
    return complete
  }
}

// Resumable batches (issue 12): a batch killed at random points and resumed each time with
// --resume ends with the output an uninterrupted run writes, byte for byte.
import Foundation
import Testing

/// Starts `regula batch … --resume`, kills it with SIGKILL after `delay`, and waits; true
/// when the kill landed before the run ended.
func killedRun(_ arguments: [String], after delay: Duration) throws -> Bool {
  let process = Process()
  process.executableURL = regulaBinary
  process.arguments = arguments
  process.currentDirectoryURL = cliRepositoryRoot
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  try process.run()
  Thread.sleep(
    forTimeInterval: Double(delay.components.attoseconds) / 1e18 + Double(delay.components.seconds))
  let wasRunning = process.isRunning
  if wasRunning { kill(process.processIdentifier, SIGKILL) }
  process.waitUntilExit()
  return wasRunning
}

@Test(arguments: ["jsonl", "csv"])
func aBatchKilledAtRandomPointsResumesToTheSameBytes(_ format: String) throws {
  let folder = try temporaryDirectory("resume-\(format)")
  defer { try? FileManager.default.removeItem(at: folder) }
  // 120,000 applications: about two seconds of work in a debug build.
  let sample = try Data(contentsOf: cliRepositoryRoot.appendingPathComponent(w1SamplePath))
  let input = folder.appendingPathComponent("in.jsonl")
  try Data(repeating: 0, count: 0).write(to: input)
  let handle = try FileHandle(forWritingTo: input)
  for _ in 0..<40 { handle.write(sample) }
  try handle.close()
  let reference = folder.appendingPathComponent("reference.out")
  let resumed = folder.appendingPathComponent("resumed.out")
  let common =
    ["batch", w1PolicyPath, "--input", input.path, "--as-of", "2024-06-01"]
    + (format == "csv"
      ? ["--output-format", "csv", "--columns", "line,id,eligible,benefit_fen,eligible.reason"]
      : [])
  let clock = ContinuousClock()
  var whole: RunResult?
  let elapsed = try clock.measure { whole = try regula(common + ["--output", reference.path]) }
  #expect(whole?.status == 0, "\(whole?.errors ?? "")")
  var generator = SystemRandomNumberGenerator()
  let expected = try Data(contentsOf: reference)
  var kills = 0
  var midway = 0
  let rounds = format == "jsonl" ? 20 : 6
  for _ in 0..<rounds {
    // Each run goes on from the last; the kills, a few hundredths of an uninterrupted run
    // each (so the test keeps its meaning however fast the reader gets), add up to less
    // than the whole.
    let delay = elapsed * Double.random(in: 0.01...0.06, using: &generator)
    if try killedRun(common + ["--output", resumed.path, "--resume"], after: delay) { kills += 1 }
    let size = (try? FileManager.default.attributesOfItem(atPath: resumed.path)[.size] as? Int) ?? 0
    if size < expected.count { midway += 1 }
  }
  let last = try regula(common + ["--output", resumed.path, "--resume"])
  #expect(last.status == 0, "\(last.errors)")
  #expect(kills == rounds, "only \(kills) of \(rounds) kills landed before the run ended")
  // Most kills land before the work is done, so most resumes continue a partial output.
  #expect(midway * 2 > rounds, "only \(midway) of \(rounds) kills left the output unfinished")
  print("resume (\(format)): \(rounds) kills, \(midway) with the output unfinished, identical")
  let got = try Data(contentsOf: resumed)
  #expect(got.count == expected.count)
  #expect(got == expected)
}

// VM evaluation of verified images: mutated compiled files (their hash repaired) that pass
// the verifier are run on a few applications; every run must end in a record or an error.
import FuzzSupport

let applications: [[UInt8]] = [
  "{}",
  #"{"id":"a","place":"south","members":[{"name":"x","age":40,"income":100}],"day":"2024-01-31","months":1,"flag":true,"rate":"0.5","cap":1000}"#,
  #"{"id":"b","place":"north","members":[],"day":"2000-02-29","months":-13,"flag":false,"rate":"3","cap":null}"#,
].map { Array($0.utf8) }
let asOf = try! CivilDate(iso8601: "2024-06-01")

func fuzzEvaluate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = withContentHash(bytes(data, size))
  guard let policy = try? CompiledPolicy.load(bytes) else { return 0 }
  var evaluator = Evaluator(policy: policy)
  evaluator.machine.stepLimit = 100_000
  for application in applications {
    if let record = try? evaluator.decide(json: application, asOf: asOf) {
      _ = record.json
      guard let (traced, trace) = try? evaluator.explain(json: application, asOf: asOf) else {
        continue
      }
      // Every rendering of the trace, over probes and labels the mutation may have bent:
      // the direct JSON must equal the tree's.
      evaluator.machine.isTracing = true
      _ = try? evaluator.decide(json: application, asOf: asOf)
      if evaluator.traceJSON() != evaluator.buildTrace().json {
        fatalError("the direct trace JSON differs from the tree's")
      }
      evaluator.machine.isTracing = false
      _ = trace.text()
      _ = trace.html(record: traced)
      for audience in Audience.allCases {
        _ = evaluator.account(record: traced, trace: trace, audience: audience, language: "zh")
      }
      _ = try? evaluator.counterfactuals(json: application, asOf: asOf)
    }
  }
  return 0
}

@_cdecl("FuzzEvaluate_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt
{
  runFuzzer(argc, argv) { data, size in fuzzEvaluate(data, size) }
}

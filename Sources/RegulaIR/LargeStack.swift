// Runs work on a thread of its own with a large stack. The reference interpreter recurses
// once per expression level and per call (it is written for clarity, not speed), and the
// caller's thread may be a worker with a 512 KiB stack: on its own thread, the deepest
// evaluation a policy may ask for (`IRProgram.maximumEvaluationDepth`) fits with room to spare.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

package enum LargeStack {
  /// The stack of the thread: address space reserved, memory used only as the stack grows.
  package static let size = 512 << 20

  /// The job handed to the thread (a class: its address crosses the C entry point).
  final class Job: @unchecked Sendable {
    let work: () -> Void
    init(_ work: @escaping () -> Void) { self.work = work }
  }

  /// Runs `body` on a new thread with a `size` stack and waits for it; runs it on the calling
  /// thread when no thread can be made.
  package static func run<T>(_ body: () -> T) -> T {
    withoutActuallyEscaping(body) { body in
      var result: T?
      let job = Job { result = body() }
      var attributes = pthread_attr_t()
      pthread_attr_init(&attributes)
      defer { pthread_attr_destroy(&attributes) }
      pthread_attr_setstacksize(&attributes, size)
      #if canImport(Glibc)
        var thread = pthread_t()
      #else
        var thread: pthread_t?
      #endif
      let context = Unmanaged.passRetained(job).toOpaque()
      let status = pthread_create(
        &thread, &attributes,
        { context in
          let job = Unmanaged<Job>.fromOpaque(context!).takeRetainedValue()
          job.work()
          return nil
        }, context)
      guard status == 0 else {
        Unmanaged<Job>.fromOpaque(context).release()
        return body()
      }
      #if canImport(Glibc)
        pthread_join(thread, nil)
      #else
        pthread_join(thread!, nil)
      #endif
      return result!
    }
  }
}

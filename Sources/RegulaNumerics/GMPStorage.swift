// Owners of GMP values: the only reference types in the module, used only for big numbers.
import CGMP

/// One GMP integer (`mpz_t`), written once while it is built and read-only afterwards.
///
/// `@unchecked Sendable` is safe because `pointer` is a `let`, the pointee is written only
/// inside `init` (before the object is shared), and GMP reads of a `mpz_t` do not mutate it.
@usableFromInline
final class BigInteger: @unchecked Sendable {
  /// The owned `mpz_t`; freed in `deinit`.
  @usableFromInline let pointer: UnsafeMutablePointer<__mpz_struct>

  /// Allocates and initialises an `mpz_t`, then lets `build` set its value.
  init(building build: (UnsafeMutablePointer<__mpz_struct>) -> Void) {
    pointer = .allocate(capacity: 1)
    __gmpz_init(pointer)
    build(pointer)
  }

  deinit {
    __gmpz_clear(pointer)
    pointer.deallocate()
  }
}

/// One GMP rational (`mpq_t`) in canonical form, written once while it is built.
///
/// `@unchecked Sendable` for the same reason as `BigInteger`: immutable after `init`.
@usableFromInline
final class BigRational: @unchecked Sendable {
  /// The owned `mpq_t`; freed in `deinit`.
  @usableFromInline let pointer: UnsafeMutablePointer<__mpq_struct>

  /// Allocates and initialises an `mpq_t` (value 0/1), then lets `build` set its value.
  init(building build: (UnsafeMutablePointer<__mpq_struct>) -> Void) {
    pointer = .allocate(capacity: 1)
    __gmpq_init(pointer)
    build(pointer)
  }

  deinit {
    __gmpq_clear(pointer)
    pointer.deallocate()
  }

  /// The numerator of the owned `mpq_t` (GMP's `mpq_numref`: the struct's first field).
  var numeratorPointer: UnsafeMutablePointer<__mpz_struct> {
    UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: __mpz_struct.self)
  }

  /// The denominator of the owned `mpq_t` (GMP's `mpq_denref`: the field after the numerator).
  var denominatorPointer: UnsafeMutablePointer<__mpz_struct> {
    (UnsafeMutableRawPointer(pointer) + MemoryLayout<__mpz_struct>.stride)
      .assumingMemoryBound(to: __mpz_struct.self)
  }
}

/// The sign of an `mpz_t` as -1, 0 or 1 (GMP's `mpz_sgn` is a macro Swift cannot import).
@inline(__always)
func mpzSign(_ z: UnsafePointer<__mpz_struct>) -> Int {
  let size = z.pointee._mp_size
  return size < 0 ? -1 : (size > 0 ? 1 : 0)
}

/// The value of `z` as `Int64` if it fits, else nil.
@inline(__always)
func mpzInt64(_ z: UnsafePointer<__mpz_struct>) -> Int64? {
  __gmpz_fits_slong_p(z) != 0 ? Int64(__gmpz_get_si(z)) : nil
}

/// Calls `body` with a read-only `mpz_t` holding `value`, built without allocation.
@inline(__always)
func withTemporaryMPZ<R>(_ value: Int64, _ body: (UnsafePointer<__mpz_struct>) -> R) -> R {
  var limb = UInt(value.magnitude)
  let size = value == 0 ? 0 : (value < 0 ? -1 : 1)
  var z = __mpz_struct()
  return withUnsafePointer(to: &limb) { limbPointer in
    withUnsafeMutablePointer(to: &z) { zPointer in
      _ = __gmpz_roinit_n(zPointer, limbPointer, size)
      return body(zPointer)
    }
  }
}

/// Calls `body` with a read-only `mpq_t` holding `numerator/denominator` (already canonical).
@inline(__always)
func withTemporaryMPQ<R>(
  _ numerator: Int64, _ denominator: Int64, _ body: (UnsafePointer<__mpq_struct>) -> R
) -> R {
  var limbs = (UInt(numerator.magnitude), UInt(denominator.magnitude))
  let size = numerator == 0 ? 0 : (numerator < 0 ? -1 : 1)
  var q = __mpq_struct()
  return withUnsafeMutablePointer(to: &limbs) { limbPointer in
    limbPointer.withMemoryRebound(to: UInt.self, capacity: 2) { limb in
      withUnsafeMutablePointer(to: &q) { qPointer in
        _ = __gmpz_roinit_n(&qPointer.pointee._mp_num, limb, size)
        _ = __gmpz_roinit_n(&qPointer.pointee._mp_den, limb + 1, 1)
        return body(qPointer)
      }
    }
  }
}

/// Feeds the sign and limbs of `z` to `hasher`; equal integers feed equal data.
func hashMPZ(_ z: UnsafePointer<__mpz_struct>, into hasher: inout Hasher) {
  let size = Int(z.pointee._mp_size)
  hasher.combine(size)
  for index in 0..<size.magnitude {
    hasher.combine(z.pointee._mp_d[Int(index)])
  }
}

/// The decimal text of `z`, written by GMP into a buffer this function owns.
func mpzDecimalString(_ z: UnsafePointer<__mpz_struct>) -> String {
  let capacity = __gmpz_sizeinbase(z, 10) + 2  // sign and terminating NUL
  return String(unsafeUninitializedCapacity: capacity) { buffer in
    buffer.withMemoryRebound(to: CChar.self) { chars in
      _ = __gmpz_get_str(chars.baseAddress, 10, z)
      var length = 0
      while length < capacity, chars[length] != 0 { length += 1 }
      return length
    }
  }
}

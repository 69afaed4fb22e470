// Workload W1 (shared/bench/W1-minimum-living-allowance.md): a seeded generator of
// applications and the hand-written Swift function of the same rules, the practical upper
// limit that every benchmark figure is divided by.

/// One W1 application in plain Swift structs.
struct W1Application {
  struct Member {
    var age: Int
    var monthlyIncomeFen: Int
    var disabled: Bool
    var ownsVehicle: Bool
  }
  var id: String
  var hukouProvince: Int
  var residenceProvince: Int
  var residencePermitMonths: Int
  var financialAssetsFen: Int
  var ownsSecondHome: Bool
  var members: [Member]
}

enum W1 {
  static let provinces = [
    "BJ", "TJ", "HE", "SX", "NM", "LN", "JL", "HL", "SH", "JS", "ZJ", "AH", "FJ", "JX", "SD", "HA",
    "HB", "HN", "GD", "GX", "HI", "CQ", "SC", "GZ", "YN", "XZ", "SN", "GS", "QH", "NX", "XJ",
  ]
  static let standards = [
    139500, 117000, 82000, 74000, 84000, 78000, 69000, 71000, 151000, 98000, 112000, 81000, 89000,
    80000, 85000, 64000, 76000, 68000, 103000, 72000, 70000, 73000, 70000, 69000, 67000, 91000,
    71000, 66000, 72000, 68000, 65000,
  ]

  /// The rules of W1 written by hand: the practical upper limit of any engine.
  @inline(never)
  static func decide(_ application: W1Application) -> (eligible: Bool, benefitFen: Int, reason: Int)
  {
    let applicable =
      application.residenceProvince == application.hukouProvince
        || application.residencePermitMonths >= 12
      ? application.residenceProvince : application.hukouProvince
    let standard = standards[applicable]
    let size = application.members.count
    var counted = 0
    var priority = 0
    var vehicle = false
    for member in application.members {
      counted += member.disabled ? member.monthlyIncomeFen / 2 : member.monthlyIncomeFen
      if member.age >= 60 || member.disabled { priority += 1 }
      if member.ownsVehicle { vehicle = true }
    }
    let perCapita = counted / size
    let reason: Int
    if !(perCapita < standard) {
      reason = 1
    } else if !(application.financialAssetsFen <= standard * 24 * size) {
      reason = 2
    } else if vehicle {
      reason = 3
    } else if application.ownsSecondHome {
      reason = 4
    } else {
      reason = 0
    }
    let eligible = reason == 0
    let benefit = eligible ? (standard - perCapita) * size + (standard / 10) * priority : 0
    return (eligible, benefit, reason)
  }

  static let reasons = ["ok", "income", "assets", "vehicle", "housing"]

  /// Seeded applications covering every reason, with incomes around the standards.
  static func generate(count: Int, seed: UInt64) -> [W1Application] {
    var state = seed
    func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    return (0..<count).map { index in
      let members = (0..<(1 + below(6))).map { _ in
        W1Application.Member(
          age: below(101),
          monthlyIncomeFen: below(4) == 0 ? 0 : below(3) == 0 ? below(2_000_001) : below(200_000),
          disabled: below(10) == 0, ownsVehicle: below(20) == 0)
      }
      let assets = below(3) == 0 ? below(10_000_000_001) : below(5_000_000)
      return W1Application(
        id: "A" + String(repeating: "0", count: max(0, 7 - String(index + 1).count))
          + String(index + 1),
        hukouProvince: below(31), residenceProvince: below(3) == 0 ? below(31) : below(31),
        residencePermitMonths: below(241), financialAssetsFen: assets,
        ownsSecondHome: below(20) == 0,
        members: members)
    }
  }

  /// The application as one JSON line, in the workload's field order.
  static func json(_ application: W1Application) -> String {
    let members = application.members.map {
      "{\"age\":\($0.age),\"monthly_income_fen\":\($0.monthlyIncomeFen),\"disabled\":\($0.disabled),\"owns_vehicle\":\($0.ownsVehicle)}"
    }
    return
      "{\"id\":\"\(application.id)\",\"hukou_province\":\"\(provinces[application.hukouProvince])\","
      + "\"residence_province\":\"\(provinces[application.residenceProvince])\","
      + "\"residence_permit_months\":\(application.residencePermitMonths),"
      + "\"financial_assets_fen\":\(application.financialAssetsFen),\"owns_second_home\":\(application.ownsSecondHome),"
      + "\"members\":[" + members.joined(separator: ",") + "]}"
  }
}

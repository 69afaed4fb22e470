#!/usr/bin/env python3
"""Workload W1, independently of Regula: a seeded generator of applications (JSON Lines) and
the expected result lines computed by following shared/bench/W1-minimum-living-allowance.md.

    python3 w1_reference.py generate N SEED > applications.jsonl
    python3 w1_reference.py expect < applications.jsonl > expected.csv
"""
import json
import random
import sys

STANDARD = {
    "BJ": 139500, "TJ": 117000, "HE": 82000, "SX": 74000, "NM": 84000, "LN": 78000, "JL": 69000,
    "HL": 71000, "SH": 151000, "JS": 98000, "ZJ": 112000, "AH": 81000, "FJ": 89000, "JX": 80000,
    "SD": 85000, "HA": 64000, "HB": 76000, "HN": 68000, "GD": 103000, "GX": 72000, "HI": 70000,
    "CQ": 73000, "SC": 70000, "GZ": 69000, "YN": 67000, "XZ": 91000, "SN": 71000, "GS": 66000,
    "QH": 72000, "NX": 68000, "XJ": 65000,
}
CODES = list(STANDARD)


def generate(count, seed):
    rng = random.Random(seed)
    for index in range(1, count + 1):
        members = []
        for _ in range(rng.randint(1, 6)):
            roll = rng.random()
            income = 0 if roll < 0.25 else rng.randint(0, 2_000_000) if roll < 0.4 else rng.randint(0, 200_000)
            members.append({"age": rng.randint(0, 100), "monthly_income_fen": income,
                            "disabled": rng.random() < 0.1, "owns_vehicle": rng.random() < 0.05})
        application = {
            "id": "A%07d" % index,
            "hukou_province": rng.choice(CODES),
            "residence_province": rng.choice(CODES),
            "residence_permit_months": rng.randint(0, 240),
            "financial_assets_fen": rng.randint(0, 10**10) if rng.random() < 0.3 else rng.randint(0, 5_000_000),
            "owns_second_home": rng.random() < 0.05,
            "members": members,
        }
        print(json.dumps(application, separators=(",", ":")))


def expect(line):
    a = json.loads(line)
    # Rule 1: the applicable province.
    if a["residence_province"] == a["hukou_province"] or a["residence_permit_months"] >= 12:
        province = a["residence_province"]
    else:
        province = a["hukou_province"]
    standard = STANDARD[province]  # rule 2
    size = len(a["members"])  # rule 3
    counted = sum(m["monthly_income_fen"] // 2 if m["disabled"] else m["monthly_income_fen"]
                  for m in a["members"])  # rule 4 (inputs are never negative: // is toward zero)
    per_capita = counted // size  # rule 5
    asset_limit = standard * 24 * size  # rule 6
    if not per_capita < standard:  # rule 7, in order
        reason = "income"
    elif not a["financial_assets_fen"] <= asset_limit:
        reason = "assets"
    elif any(m["owns_vehicle"] for m in a["members"]):
        reason = "vehicle"
    elif a["owns_second_home"]:
        reason = "housing"
    else:
        reason = "ok"
    eligible = reason == "ok"
    k = sum(1 for m in a["members"] if m["age"] >= 60 or m["disabled"])
    supplement = (standard // 10) * k  # rule 8
    benefit = (standard - per_capita) * size + supplement if eligible else 0  # rule 9
    return "%s,%s,%d,%s" % (a["id"], "true" if eligible else "false", benefit, reason)


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(int(sys.argv[2]), int(sys.argv[3]))
    else:
        for line in sys.stdin:
            if line.strip():
                print(expect(line))

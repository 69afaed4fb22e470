#!/usr/bin/env python3
"""Generates cases.tsv: exact results computed independently of Regula with Python's
fractions, decimal and datetime modules. Run from this directory: python3 make_cases.py

Each line is tab-separated: an operation name, its operands, then the expected result
(`error` where Regula must report an error). Regula's RegulaNumericsTests/TableTests.swift
reads the file and checks every line exactly.
"""
import calendar
import datetime
import decimal
import random
import re
from fractions import Fraction

rng = random.Random(20240229)
lines = []
I64_MAX = 2**63 - 1
I64_MIN = -(2**63)
decimal.getcontext().prec = 400
decimal.getcontext().Emax = 10**6
decimal.getcontext().Emin = -(10**6)

# ---------------------------------------------------------------- printing (independent route)

def show(f: Fraction) -> str:
    """Finite decimal via the decimal module when the denominator is 2^a 5^b, else p/q."""
    d = f.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d != 1:
        return f"{f.numerator}/{f.denominator}"
    with decimal.localcontext() as ctx:
        ctx.prec = 1000
        ctx.traps[decimal.Inexact] = True
        value = decimal.Decimal(f.numerator) / decimal.Decimal(f.denominator)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text

# ---------------------------------------------------------------- operands

EDGES = [0, 1, -1, 2, -2, 3, 10, 100, I64_MAX, I64_MAX - 1, I64_MIN, I64_MIN + 1,
         2**62, -(2**62), 2**32, -(2**32), 2**31 - 1, 10**18, -(10**18), 2**64, -(2**64),
         10**30 + 7, -(10**25) - 3]

def integer() -> int:
    roll = rng.random()
    if roll < 0.4:
        return rng.choice(EDGES) + rng.choice([0, 0, 1, -1])
    if roll < 0.7:
        return rng.randint(-1000, 1000)
    if roll < 0.9:
        return rng.randint(I64_MIN, I64_MAX)
    return rng.randint(-(10**40), 10**40)

def rational() -> Fraction:
    roll = rng.random()
    if roll < 0.3:
        return Fraction(integer())
    if roll < 0.6:
        return Fraction(rng.randint(-10**6, 10**6), rng.choice([1, 2, 4, 5, 8, 10, 20, 100, 1000, 3, 7, 9, 11, 12, 60]))
    den = integer()
    while den == 0:
        den = integer()
    return Fraction(integer(), den)

def literal(f: Fraction) -> str:
    """A literal Regula parses: p/q (always exact)."""
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"

# ---------------------------------------------------------------- exact integer arithmetic

def tdiv(a, b):
    q = abs(a) // abs(b)
    q = q if (a >= 0) == (b > 0) else -q
    return q, a - q * b

for _ in range(400):
    a, b = integer(), integer()
    lines.append(f"int+\t{a}\t{b}\t{a + b}")
    lines.append(f"int-\t{a}\t{b}\t{a - b}")
    lines.append(f"int*\t{a}\t{b}\t{a * b}")
    if b == 0:
        lines.append(f"intdivT\t{a}\t{b}\terror")
        lines.append(f"intdivF\t{a}\t{b}\terror")
    else:
        q, r = tdiv(a, b)
        lines.append(f"intdivT\t{a}\t{b}\t{q} {r}")
        lines.append(f"intdivF\t{a}\t{b}\t{a // b} {a % b}")
for a in EDGES:
    for b in [-1, 1, 2, -2, 7, -7, 0]:
        if b:
            q, r = tdiv(a, b)
            lines.append(f"intdivT\t{a}\t{b}\t{q} {r}")
            lines.append(f"intdivF\t{a}\t{b}\t{a // b} {a % b}")

# ---------------------------------------------------------------- exact rational arithmetic

for _ in range(700):
    x, y = rational(), rational()
    lx, ly = literal(x), literal(y)
    lines.append(f"dec+\t{lx}\t{ly}\t{show(x + y)}")
    lines.append(f"dec-\t{lx}\t{ly}\t{show(x - y)}")
    lines.append(f"dec*\t{lx}\t{ly}\t{show(x * y)}")
    lines.append(f"dec/\t{lx}\t{ly}\t{'error' if y == 0 else show(x / y)}")
    lines.append(f"dec<\t{lx}\t{ly}\t{'true' if x < y else 'false'}")

# ---------------------------------------------------------------- rounding in every mode

MODES = {
    "halfUp": decimal.ROUND_HALF_UP, "halfEven": decimal.ROUND_HALF_EVEN,
    "down": decimal.ROUND_DOWN, "up": decimal.ROUND_UP,
    "floor": decimal.ROUND_FLOOR, "ceiling": decimal.ROUND_CEILING,
}

def round_places(f: Fraction, places: int, mode: str) -> Fraction:
    """Rounds via decimal.quantize on a truncated 300-digit expansion (see module note)."""
    with decimal.localcontext() as ctx:
        ctx.prec = 300
        ctx.rounding = decimal.ROUND_DOWN
        value = decimal.Decimal(f.numerator) / decimal.Decimal(f.denominator)
        ctx.prec = 1000
        exponent = decimal.Decimal(1).scaleb(-places)
        return Fraction(value.quantize(exponent, rounding=MODES[mode]))

round_inputs = [Fraction(n, 2) for n in range(-9, 10)] + [Fraction(n, 1000) for n in (1234, 1235, 1245, -1235, -1245, 5, -5, 15, 25, -25)]
round_inputs += [Fraction(2, 3), Fraction(-2, 3), Fraction(1, 3), Fraction(-1, 3), Fraction(I64_MAX, 2), Fraction(I64_MIN, 2), Fraction(I64_MIN + 1, 2), Fraction(10**30 + 1, 2)]
round_inputs += [rational() for _ in range(150)]
for f in round_inputs:
    for mode in MODES:
        for places in (0, 1, 2, -2):
            lines.append(f"round\t{literal(f)}\t{places}\t{mode}\t{show(round_places(f, places, mode))}")

# Money × rate rounded to whole fen, and to whole yuan.
for _ in range(300):
    fen = rng.choice([rng.randint(-10**7, 10**7), integer()])
    rate = rng.choice([Fraction(rng.randint(0, 10000), 10000), Fraction(rng.randint(-50, 50), rng.randint(1, 30))])
    mode = rng.choice(list(MODES))
    exact = fen * rate
    lines.append(f"moneyRate\t{fen}\t{literal(rate)}\t{mode}\t{int(round_places(exact, 0, mode))}")
    lines.append(f"moneyYuan\t{fen}\t{literal(rate)}\t{mode}\t{int(round_places(exact, -2, mode))}")

# ---------------------------------------------------------------- literal parsing and printing

LITERAL = re.compile(r"^[+-]?[0-9]+(_[0-9]+)*(\.[0-9]+(_[0-9]+)*)?%?$")

def parse_literal(text: str):
    if "/" in text:
        m = re.fullmatch(r"([+-]?)([0-9]+(?:_[0-9]+)*)/([0-9]+(?:_[0-9]+)*)", text)
        if not m:
            return None
        p, q = int(m.group(2).replace("_", "")), int(m.group(3).replace("_", ""))
        if q == 0:
            return None
        return Fraction(-p if m.group(1) == "-" else p, q)
    if not LITERAL.match(text):
        return None
    percent = text.endswith("%")
    value = Fraction(decimal.Decimal(text.rstrip("%").replace("_", "")))
    return value / 100 if percent else value

literal_samples = ["0.15", "12%", "1_234.50", "-3", "7/3", "-7/3", "+4", "0", "-0", "0.0", "100%", "0.5%",
                   "1_000_000", "1__000", "_1", "1_", "1.", ".5", "1.2.3", "abc", "", "-", "12%%", "1/0",
                   "6/4", "0.000001", "-0.125", "99999999999999999999.99", "12.5%", "1_0.0_5", "3/-4",
                   "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                   "0.1234567890123456789012345", "1/3%", "1e5", " 1", "1 ", "١٢"]
for _ in range(300):
    whole = str(rng.randint(0, 10**rng.randint(1, 25)))
    frac = str(rng.randint(0, 10**rng.randint(1, 8))).zfill(rng.randint(1, 8))
    text = rng.choice(["", "-"]) + whole + rng.choice(["", "." + frac]) + rng.choice(["", "", "%"])
    literal_samples.append(text)
for text in literal_samples:
    value = parse_literal(text)
    lines.append(f"parse\t{text}\t{'error' if value is None else show(value)}")

for fen in [0, 1, -1, 5, -5, 99, 100, -100, 123456, -123456, 10**20 + 7, I64_MIN, I64_MAX]:
    sign = "-" if fen < 0 else ""
    yuan = f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"
    lines.append(f"yuan\t{fen}\t{yuan}")

# ---------------------------------------------------------------- dates

def add_months(d: datetime.date, n: int, policy: str):
    total = d.year * 12 + d.month - 1 + n
    year, month = divmod(total, 12)
    month += 1
    if not 1 <= year <= 9999:
        return None
    last = calendar.monthrange(year, month)[1]
    if d.day <= last:
        return datetime.date(year, month, d.day)
    if policy == "reject":
        return None
    if policy == "roundDown":
        return datetime.date(year, month, last)
    return datetime.date(year, month, last) + datetime.timedelta(days=1)

def random_date() -> datetime.date:
    roll = rng.random()
    if roll < 0.5:  # month ends and leap days
        year = rng.choice([1, 4, 100, 400, 1600, 1900, 2000, 2023, 2024, 2100, 2400, 9999, rng.randint(1, 9999)])
        month = rng.randint(1, 12)
        last = calendar.monthrange(year, month)[1]
        return datetime.date(year, month, rng.choice([last, last - 1, 1, 28, 29 if last >= 29 else 28]))
    return datetime.date.fromordinal(rng.randint(1, datetime.date.max.toordinal()))

for _ in range(700):
    d = random_date()
    n = rng.choice([1, -1, 12, -12, 13, 48, 1200, rng.randint(-200, 200), rng.randint(-120000, 120000)])
    for policy in ("reject", "roundDown", "roundUp"):
        r = add_months(d, n, policy)
        lines.append(f"addMonths\t{d.isoformat()}\t{n}\t{policy}\t{'error' if r is None else r.isoformat()}")
    k = rng.choice([1, -1, 365, -366, rng.randint(-10**6, 10**6), 3 * 10**6])
    try:
        r2 = d + datetime.timedelta(days=k)
        lines.append(f"addDays\t{d.isoformat()}\t{k}\t{r2.isoformat()}")
    except OverflowError:
        lines.append(f"addDays\t{d.isoformat()}\t{k}\terror")

def age(birth: datetime.date, on: datetime.date) -> int:
    """Full years; a 29 February birthday falls on 1 March in common years."""
    def birthday(year):
        try:
            return datetime.date(year, birth.month, birth.day)
        except ValueError:
            return datetime.date(year, 3, 1)
    years = on.year - birth.year
    return years - (1 if on < birthday(on.year) else 0)

def whole_months(a: datetime.date, b: datetime.date) -> int:
    """Largest n with add_months(a, n, roundUp) <= b (brute force); antisymmetric."""
    if b < a:
        return -whole_months(b, a)
    n = (b.year - a.year) * 12 + b.month - a.month + 1
    while add_months(a, n, "roundUp") is None or add_months(a, n, "roundUp") > b:
        n -= 1
    return n

for _ in range(700):
    a = random_date()
    b = rng.choice([random_date(), a + datetime.timedelta(days=rng.randint(0, 800)) if a.year < 9990 else a])
    lines.append(f"days\t{a.isoformat()}\t{b.isoformat()}\t{(b - a).days}")
    lines.append(f"months\t{a.isoformat()}\t{b.isoformat()}\t{whole_months(a, b)}")
    if b >= a:
        lines.append(f"age\t{a.isoformat()}\t{b.isoformat()}\t{age(a, b)}")

# Ages around birthdays, including 29 February, in leap and common years.
for birth in [datetime.date(2000, 2, 29), datetime.date(1996, 2, 29), datetime.date(1990, 6, 15),
              datetime.date(1999, 12, 31), datetime.date(2000, 1, 1), datetime.date(2004, 2, 28),
              datetime.date(2004, 3, 1)]:
    for year in range(birth.year + 1, birth.year + 9):
        for anchor in [(birth.month, birth.day), (2, 28), (3, 1)]:
            try:
                center = datetime.date(year, *anchor)
            except ValueError:
                center = datetime.date(year, 2, 28)
            for delta in (-1, 0, 1):
                on = center + datetime.timedelta(days=delta)
                lines.append(f"age\t{birth.isoformat()}\t{on.isoformat()}\t{age(birth, on)}")

ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
iso_samples = ["2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "2100-02-29", "0000-01-01",
               "0001-01-01", "9999-12-31", "2024-1-01", "2024-01-1", "20240101", "2024-13-01",
               "2024-00-10", "2024-04-31", "2024-04-30", "+2024-01-01", "2024/01/01", "2024-01-01 ",
               " 2024-01-01", "2024-01-01T00:00", "2０24-01-01", "abcd-ef-gh", "2024-06-00"]
for text in iso_samples:
    ok = bool(ISO.match(text))
    if ok:
        try:
            datetime.date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            ok = False
    lines.append(f"iso\t{text}\t{text if ok else 'error'}")

with open("cases.tsv", "w", encoding="utf-8") as out:
    out.write("# Generated by make_cases.py; do not edit. Columns: op, operands..., expected.\n")
    out.write("\n".join(lines) + "\n")
print(f"{len(lines)} cases")

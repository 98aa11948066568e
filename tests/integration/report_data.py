#!/usr/bin/env python3
"""The report tests' fixed data set, and the figures worked out from it
independently of the hub (Python's math module: medians by sorting,
exact Poisson limits by integrating the gamma density numerically and
bisecting, the Spiegelhalter/DerSimonian-Laird adjustment written out).

  report_data.py sql          the data set as SQL (after the stand-ins)
  report_data.py check DIR    checks the CSV reports under the outbox DIR
  report_data.py names        every practice's code, name and clinicians
"""
import csv
import functools
import math
import os
import sys

PERIOD = "2025-01"
# locality, code, name, weighted list, {tfc: count in January}
PRACTICES = [
    ("North", "P10001", "Alder Surgery", 5000, {"110": 20, "120": 6, "330": 4}),
    ("North", "P10002", "Beech Medical Centre", 6000, {"110": 22, "120": 12, "330": 11}),
    ("North", "P10003", "Cedar Practice", 4000, {"110": 14, "120": 3}),
    ("North", "P10004", "Damson Health", 9000, {"110": 41, "120": 20, "330": 19}),
    ("North", "P10005", "Elm Tree Surgery", 3000, {"110": 16, "120": 5, "330": 4}),
    ("North", "P10006", "Fir Lodge", 8000, {"110": 52, "120": 14, "330": 16}),
    ("North", "P10007", "Gorse Lane", 2500, {"110": 10, "120": 4, "330": 4}),
    ("North", "P10008", "Hazel Grove", 7000, {"110": 25, "120": 10, "330": 5}),
    ("South", "P20001", "Ivy House", 4500, {"110": 12, "330": 7}),
    ("South", "P20002", "Juniper Way", 5500, {"110": 15, "330": 9}),
    ("South", "P20003", "Kale Street", 6500, {"110": 30, "330": 14}),
]
TITLES = {"110": "Trauma and Orthopaedics", "120": "ENT", "330": "Dermatology"}
PRICE = {"110": 16000, "120": 12000, "330": 11000}
PROVIDERS = ["RWG", "RAL"]
# Earlier months of the trend: referrals per practice (all TFC 110).
EARLIER = {"2024-11": 3, "2024-12": 7}
# PUNs: (practice, index of the referral in its January list, saving)
PUNS = [("P10001", 0, 9000), ("P10001", 1, 9000), ("P10006", 3, 4500),
        ("P10006", 4, None)]
ALT = ("MSK1", "Community MSK service", "110", 7000)
# DENs: (practice, index, theme, title)
DENS = [("P10001", 2, "missing information", "No medication listed"),
        ("P10001", 5, "missing information", "No medication listed"),
        ("P10001", 6, "guideline criteria", "Two-week wait criteria not met"),
        ("P10006", 0, "missing information", "No medication listed")]
# A locum from P10002 referring once for P10001: never named in P10001's
# report (their code is registered at another practice).
LOCUM = ("P10001", 5, "G1000021", "Dr Locum Beech")
CONTRACT = [("RWG", "110", "OPFA", "2024/25", 1200, 16000)]


def gp(code, k):
    return "G1%05d%d" % (int(code[1:]) % 100000, k)


def gp_name(code, k):
    return "Dr %s %d" % (code, k)


def referrals():
    """Yields (practice, source_id, date, tfc, provider, referrer) rows."""
    for loc, code, name, w, tfcs in PRACTICES:
        i = 0
        for tfc in sorted(tfcs):
            for j in range(tfcs[tfc]):
                day = 1 + (i % 28)
                ref = gp(code, i % 3)
                yield (code, "%s-%04d" % (code, i), "2025-01-%02d" % day,
                       tfc, PROVIDERS[i % 2], ref)
                i += 1
        for month, n in EARLIER.items():
            for j in range(n):
                yield (code, "%s-%s-%02d" % (code, month, j),
                       "%s-%02d" % (month, 1 + j), "110", "RWG", gp(code, 0))


def sql():
    out = []
    # Reference rows belong to a recorded load (ref.loads), as when an
    # operator runs pars refdata load.
    out.append("INSERT INTO ref.loads (id, kind, file_name, file_sha256, "
               "who) VALUES (1, 'test', 'report_data.py', "
               "sha256('report_data'::bytea), 'test');")
    out.append("INSERT INTO ref.tfc (code, title, in_use, load_id) VALUES " +
               ", ".join("('%s', '%s', true, 1)" % (k, v)
                         for k, v in TITLES.items()) + ";")
    out.append("INSERT INTO ref.alternative_services (code, name, tfc, "
               "replaces, price_pence, load_id) VALUES ('%s', '%s', '%s', "
               "'first_attendance', %d, 1);"
               % (ALT[0], ALT[1], ALT[2], ALT[3]))
    for c in CONTRACT:
        out.append("INSERT INTO ref.shadow_contracts (provider, tfc, pod, "
                   "year, planned_activity, price_pence, load_id) VALUES "
                   "('%s', '%s', '%s', '%s', %d, %d, 1);" % c)
    for loc, code, name, w, tfcs in PRACTICES:
        out.append("INSERT INTO pars.practices (code, name, locality) "
                   "VALUES ('%s', '%s', '%s');" % (code, name, loc))
        out.append("INSERT INTO ref.list_sizes (practice_code, as_of, raw, "
                   "weighted, load_id) VALUES ('%s', '2024-10-01', %d, %d, "
                   "1);" % (code, int(w * 1.1), w))
        for k in range(3):
            out.append("INSERT INTO ref.gps (code, practice_code, name, "
                       "load_id) VALUES ('%s', '%s', '%s', 1);"
                       % (gp(code, k), code, gp_name(code, k)))
        out.append("INSERT INTO pars.documents (sha256, size_bytes, source, "
                   "practice_ods, state, format, n_referrals, received_at) "
                   "VALUES (sha256('%s'::bytea), 100, 'spool', '%s', "
                   "'stored', 'csv', 1, '2025-01-20');" % (code, code))
    out.append("INSERT INTO ref.gps (code, practice_code, name, load_id) "
               "VALUES ('%s', 'P10002', '%s', 1);" % (LOCUM[2], LOCUM[3]))
    # quarantined documents: one naming another practice and a GP code
    out.append("INSERT INTO pars.documents (sha256, size_bytes, source, "
               "practice_ods, state, reason, received_at) VALUES "
               "(sha256('q1'::bytea), 10, 'spool', 'P10001', 'quarantined', "
               "'the document names practice P10002 and referrer G1000021, "
               "not the sending practice', '2025-01-15'), "
               "(sha256('q2'::bytea), 10, 'spool', 'P10003', 'quarantined', "
               "'not a referral format the hub reads', '2025-01-16');")
    rows = list(referrals())
    pos = {}
    for (code, sid, date, tfc, prov, ref) in rows:
        n = pos.get(code, 0)
        pos[code] = n + 1
        name = gp_name(code, int(ref[-1]))
        if (code, n) == (LOCUM[0], LOCUM[1]):
            ref, name = LOCUM[2], LOCUM[3]
        out.append(
            "INSERT INTO pars.referrals (document_id, position, format, "
            "source_id, status, practice_ods, referrer_code, referrer_name, "
            "nhs_number_valid, sex, referral_date, tfc, provider_ods, "
            "price_pence, tariff_year, content_sha256, is_current, "
            "reason_text) SELECT d.id, %d, 'csv', '%s', 'active', '%s', '%s', "
            "'%s', true, 'female', '%s', '%s', '%s', %d, '2024/25', "
            "sha256('%s'::bytea), true, 'clinical text %s' FROM "
            "pars.documents d WHERE d.sha256 = sha256('%s'::bytea);"
            % (n, sid, code, ref, name, date, tfc, prov, PRICE[tfc], sid,
               sid, code))
    # a superseded version and a cancelled referral: never counted
    out.append("UPDATE pars.referrals SET is_current = false WHERE "
               "source_id = 'P10002-0000';")
    out.append("UPDATE pars.referrals SET status = 'cancelled' WHERE "
               "source_id = 'P10002-0001';")
    for kind, items in (("PUN", PUNS), ("DEN", DENS)):
        for it in items:
            code, idx = it[0], it[1]
            sid = "%s-%04d" % (code, idx)
            if kind == "PUN":
                saving = "NULL" if it[2] is None else str(it[2])
                out.append(
                    "INSERT INTO pars.findings (referral_id, source, "
                    "rule_id, rule_version, kind, theme, title, message, "
                    "alternative_service, saving_pence) SELECT id, 'rule', "
                    "'msk-first', '1', 'PUN', 'alternatives', "
                    "'Community MSK first', 'msg', '%s', %s FROM "
                    "pars.referrals WHERE source_id = '%s';"
                    % (ALT[0], saving, sid))
            else:
                out.append(
                    "INSERT INTO pars.findings (referral_id, source, "
                    "rule_id, rule_version, kind, theme, title, message) "
                    "SELECT id, 'rule', "
                    "'den-%d', '1', 'DEN', '%s', '%s', 'msg' FROM "
                    "pars.referrals WHERE source_id = '%s';"
                    % (idx, it[2], it[3], sid))
    return "\n".join(out) + "\n"


# --- the figures, worked out independently ---

_COUNTED = {}


def counted(code):
    if code not in _COUNTED:
        _COUNTED[code] = _counted(code)
    return _COUNTED[code]


def _counted(code):
    """January referrals of a practice, as counted (current, active)."""
    n = {}
    for (c, sid, date, tfc, prov, ref) in referrals():
        if c != code or not date.startswith(PERIOD):
            continue
        if sid in ("P10002-0000", "P10002-0001"):
            continue
        n[tfc] = n.get(tfc, 0) + 1
    return n


def quantile(v, q):
    v = sorted(v)
    h = (len(v) - 1) * q
    i = int(math.floor(h))
    if i + 1 >= len(v):
        return v[-1]
    return v[i] + (h - i) * (v[i + 1] - v[i])


def gamma_cdf(a, x, steps=2000):
    """P(a, x) by Simpson's rule on the gamma(a) density (from where the
    density is negligible: 14 standard deviations below its mean)."""
    lo = max(0.0, a - 14 * math.sqrt(a) - 10)
    if x <= lo:
        return 0.0
    h = (x - lo) / steps
    lg = math.lgamma(a)

    def f(t):
        return 0.0 if t <= 0 else math.exp((a - 1) * math.log(t) - t - lg)
    s = f(lo) + f(x)
    for k in range(1, steps):
        s += (4 if k % 2 else 2) * f(lo + k * h)
    return s * h / 3


@functools.lru_cache(maxsize=None)
def gamma_inv(a, p):
    lo, hi = 0.0, a + 10 * math.sqrt(a) + 20
    for _ in range(50):
        mid = (lo + hi) / 2
        if gamma_cdf(a, mid) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def chi2_inv(p, df):
    return 2 * gamma_inv(df / 2.0, p)


Z = {0.05: 1.959963984540054, 0.002: 3.090232306167813}


def funnel(obs, den):
    """target, overdispersed, tau2 for a group (Spiegelhalter 2005)."""
    t = sum(obs) / sum(den)
    z = sorted((o / d - t) / math.sqrt(t / d) for o, d in zip(obs, den))
    m = len(z)
    k = int(0.1 * m)
    zw = [z[k] if i < k else z[m - k - 1] if i >= m - k else z[i]
          for i in range(m)]
    phi = sum(x * x for x in zw) / m
    od = m >= 5 and m * phi > chi2_inv(0.95, m - 1)
    tau2 = 0.0
    if od:
        w = [d / t for d in den]
        tau2 = max(0.0, (m * phi - (m - 1)) /
                   (sum(w) - sum(x * x for x in w) / sum(w)))
    return t, od, tau2


def limits(t, od, tau2, d, alpha):
    if od:
        sd = math.sqrt(t / d + tau2)
        return max(0.0, t - Z[alpha] * sd) * 1000, (t + Z[alpha] * sd) * 1000
    e = t * d
    return (gamma_inv(e, alpha / 2) / d * 1000,
            gamma_inv(e + 1, 1 - alpha / 2) / d * 1000)


def position(rate, lim95, lim998, expected):
    if expected < 5:
        return "not judged (too few expected)"
    if rate > lim998[1]:
        return "above the 99.8% limit"
    if rate > lim95[1]:
        return "above the 95% limit"
    if rate < lim998[0]:
        return "below the 99.8% limit"
    if rate < lim95[0]:
        return "below the 95% limit"
    return "within the limits"


def shown(n):
    return "<5" if 0 < n < 5 else str(n)


def read_csv(path):
    t = {}
    with open(path, newline="", encoding="utf-8") as fp:
        for row in csv.DictReader(fp):
            t[(row["table"], row["label"], row["column"])] = row["value"]
    return t


FAILS = []


def eq(what, got, want):
    if got != want:
        FAILS.append("%s: got %r, want %r" % (what, got, want))


def close(what, got, want, tol=0.051):
    try:
        if abs(float(got) - want) <= tol:
            return
    except (TypeError, ValueError):
        pass
    FAILS.append("%s: got %r, want %.3f" % (what, got, want))


def check(outbox):
    checked = 0
    for loc in sorted(set(p[0] for p in PRACTICES)):
        members = [p for p in PRACTICES if p[0] == loc]
        n = {p[1]: sum(counted(p[1]).values()) for p in members}
        w = {p[1]: p[3] for p in members}
        rate = {c: 1000.0 * n[c] / w[c] for c in n}
        t, od, tau2 = funnel([n[c] for c in n], [w[c] for c in n])
        tfcs = sorted(set(k for p in members for k in counted(p[1])))
        for loc_, code, name, wl, _ in members:
            f = read_csv(os.path.join(outbox, code, PERIOD,
                                      "%s-%s.csv" % (code, PERIOD)))
            s = lambda label: f.get(("summary", label, "value"))
            eq(code + " referrals", s("referrals in the period"),
               shown(n[code]))
            close(code + " rate", s("referrals per 1,000 weighted patients"),
                  rate[code])
            peers = [rate[c] for c in rate if c != code]
            close(code + " peer median", s("other practices: median rate"),
                  quantile(peers, 0.5))
            eq(code + " IQR", s("other practices: interquartile range"),
               "%.1f to %.1f" % (quantile(peers, 0.25),
                                 quantile(peers, 0.75)))
            rank = 1 + sum(1 for c in rate if rate[c] > rate[code])
            eq(code + " rank", s("rank in the locality (1 = highest rate)")
               .split(" ")[0][:-2], str(rank))
            l95 = limits(t, od, tau2, wl, 0.05)
            l998 = limits(t, od, tau2, wl, 0.002)
            lo, hi = s("95% control limits").split(" to ")
            close(code + " 95% lower", lo, l95[0])
            close(code + " 95% upper", hi, l95[1])
            lo, hi = s("99.8% control limits").split(" to ")
            close(code + " 99.8% lower", lo, l998[0])
            close(code + " 99.8% upper", hi, l998[1])
            eq(code + " limits used", s("limits used"),
               "widened for overdispersion" if od else "exact Poisson")
            eq(code + " position", s("against the funnel"),
               position(rate[code], l95, l998, t * wl))
            # specialties: each its own funnel
            mine = counted(code)
            for tfc in tfcs:
                obs = [counted(c).get(tfc, 0) for c in n]
                tt, tod, ttau = funnel(obs, [w[c] for c in n])
                label = "%s %s" % (tfc, TITLES[tfc])
                k = mine.get(tfc, 0)
                eq(code + " " + tfc + " count",
                   f.get(("specialty", label, "referrals")), shown(k))
                r = 1000.0 * k / wl
                got = f.get(("specialty", label, "rate per 1,000"))
                if 0 < k < 5:
                    eq(code + " " + tfc + " rate hidden", got, "*")
                else:
                    close(code + " " + tfc + " rate", got, r)
                pm = quantile([1000.0 * counted(c).get(tfc, 0) / w[c]
                               for c in n if c != code], 0.5)
                close(code + " " + tfc + " peer median",
                      f.get(("specialty", label, "other practices' median")),
                      pm)
                a = limits(tt, tod, ttau, wl, 0.002)
                lo, hi = f.get(("specialty", label, "99.8% limits")).split(
                    " to ")
                close(code + " " + tfc + " 99.8 lower", lo, a[0])
                close(code + " " + tfc + " 99.8 upper", hi, a[1])
                eq(code + " " + tfc + " limits used",
                   f.get(("specialty", label, "limits used")),
                   "widened for overdispersion" if tod else "exact Poisson")
                if not (0 < k < 5):
                    eq(code + " " + tfc + " position",
                       f.get(("specialty", label, "against the funnel")),
                       position(r, limits(tt, tod, ttau, wl, 0.05), a,
                                tt * wl))
            # savings: the finding's, or the price less the alternative's
            total = 0
            for (c, idx, saving) in PUNS:
                if c == code:
                    total += saving if saving is not None else \
                        PRICE["110"] - ALT[3]
            want = "\u00a3{:,}".format(int(round(total / 100.0)))
            eq(code + " savings", s("potential savings"), want)
            # the trend: earlier months at their counts
            for month, k in EARLIER.items():
                eq(code + " trend " + month,
                   f.get(("trend", month, "your referrals")), shown(k))
            checked += 1
    if checked != len(PRACTICES):
        FAILS.append("checked %d practices of %d" % (checked, len(PRACTICES)))
    for x in FAILS:
        print("FAIL:", x)
    print("%d passed, %d failed" % (checked, len(FAILS)))
    return 1 if FAILS else 0


def names():
    for loc, code, name, w, tfcs in PRACTICES:
        others = [gp(code, k) for k in range(3)] + \
                 [gp_name(code, k) for k in range(3)]
        print("\t".join([code, name] + others))


if __name__ == "__main__":
    if sys.argv[1] == "sql":
        sys.stdout.write(sql())
    elif sys.argv[1] == "check":
        sys.exit(check(sys.argv[2]))
    elif sys.argv[1] == "names":
        names()

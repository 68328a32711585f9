#!/usr/bin/env python3
"""roca_ci.py - how much a 1-ROCA% figure would move on other test sets.

1-ROCA% on a few thousand messages is decided by a handful of them: one
spam ranked below every ham costs 100/n_ham points. This resamples the
test set (bootstrap, ham and spam separately, the same draw for every
filter, so the comparison is paired) and prints, per filter, 1-ROCA% with
its 95% interval, and against the first filter the interval of the
difference and how often the filter ranked better.

Usage:
  roca_ci.py [--resamples N] [--seed S] NAME=SCOREFILE...
  roca_ci.py --self-test

Score files are metrics.py's (label<TAB>score<TAB>verdict), one line per
test message in the same order for every filter. Pure python3 standard
library.
"""

import argparse
import bisect
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import metrics  # noqa: E402


class Ranker:
    """1-ROCA% of one filter's scores under weights on the messages."""

    def __init__(self, rows, ham_idx, spam_idx):
        hams = sorted((rows[j][1], k) for k, j in enumerate(ham_idx))
        self.order = [k for _, k in hams]  # ham sorted by score
        keys = [s for s, _ in hams]
        # For each spam: how many sorted ham lie below it, and below or at.
        self.spam_lo = [bisect.bisect_left(keys, rows[i][1]) for i in spam_idx]
        self.spam_hi = [bisect.bisect_right(keys, rows[i][1]) for i in spam_idx]

    def roca(self, ham_w, spam_w):
        cum = [0]
        for k in self.order:
            cum.append(cum[-1] + ham_w[k])
        good = 0.0
        for i, w in enumerate(spam_w):
            if w:
                lo, hi = self.spam_lo[i], self.spam_hi[i]
                good += w * (cum[lo] + 0.5 * (cum[hi] - cum[lo]))
        return 100.0 * (1.0 - good / (cum[-1] * sum(spam_w)))


def draw(rng, n):
    w = [0] * n
    for _ in range(n):
        w[rng.randrange(n)] += 1
    return w


def percentile(sorted_v, q):
    return sorted_v[min(len(sorted_v) - 1, int(q * len(sorted_v)))]


def run(named_rows, resamples, seed):
    """Return (name, point, lo, hi, dlo, dhi, better) per filter."""
    first = named_rows[0][1]
    labels = [r[0] for r in first]
    for name, rows in named_rows:
        if [r[0] for r in rows] != labels:
            raise metrics.ScoreFileError(f"{name}: labels differ from "
                                         f"{named_rows[0][0]}'s (same list, same order?)")
    ham_idx = [i for i, s in enumerate(labels) if not s]
    spam_idx = [i for i, s in enumerate(labels) if s]
    if not ham_idx or not spam_idx:
        raise metrics.ScoreFileError("need ham and spam")
    rankers = [Ranker(rows, ham_idx, spam_idx) for _, rows in named_rows]
    ones_h, ones_s = [1] * len(ham_idx), [1] * len(spam_idx)
    points = [r.roca(ones_h, ones_s) for r in rankers]
    rng = random.Random(seed)
    samples = [[] for _ in rankers]
    for _ in range(resamples):
        hw, sw = draw(rng, len(ham_idx)), draw(rng, len(spam_idx))
        for k, r in enumerate(rankers):
            samples[k].append(r.roca(hw, sw))
    out = []
    for k, (name, _) in enumerate(named_rows):
        v = sorted(samples[k])
        d = sorted(a - b for a, b in zip(samples[k], samples[0]))
        better = sum(1 for a, b in zip(samples[k], samples[0]) if a < b)
        out.append((name, points[k], percentile(v, 0.025), percentile(v, 0.975),
                    percentile(d, 0.025), percentile(d, 0.975),
                    100.0 * better / resamples))
    return out


def self_test():
    rows_a = [(False, 0.1, False), (False, 0.2, False), (True, 0.3, True),
              (True, 0.9, True), (False, 0.5, False), (True, 0.05, False)]
    rows_b = [(s, 1.0 if s else 0.0, s) for s, _, _ in rows_a]
    ham = [i for i, r in enumerate(rows_a) if not r[0]]
    spam = [i for i, r in enumerate(rows_a) if r[0]]
    for rows in (rows_a, rows_b):
        r = Ranker(rows, ham, spam)
        want = 100.0 * (1.0 - metrics.auc_by_rank(rows))
        got = r.roca([1] * len(ham), [1] * len(spam))
        assert abs(got - want) < 1e-9, (got, want)
    # Ties count half: every score equal is 1-ROCA% 50.
    tie = [(s, 0.5, False) for s, _, _ in rows_a]
    assert abs(Ranker(tie, ham, spam).roca([1] * 3, [1] * 3) - 50.0) < 1e-9
    # Weights: counting a message twice is listing it twice.
    twice = rows_a + [rows_a[5]]
    want = 100.0 * (1.0 - metrics.auc_by_rank(twice))
    got = Ranker(rows_a, ham, spam).roca([1, 1, 1], [1, 1, 2])
    assert abs(got - want) < 1e-9, (got, want)
    res = run([("a", rows_a), ("a again", rows_a), ("perfect", rows_b)], 200, 1)
    assert res[1][4] == res[1][5] == 0.0 and res[1][6] == 0.0
    assert res[2][1] == 0.0 and res[2][3] == 0.0
    assert res[2][6] > 50.0
    print("roca_ci.py self-test: ok")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("files", nargs="*", metavar="NAME=SCOREFILE")
    a = ap.parse_args()
    if a.self_test:
        self_test()
        return 0
    if not a.files or a.resamples < 1:
        ap.error("give NAME=SCOREFILE at least once and --resamples >= 1")
    named = []
    try:
        for f in a.files:
            name, sep, path = f.partition("=")
            if not sep:
                name, path = os.path.basename(f), f
            named.append((name, metrics.read_scores(path)))
        res = run(named, a.resamples, a.seed)
    except (OSError, metrics.ScoreFileError) as e:
        sys.exit(f"roca_ci.py: {e}")
    ref = named[0][0]
    print(f"1-ROCA% with a 95% interval over {a.resamples} bootstrap resamples "
          f"of the test set (ham and spam drawn separately, paired):")
    print()
    print(f"| filter | 1-ROCA% | 95% interval | minus {ref}'s, 95% interval "
          f"| resamples where it ranks better than {ref} |")
    print("|---|---|---|---|---|")
    for name, p, lo, hi, dlo, dhi, better in res:
        diff = "-" if name == ref else f"{dlo:+.3f} .. {dhi:+.3f}"
        bet = "-" if name == ref else f"{better:.0f}%"
        print(f"| {name} | {p:.3f} | {lo:.3f} .. {hi:.3f} | {diff} | {bet} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

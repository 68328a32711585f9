#!/usr/bin/env python3
"""metrics.py - accuracy figures of a spam filter's score file.

A score file has one line per test message: label<TAB>score<TAB>verdict,
where label is "ham" or "spam", score is the filter's numeric score (higher
means more spammy; any scale) and verdict is the filter's own default
decision (1 = spam, 0 = not spam).

For each file it prints:
  FP%      ham with verdict 1, in percent of all ham
  FN%      spam with verdict 0, in percent of all spam
  1-ROCA%  100 * (1 - AUC), AUC computed by rank (Mann-Whitney U), tied
           scores given their average rank

Usage:
  metrics.py [--tsv] FILE...   one line per file (--tsv: file, ham, spam,
                               FP%, FN%, 1-ROCA% tab-separated, no header)
  metrics.py --self-test       check the computations on tiny examples
Pure python3 standard library.
"""

import math
import sys


class ScoreFileError(Exception):
    pass


def read_scores(path):
    """Return a list of (is_spam, score, verdict) from a score file."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                raise ScoreFileError(f"{path}:{n}: expected 3 tab-separated fields")
            label, score, verdict = parts
            if label not in ("ham", "spam"):
                raise ScoreFileError(f"{path}:{n}: label must be ham or spam")
            try:
                value = float(score)
            except ValueError:
                raise ScoreFileError(f"{path}:{n}: score is not a number: {score!r}")
            if math.isnan(value):
                raise ScoreFileError(f"{path}:{n}: score is NaN")
            if verdict not in ("0", "1"):
                raise ScoreFileError(f"{path}:{n}: verdict must be 0 or 1")
            rows.append((label == "spam", value, verdict == "1"))
    return rows


def auc_by_rank(rows):
    """AUC = P(score(spam) > score(ham)) + 0.5 P(tie), via average ranks.

    Ranks 1..N over all scores ascending; a run of equal scores gets the
    mean of the ranks it spans. AUC = (R_spam - n_s(n_s+1)/2) / (n_s n_h).
    """
    n_spam = sum(1 for r in rows if r[0])
    n_ham = len(rows) - n_spam
    if n_spam == 0 or n_ham == 0:
        raise ScoreFileError("need at least one ham and one spam for the AUC")
    ordered = sorted(rows, key=lambda r: r[1])
    rank_sum_spam = 0.0
    i = 0
    n = len(ordered)
    while i < n:
        j = i
        while j + 1 < n and ordered[j + 1][1] == ordered[i][1]:
            j += 1
        # Positions i..j (0-based) hold ranks i+1..j+1; their mean:
        avg_rank = (i + 1 + j + 1) / 2.0
        spam_in_run = sum(1 for k in range(i, j + 1) if ordered[k][0])
        rank_sum_spam += avg_rank * spam_in_run
        i = j + 1
    u = rank_sum_spam - n_spam * (n_spam + 1) / 2.0
    return u / (n_spam * n_ham)


def metrics(rows):
    """Return a dict with ham, spam, fp_pct, fn_pct, one_minus_roca_pct."""
    ham = [r for r in rows if not r[0]]
    spam = [r for r in rows if r[0]]
    if not ham or not spam:
        raise ScoreFileError("need at least one ham and one spam")
    fp = sum(1 for r in ham if r[2])
    fn = sum(1 for r in spam if not r[2])
    return {
        "ham": len(ham),
        "spam": len(spam),
        "fp": fp,
        "fn": fn,
        "fp_pct": 100.0 * fp / len(ham),
        "fn_pct": 100.0 * fn / len(spam),
        "one_minus_roca_pct": 100.0 * (1.0 - auc_by_rank(rows)),
    }


def self_test():
    failures = 0

    def check(name, got, want):
        nonlocal failures
        if abs(got - want) > 1e-12:
            print(f"FAIL {name}: got {got!r}, want {want!r}")
            failures += 1
        else:
            print(f"ok   {name}")

    H, S = False, True
    # Perfect separation: every spam above every ham.
    check("perfect", auc_by_rank([(H, 0.1, 0), (H, 0.2, 0), (S, 0.8, 1), (S, 0.9, 1)]), 1.0)
    # Perfectly inverted.
    check("inverted", auc_by_rank([(S, 0.1, 0), (S, 0.2, 0), (H, 0.8, 1), (H, 0.9, 1)]), 0.0)
    # All scores equal: every pair a tie, AUC 1/2.
    check("all tied", auc_by_rank([(H, 5, 0), (S, 5, 0), (H, 5, 0), (S, 5, 0)]), 0.5)
    # Hand count: ham 1,3 ; spam 2,4. Pairs (s>h): 2>1, 4>1, 4>3 = 3 of 4.
    check("interleaved", auc_by_rank([(H, 1, 0), (S, 2, 0), (H, 3, 0), (S, 4, 1)]), 0.75)
    # Ties across classes: ham {0, 0.5}, spam {0.5, 1}.
    # Pairs: (0.5 vs 0) win, (0.5 vs 0.5) tie = 1/2, (1 vs 0) win, (1 vs 0.5) win
    # -> (1 + 0.5 + 1 + 1) / 4 = 0.875.
    check("cross tie", auc_by_rank([(H, 0, 0), (H, 0.5, 0), (S, 0.5, 1), (S, 1, 1)]), 0.875)
    # Ranks by hand: scores 1,2,2,2,3 -> ranks 1, 3,3,3, 5. Ham {1, 2(x2)},
    # spam {2, 3}: R_spam = 3 + 5 = 8, U = 8 - 3 = 5, AUC = 5 / 6.
    check("triple tie", auc_by_rank([(H, 1, 0), (H, 2, 0), (S, 2, 0), (H, 2, 0), (S, 3, 1)]), 5 / 6)
    # One ham, three spam, one spam below: AUC = 2/3.
    check("one ham", auc_by_rank([(S, -1, 0), (H, 0, 0), (S, 7, 1), (S, 9, 1)]), 2 / 3)
    # Order of input must not matter.
    rows = [(S, 3, 1), (H, 2, 0), (S, 2, 0), (H, 1, 0), (H, 2, 0)]
    check("unsorted input", auc_by_rank(rows), 5 / 6)
    # FP/FN and 1-ROCA%.
    m = metrics([(H, 0.9, 1), (H, 0.1, 0), (H, 0.2, 0), (H, 0.3, 0),
                 (S, 0.8, 1), (S, 0.05, 0)])
    check("fp_pct", m["fp_pct"], 25.0)
    check("fn_pct", m["fn_pct"], 50.0)
    # Pairs s>h: 0.8 beats 0.1,0.2,0.3 (3); 0.05 beats none -> 3/8.
    check("1-roca", m["one_minus_roca_pct"], 100.0 * (1 - 3 / 8))
    if failures:
        print(f"{failures} failed")
        return 1
    print("all passed")
    return 0


def main(argv):
    if len(argv) > 1 and argv[1] == "--self-test":
        return self_test()
    tsv = False
    files = []
    for a in argv[1:]:
        if a == "--tsv":
            tsv = True
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        elif a.startswith("-") and a != "-":
            print(f"metrics.py: unknown option {a}", file=sys.stderr)
            return 2
        else:
            files.append(a)
    if not files:
        print("usage: metrics.py [--tsv] FILE... | --self-test", file=sys.stderr)
        return 2
    status = 0
    if not tsv:
        print(f"{'file':<40} {'ham':>5} {'spam':>5} {'FP%':>7} {'FN%':>7} {'1-ROCA%':>8}")
    for path in files:
        try:
            m = metrics(read_scores(path))
        except (OSError, ScoreFileError) as e:
            print(f"metrics.py: {path}: {e}", file=sys.stderr)
            status = 1
            continue
        if tsv:
            print(f"{path}\t{m['ham']}\t{m['spam']}\t{m['fp_pct']:.2f}\t"
                  f"{m['fn_pct']:.2f}\t{m['one_minus_roca_pct']:.3f}")
        else:
            print(f"{path:<40} {m['ham']:>5} {m['spam']:>5} {m['fp_pct']:>6.2f}% "
                  f"{m['fn_pct']:>6.2f}% {m['one_minus_roca_pct']:>8.3f}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""bayes_cv.py - cross-validation of winnow's Bayes inside the TRAIN half.

Every tuning knob of the classifier is chosen here, never on TEST: the
TRAIN list is cut into K folds by md5(basename) (second hex digit, mod K),
and for each fold `winnow eval` trains a fresh store on the other folds and
scores the fold.

Usage:
  bayes_cv.py [--folds K] [--list TRAIN] [--data DIR] [--winnow BIN]
              [--worst N] [--cuts=A,B] [--peer NAME] [--scores FILE]
              [--quiet] [-- EVAL_OPTIONS...]

EVAL_OPTIONS go to `winnow eval` as they are (--robs 0.2, --osb 2, ...).
Prints per fold and overall: FP and FN at the default verdict, 1-ROCA%
(mean of the folds), and with --worst N the N spam and N ham that rank
worst (the spam with the lowest scores, the ham with the highest), for
reading what the classifier misses. --scores FILE writes every message's
label, score and verdict, fold after fold, in metrics.py's format: runs of
two filters with the same --folds give paired files for roca_ci.py. Pure python3 standard library, plus
the winnow binary; finds the split and corpus as bayes.sh does.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import metrics  # noqa: E402


def default_list():
    env = os.environ.get("BENCH_SPLIT_DIR")
    for d in ([env] if env else []) + [os.path.join(HERE, "../../shared/bench")]:
        p = os.path.join(d, "sa_train.tsv")
        if os.path.exists(p):
            return p
    sys.exit("bayes_cv.py: no sa_train.tsv (set BENCH_SPLIT_DIR or --list)")


def fold_of(path, k):
    h = hashlib.md5(os.path.basename(path).encode()).hexdigest()
    return int(h[1], 16) % k


def cut_at(pooled, nham):
    """The lowest score cut (spam when score > cut) that keeps FP <= 0.1%."""
    allowed = int(nham * 0.001)
    hams = sorted((sc for s, sc in pooled if not s), reverse=True)
    return hams[allowed] if allowed < len(hams) else float("-inf")


def fn_at(pooled, nham):
    cut = cut_at(pooled, nham)
    spam = [sc for s, sc in pooled if s]
    return 100 * sum(1 for sc in spam if sc <= cut) / len(spam)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--list", default=None)
    ap.add_argument("--data", default=os.path.join(HERE, ".corpus/package/data"))
    ap.add_argument("--winnow", default=os.environ.get(
        "WINNOW", os.path.join(HERE, "../build-bench/winnow")))
    ap.add_argument("--worst", type=int, default=0)
    ap.add_argument("--peer", default=None,
                    help="run bench/peers/PEER.sh train+classify instead")
    ap.add_argument("--quiet", action="store_true", help="only the summary line")
    ap.add_argument("--cuts", default="",
                    help="comma-separated score cuts: FP and FN at each")
    ap.add_argument("--scores", default=None,
                    help="write label<TAB>score<TAB>verdict, fold after fold")
    ap.add_argument("eval_opts", nargs="*")
    a = ap.parse_args()

    lines = [l.rstrip("\n") for l in open(a.list or default_list()) if l.strip()]
    folds = [[] for _ in range(a.folds)]
    for l in lines:
        folds[fold_of(l.split("\t")[1], a.folds)].append(l)

    rocas, fp, fn, nham, nspam, worst, pooled = [], 0, 0, 0, 0, [], []
    all_rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.folds):
            tr = os.path.join(tmp, f"train{i}")
            te = os.path.join(tmp, f"test{i}")
            sc = os.path.join(tmp, f"scores{i}")
            # Keep the list's own order (ham, then spam), as bayes.sh does.
            with open(tr, "w") as f:
                f.writelines(l + "\n" for l in lines
                             if fold_of(l.split("\t")[1], a.folds) != i)
            with open(te, "w") as f:
                f.writelines(l + "\n" for l in folds[i])
            if a.peer:
                drv = os.path.join(HERE, "peers", a.peer + ".sh")
                r = subprocess.run(f'"{drv}" train "{tr}" "{a.data}" "{tmp}" && '
                                   f'"{drv}" classify "{te}" "{a.data}" "{tmp}" "{sc}"',
                                   shell=True, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
            else:
                r = subprocess.run([a.winnow, "eval", "--train", tr, "--test", te,
                                    "--data", a.data, "--scores", sc] + a.eval_opts,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
            if r.returncode != 0:
                sys.exit(f"bayes_cv.py: winnow eval failed on fold {i}:\n{r.stderr}")
            rows = metrics.read_scores(sc)
            auc = metrics.auc_by_rank(rows)
            roca = 100 * (1 - auc)
            h = sum(1 for s, _, _ in rows if not s)
            sp = len(rows) - h
            ffp = sum(1 for s, _, v in rows if not s and v)
            ffn = sum(1 for s, _, v in rows if s and not v)
            rocas.append(roca)
            fp, fn, nham, nspam = fp + ffp, fn + ffn, nham + h, nspam + sp
            if not a.quiet:
                print(f"fold {i}: {h} ham {sp} spam  FP {ffp}  FN {ffn}  "
                      f"1-ROCA% {roca:.4f}")
            for (s, score, _), l in zip(rows, folds[i]):
                pooled.append((s, score))
            all_rows += rows
            if a.worst:
                hs = sorted(sc for s, sc, _ in rows if not s)
                ss = sorted(sc for s, sc, _ in rows if s)
                import bisect
                for (s, score, _), l in zip(rows, folds[i]):
                    # misordered pairs this message takes part in (ties half)
                    if s:
                        bad = len(hs) - bisect.bisect_right(hs, score) + \
                            0.5 * (bisect.bisect_right(hs, score) - bisect.bisect_left(hs, score))
                    else:
                        bad = bisect.bisect_left(ss, score) + \
                            0.5 * (bisect.bisect_right(ss, score) - bisect.bisect_left(ss, score))
                    worst.append((s, score, i, l.split("\t")[1], bad))
    if a.scores:
        with open(a.scores, "w") as f:
            f.writelines(f"{'spam' if s else 'ham'}\t{sc!r}\t{int(v)}\n"
                         for s, sc, v in all_rows)
    mean = sum(rocas) / len(rocas)
    print(f"cv{a.folds} {a.peer or ' '.join(a.eval_opts) or 'defaults'}: 1-ROCA% {mean:.4f}  "
          f"FP {fp}/{nham} ({100 * fp / nham:.2f}%)  "
          f"FN {fn}/{nspam} ({100 * fn / nspam:.2f}%)  "
          f"FN at FP<=0.1%: {fn_at(pooled, nham):.2f}% (cut {cut_at(pooled, nham):.6g})")
    for cut in (float(x) for x in a.cuts.split(",") if x):
        cfp = sum(1 for s, sc in pooled if not s and sc > cut)
        cfn = sum(1 for s, sc in pooled if s and sc <= cut)
        print(f"  spam above {cut:g}: FP {cfp} ({100 * cfp / nham:.2f}%)  "
              f"FN {cfn} ({100 * cfn / nspam:.2f}%)")
    if a.worst:
        spam = sorted((w for w in worst if w[0]), key=lambda w: w[1])[:a.worst]
        ham = sorted((w for w in worst if not w[0]), key=lambda w: -w[1])[:a.worst]
        print("lowest spam (score, fold, ham ranked above it, path):")
        for _, score, i, p, bad in spam:
            print(f"  {score:.6g}\tfold {i}\t{bad:g}\t{p}")
        print("highest ham (score, fold, spam ranked below it, path):")
        for _, score, i, p, bad in ham:
            print(f"  {score:.6g}\tfold {i}\t{bad:g}\t{p}")


if __name__ == "__main__":
    main()

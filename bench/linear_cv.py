#!/usr/bin/env python3
"""linear_cv.py - would a linear second stage beside Fisher rank better?

A design study, on the TRAIN half only, with the folds of bayes_cv.py. For
each fold it trains, on the other folds:

  fisher   winnow's own Bayes (`winnow eval`, the defaults);
  tokens   a linear SVM over winnow's features (`winnow tokens`), each
           hashed to one of 2^20 buckets, present or not, the vector
           scaled to length 1;
  header   a linear SVM over the byte 4-grams of the header block (up to
           the first empty line), hashed and scaled the same way;
  ratio    the ratio view: the header's buckets weighted by their log
           ratio log((1 + s_b) / S) - log((1 + h_b) / H) on the training
           folds (NBSVM, Wang and Manning 2012), scaled to length 1;

and scores the fold with each, with tokens + header (the sum of the two
margins), with that sum + A * logit(fisher), and with that + R * ratio
(the linear stage; --ratio R, 0.5). The header's 4-grams here are of the
whole header block, as feature set 3 had them (later sets leave out a
list's fields and add the alignment flags: bayes_cv.py measures those in
C). The SVMs are liblinear's
L2-loss dual solver with its own stopping tolerance (0.1) and C = 30, the
method and settings of winnow's own solver (lib/svm_dcd.c). Prints per
model the mean 1-ROCA% of the folds, the pooled FN at the cut that keeps
FP at 0.1%, and the seconds one fit of the three SVMs took. --scores DIR writes each
model's pooled scores (metrics.py's format) for roca_ci.py.

Usage:
  linear_cv.py [--folds 4,8] [--list TRAIN] [--data DIR] [--winnow BIN]
               [--C 30] [--fuse 0.02] [--ratio 0.5] [--scores DIR]

Needs Debian's python3-sklearn (scikit-learn wraps liblinear);
when the first python3 on PATH lacks it, the script runs itself again
under /usr/bin/python3.
"""

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.preprocessing import normalize
    from sklearn.svm import LinearSVC
except ImportError:
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    sys.exit("linear_cv.py: needs python3-sklearn (apt-get install python3-sklearn)")

import bayes_cv  # noqa: E402
import metrics  # noqa: E402

BUCKETS = 1 << 20


def read_list(path):
    rows = []
    for line in open(path):
        line = line.rstrip("\n")
        if line:
            label, p = line.split("\t")
            rows.append((label == "spam", p))
    return rows


def token_matrix(winnow, data, paths):
    """Rows of winnow's features per message, bucketed, binary, length 1."""
    r = subprocess.run([winnow, "tokens"] + paths, cwd=data,
                       stdout=subprocess.PIPE, check=True)
    feats, cur = {}, None
    for line in r.stdout.split(b"\n"):
        if line.startswith(b"# "):
            # "# PATH" or "# PATH #N" for a message read as a one-message mbox
            name = line[2:].decode("utf-8", "replace")
            cur = feats.setdefault(name.rsplit(" #", 1)[0], set())
        elif line and cur is not None:
            cur.add(int(line.split(b"\t", 2)[1], 16) % BUCKETS)
    rows, cols = [], []
    for i, p in enumerate(paths):
        for b in feats[p]:
            rows.append(i)
            cols.append(b)
    m = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                          shape=(len(paths), BUCKETS))
    return normalize(m)


def header_block(raw):
    if raw.startswith(b"From "):
        raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
    raw = raw.replace(b"\r\n", b"\n")
    end = raw.find(b"\n\n")
    return raw if end < 0 else raw[:end]


def header_matrix(data, paths):
    hv = HashingVectorizer(analyzer="char", ngram_range=(4, 4),
                           n_features=BUCKETS, binary=True, norm="l2",
                           alternate_sign=False, lowercase=False)
    texts = [header_block(open(os.path.join(data, p), "rb").read())
             .decode("latin-1") for p in paths]
    return hv.transform(texts)


def fisher_scores(winnow, data, lines, fold, k, tmp):
    tr, te, sc = (os.path.join(tmp, n) for n in ("train", "test", "scores"))
    with open(tr, "w") as f:
        f.writelines(l + "\n" for l in lines if bayes_cv.fold_of(l.split("\t")[1], k) != fold)
    with open(te, "w") as f:
        f.writelines(l + "\n" for l in lines if bayes_cv.fold_of(l.split("\t")[1], k) == fold)
    subprocess.run([winnow, "eval", "--no-linear", "--train", tr, "--test", te, "--data", data,
                    "--scores", sc], stdout=subprocess.DEVNULL, check=True)
    return [s for _, s, _ in metrics.read_scores(sc)]


def ratio_rows(hdr, labels, train):
    """The header's rows weighted by each bucket's log ratio on train."""
    b = (hdr > 0).astype(np.float64)
    s = 1 + np.asarray(b[train & labels].sum(0)).ravel()
    h = 1 + np.asarray(b[train & ~labels].sum(0)).ravel()
    r = np.log(s / s.sum()) - np.log(h / h.sum())
    return normalize(b.multiply(r).tocsr())


def logit(p):
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", default="4,8")
    ap.add_argument("--list", default=None)
    ap.add_argument("--data", default=os.path.join(HERE, ".corpus/package/data"))
    ap.add_argument("--winnow", default=os.environ.get(
        "WINNOW", os.path.join(HERE, "../build-bench/winnow")))
    ap.add_argument("--C", type=float, default=30.0)
    ap.add_argument("--fuse", type=float, default=0.02)
    ap.add_argument("--ratio", type=float, default=0.5)
    ap.add_argument("--scores", default=None)
    a = ap.parse_args()

    lines = [l.rstrip("\n") for l in open(a.list or bayes_cv.default_list()) if l.strip()]
    labels = np.array([l.split("\t")[0] == "spam" for l in lines])
    paths = [l.split("\t")[1] for l in lines]
    tok = token_matrix(a.winnow, a.data, paths)
    hdr = header_matrix(a.data, paths)
    names = ("fisher", "tokens", "header", "ratio", "tokens+header",
             f"tokens+header+{a.fuse:g}*logit(fisher)",
             f"tokens+header+{a.fuse:g}*logit(fisher)+{a.ratio:g}*ratio")
    for k in (int(x) for x in a.folds.split(",")):
        fold = np.array([bayes_cv.fold_of(p, k) for p in paths])
        pooled = {n: np.zeros(len(paths)) for n in names}
        fit_s = []
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(k):
                tr, te = fold != i, fold == i
                pooled["fisher"][te] = fisher_scores(a.winnow, a.data, lines, i, k, tmp)
                t0 = time.monotonic()
                m_tok = LinearSVC(C=a.C, tol=0.1, max_iter=10000).fit(tok[tr], labels[tr])
                m_hdr = LinearSVC(C=a.C, tol=0.1, max_iter=10000).fit(hdr[tr], labels[tr])
                rat = ratio_rows(hdr, labels, tr)
                m_rat = LinearSVC(C=a.C, tol=0.1, max_iter=10000).fit(rat[tr], labels[tr])
                fit_s.append(time.monotonic() - t0)
                pooled["tokens"][te] = m_tok.decision_function(tok[te])
                pooled["header"][te] = m_hdr.decision_function(hdr[te])
                pooled["ratio"][te] = m_rat.decision_function(rat[te])
        both = pooled["tokens"] + pooled["header"]
        pooled["tokens+header"] = both
        pooled[names[5]] = both + a.fuse * np.array([logit(p) for p in pooled["fisher"]])
        pooled[names[6]] = pooled[names[5]] + a.ratio * pooled["ratio"]
        print(f"{k} folds (fit of the three SVMs: {sum(fit_s) / k:.2f} s a fold)")
        for n in names:
            s = pooled[n]
            rocas = [100 * (1 - metrics.auc_by_rank(
                [(bool(labels[j]), float(s[j]), False) for j in np.where(fold == i)[0]]))
                for i in range(k)]
            pairs = list(zip(labels.tolist(), s.tolist()))
            fn = bayes_cv.fn_at(pairs, int((~labels).sum()))
            print(f"  {n:<46} 1-ROCA% {sum(rocas) / k:.4f}  FN at FP<=0.1% {fn:.2f}%")
            if a.scores:
                os.makedirs(a.scores, exist_ok=True)
                order = np.concatenate([np.where(fold == i)[0] for i in range(k)])
                with open(os.path.join(a.scores, f"cv{k}-{re.sub(r'[^a-z0-9.]+', '_', n)}"), "w") as f:
                    f.writelines(f"{'spam' if labels[j] else 'ham'}\t{s[j]!r}\t0\n" for j in order)


if __name__ == "__main__":
    main()

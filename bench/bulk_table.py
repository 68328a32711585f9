#!/usr/bin/env python3
"""bulk_table.py - the tables of bench/bulk.sh from bulk_replay's output.

Reads WORK/replay.tsv (bulk_replay --fingerprint), WORK/replay.err (its
summary line), WORK/campaigns.tsv (bulk_scenario.py) and prints markdown:

  1. the totals: ham messages and flagged, spam copies and flagged,
     campaigns with at least one flagged copy, messages per second;
  2. copies flagged by copy number 1..N, for all campaigns and split by
     sender mode (same sender / snowshoe);
  3. hits per symbol, ham and spam copies;
  4. every flagged ham message: its symbols and counts, and the earlier
     messages of the replay whose text digest or band keys it shares (the
     likely reason).

It also writes WORK/flagged_ham.tsv and WORK/unflagged_campaigns.tsv (the
campaigns of which no copy was flagged, with copy 1's fingerprint words
and flags).

Usage: bulk_table.py WORK
Pure python3 standard library.
"""

import os
import re
import statistics
import sys

SYMBOLS = ["BULK_LOW", "BULK_MEDIUM", "BULK_HIGH", "BULK_SENDERS", "BULK_ATTACHMENT"]


def pct(n, d):
    return f"{100.0 * n / d:.1f}%" if d else "-"


def read_rows(path):
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            p = line.rstrip("\n").split("\t")
            if len(p) < 14:
                sys.exit(f"bulk_table: {path}: short line: {line[:80]}")
            rows.append({
                "class": p[0], "group": p[1], "copy": int(p[2]),
                "flagged": p[3] == "1", "symbols": [] if p[4] == "-" else p[4].split(","),
                "copies": int(p[5]), "rcpts": int(p[6]), "senders": int(p[7]),
                "exact": p[8] == "1", "att": int(p[9]), "micros": float(p[10]),
                "words": int(p[11]), "fpflags": p[12], "path": p[13],
                "fp": p[14] if len(p) > 14 else "",
            })
    return rows


def fp_keys(fp):
    """(digest, [(band index, key)]) of a wn_fingerprint_hex string."""
    parts = fp.split(":")
    return parts[0], [(i, k) for i, k in enumerate(parts[1:])]


def key_index(rows):
    """Text digest and (band, key) -> indexes of the rows that have them."""
    idx = {}
    for j, r in enumerate(rows):
        if not r["fp"]:
            continue
        d, b = fp_keys(r["fp"])
        idx.setdefault(("d", d), []).append(j)
        for k in b:
            idx.setdefault(k, []).append(j)
    return idx


def explain(rows, index, i, limit=4):
    """Earlier messages sharing the text digest or band keys of rows[i]."""
    digest, bands = fp_keys(rows[i]["fp"])
    same = {j for j in index.get(("d", digest), []) if j < i}
    shared = {}
    for k in bands:
        for j in index.get(k, []):
            if j < i:
                shared[j] = shared.get(j, 0) + 1
    found = sorted(same | set(shared),
                   key=lambda j: (j not in same, -shared.get(j, 0), j))
    out = []
    for j in found[:limit]:
        r = rows[j]
        how = "same text digest" if j in same else f"{shared[j]} of 16 bands"
        out.append(f"{r['class']} {r['path']} ({how})")
    if len(found) > limit:
        out.append(f"{len(found) - limit} more")
    return out


def main(argv):
    if len(argv) != 1:
        sys.exit("usage: bulk_table.py WORK")
    work = argv[0]
    rows = read_rows(os.path.join(work, "replay.tsv"))
    mode = {}
    with open(os.path.join(work, "campaigns.tsv"), encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                p = line.rstrip("\n").split("\t")
                mode[p[0]] = p[1]
    rate = "-"
    with open(os.path.join(work, "replay.err"), encoding="utf-8") as f:
        m = re.search(r"messages/s ([0-9.]+)", f.read())
        if m:
            rate = f"{float(m.group(1)):,.0f}"

    ham = [r for r in rows if r["class"] == "ham"]
    spam = [r for r in rows if r["class"] == "spam"]
    ham_f = [r for r in ham if r["flagged"]]
    spam_f = [r for r in spam if r["flagged"]]
    ncopy = max((r["copy"] for r in spam), default=0)
    camps = sorted({r["group"] for r in spam})
    camp_hit = {r["group"] for r in spam_f}
    reach = [r for r in spam if r["copy"] >= 5]
    micros = sorted(r["micros"] for r in rows)
    p99 = micros[min(len(micros) - 1, int(0.99 * len(micros)))] if micros else 0

    out = []
    out.append("| ham messages | ham flagged | spam copies | copies flagged | "
               "copies 5..N flagged | campaigns with a flagged copy | messages/s |")
    out.append("|---|---|---|---|---|---|---|")
    out.append(f"| {len(ham):,} | {len(ham_f)} ({pct(len(ham_f), len(ham))}) | "
               f"{len(spam):,} | {len(spam_f):,} ({pct(len(spam_f), len(spam))}) | "
               f"{sum(r['flagged'] for r in reach):,} of {len(reach):,} "
               f"({pct(sum(r['flagged'] for r in reach), len(reach))}) | "
               f"{len(camp_hit):,} of {len(camps):,} ({pct(len(camp_hit), len(camps))}) | "
               f"{rate} |")
    out.append("")
    out.append(f"Per message (parse + bulk check + symbols): median "
               f"{statistics.median(micros) if micros else 0:.0f} µs, p99 {p99:.0f} µs.")
    out.append("")
    out.append("| copies flagged, by copy number | " +
               " | ".join(str(k) for k in range(1, ncopy + 1)) + " |")
    out.append("|---|" + "---|" * ncopy)
    for label, sel in (("all campaigns", None), ("same sender", "same"),
                       ("snowshoe", "snowshoe")):
        subset = [r for r in spam if sel is None or mode.get(r["group"]) == sel]
        n = len({r["group"] for r in subset})
        by = [0] * (ncopy + 1)
        for r in subset:
            if r["flagged"]:
                by[r["copy"]] += 1
        out.append(f"| {label} ({n:,}) | " +
                   " | ".join(str(by[k]) for k in range(1, ncopy + 1)) + " |")
    out.append("")
    out.append("| symbol | ham hits | spam-copy hits |")
    out.append("|---|---|---|")
    for s in SYMBOLS:
        h = sum(s in r["symbols"] for r in ham)
        c = sum(s in r["symbols"] for r in spam)
        out.append(f"| {s} | {h} ({pct(h, len(ham))}) | {c:,} ({pct(c, len(spam))}) |")

    # Campaigns never flagged: what their fingerprints were.
    first = {}
    for r in spam:
        if r["copy"] == 1:
            first[r["group"]] = r
    maxr = {}
    for r in spam:
        maxr[r["group"]] = max(maxr.get(r["group"], 0), r["rcpts"])
    never = [g for g in camps if g not in camp_hit]
    with open(os.path.join(work, "unflagged_campaigns.tsv"), "w", encoding="utf-8") as f:
        f.write("#group\tsenders\tmax_text_recipients\twords\tfp_flags\tcopy1\n")
        for g in never:
            r = first.get(g)
            f.write(f"{g}\t{mode.get(g, '?')}\t{maxr[g]}\t{r['words'] if r else '-'}\t"
                    f"{r['fpflags'] if r else '-'}\t{r['path'] if r else '-'}\n")
    short = sum(1 for g in never if g in first and "short" in first[g]["fpflags"])
    out.append("")
    out.append(f"Campaigns with no copy flagged: {len(never)} ({short} of them with a "
               f"short fingerprint, fewer than 8 words: digest only); "
               f"listed in unflagged_campaigns.tsv.")

    out.append("")
    out.append(f"Flagged ham ({len(ham_f)}):")
    out.append("")
    pos = {id(r): i for i, r in enumerate(rows)}
    keys = key_index(rows) if ham_f else {}
    with open(os.path.join(work, "flagged_ham.tsv"), "w", encoding="utf-8") as f:
        f.write("#path\tsymbols\tcopies\trecipients\tsenders\ttext_exact\t"
                "att_recipients\twords\tfp_flags\tearlier_matches\n")
        for r in ham_f:
            why = explain(rows, keys, pos[id(r)]) if r["fp"] else []
            f.write(f"{r['path']}\t{','.join(r['symbols'])}\t{r['copies']}\t{r['rcpts']}\t"
                    f"{r['senders']}\t{int(r['exact'])}\t{r['att']}\t{r['words']}\t"
                    f"{r['fpflags']}\t{'; '.join(why)}\n")
            out.append(f"- {r['path']}: {','.join(r['symbols'])} (text copies "
                       f"{r['copies']}, recipients {r['rcpts']}, senders {r['senders']}"
                       f"{', exact' if r['exact'] else ''}; attachment recipients "
                       f"{r['att']}; {r['words']} words"
                       f"{', ' + r['fpflags'] if r['fpflags'] != '-' else ''})")
            for w in why:
                out.append(f"  - like {w}")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

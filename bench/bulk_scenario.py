#!/usr/bin/env python3
"""bulk_scenario.py - the bulk-detection scenario: ham once, spam as campaigns.

From the SpamAssassin corpus folder DATA it makes, under OUT:

  copies/FOLDER/NAME/K.eml   copy K (1..N) of every spam message (folders
                             spam-*), made by bulk_mutate.py with the seed
                             "SEED:FOLDER/NAME" and the copy's time as Date
  list.tsv                   the replay list for bulk_replay, in time order:
                             TIME SENDER RCPTS CLASS GROUP PATH
  campaigns.tsv              GROUP, sender mode (same|snowshoe), the
                             original's envelope sender, the original's
                             path, copies edited through MIME / as raw bytes

Every ham message (folders easy-ham-*, hard-ham-*) is sent once, from its
own envelope sender (mbox "From " line, else Return-Path, else From:).
Every spam message is a campaign of N copies, one recipient each; in half
of the campaigns (drawn with the seed) every copy comes from the original's
envelope sender, in the other half (snowshoe) each copy from a different
generated sender. All times are drawn uniformly over HOURS hours from
START; a campaign's copies are numbered in time order, so copy 1 is the
first the filter sees. Ties are broken by copy number, then at random.

Usage:
  bulk_scenario.py --data DATA --out OUT [--seed S] [--copies N]
                   [--hours H] [--start UNIXTIME] [--jobs J]
Deterministic for a given seed (the number of jobs does not matter).
Pure python3 standard library.
"""

import email.utils
import multiprocessing
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bulk_mutate  # noqa: E402

HAM_RE = re.compile(r"^(easy-ham-|hard-ham-)")
SPAM_RE = re.compile(r"^spam-")
WORDS = ["news", "offers", "info", "deals", "mailer", "promo", "sales",
         "update", "club", "notice", "reply", "service"]


def envelope_sender(path):
    """The original envelope sender: mbox line, Return-Path or From:."""
    with open(path, "rb") as f:
        head = f.read(65536)
    text = head.split(b"\n\n", 1)[0].decode("latin-1")
    if text.startswith("From "):
        parts = text.split("\n", 1)[0].split()
        if len(parts) > 1 and "@" in parts[1]:
            return parts[1].strip("<>")
    for name in ("Return-Path", "From"):
        m = re.search(r"^" + name + r"[ \t]*:(.*(\n[ \t].*)*)", text, re.I | re.M)
        if m:
            addr = email.utils.parseaddr(m.group(1).replace("\n", " "))[1]
            if addr and "\t" not in addr:
                return addr
    return ""


def snowshoe_sender(rng):
    return "%s%d@%s%d.example" % (rng.choice(WORDS), rng.randint(1, 9999),
                                  rng.choice(["mx", "bulk", "mail", "send"]),
                                  rng.randint(1, 999))


def make_campaign(job):
    """Write the copies of one campaign; return (group, modes, error)."""
    group, src, out_dir, seed, times, senders = job
    try:
        with open(src, "rb") as f:
            data = f.read()
        os.makedirs(out_dir, exist_ok=True)
        modes = {"mime": 0, "raw": 0}
        for k, (t, s) in enumerate(zip(times, senders), 1):
            out, mode = bulk_mutate.mutate(data, k, f"{seed}:{group}", t, s or None)
            modes[mode] += 1
            with open(os.path.join(out_dir, f"{k:02d}.eml"), "wb") as f:
                f.write(out)
        return group, modes, None
    except Exception as e:  # noqa: BLE001 - reported, the run fails
        return group, None, f"{type(e).__name__}: {e}"


def main(argv):
    opts = {"--data": None, "--out": None, "--seed": "1", "--copies": "20",
            "--hours": "12", "--start": "1030000000",
            "--jobs": str(os.cpu_count() or 1)}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(__doc__)
            return 0
        if a not in opts or i + 1 >= len(argv):
            sys.exit(f"bulk_scenario: bad argument {a} (try --help)")
        opts[a] = argv[i + 1]
        i += 2
    if not opts["--data"] or not opts["--out"]:
        sys.exit("bulk_scenario: --data and --out are needed")
    try:
        copies = int(opts["--copies"])
        hours = float(opts["--hours"])
        start = int(opts["--start"])
        jobs = int(opts["--jobs"])
    except ValueError as e:
        sys.exit(f"bulk_scenario: {e}")
    if copies < 1 or hours <= 0 or jobs < 1:
        sys.exit("bulk_scenario: --copies, --hours and --jobs must be positive")
    data, out, seed = opts["--data"], os.path.abspath(opts["--out"]), opts["--seed"]
    span = int(hours * 3600)
    rng = random.Random(f"winnow-bulk-scenario:{seed}")

    folders = sorted(d for d in os.listdir(data) if os.path.isdir(os.path.join(data, d)))
    ham, spam = [], []
    for d in folders:
        names = sorted(n for n in os.listdir(os.path.join(data, d)) if n.endswith(".txt"))
        if HAM_RE.match(d):
            ham += [(d, n) for n in names]
        elif SPAM_RE.match(d):
            spam += [(d, n) for n in names]
    if not ham or not spam:
        sys.exit(f"bulk_scenario: no ham or no spam in {data}")

    lines = []  # (time, copy, tiebreak, sender, rcpts, class, group, path)
    for d, n in ham:
        path = os.path.abspath(os.path.join(data, d, n))
        lines.append((start + rng.randrange(span), 1, rng.random(),
                      envelope_sender(path), 1, "ham", f"{d}/{n[:-4]}", path))

    snowshoe = set(rng.sample(range(len(spam)), len(spam) // 2))
    jobs_list, camp_rows = [], {}
    for ci, (d, n) in enumerate(spam):
        group = f"{d}/{n[:-4]}"
        src = os.path.abspath(os.path.join(data, d, n))
        orig = envelope_sender(src)
        times = sorted(start + rng.randrange(span) for _ in range(copies))
        if ci in snowshoe:
            senders = [snowshoe_sender(rng) for _ in range(copies)]
        else:
            senders = [orig] * copies
        out_dir = os.path.join(out, "copies", d, n[:-4])
        for k, (t, s) in enumerate(zip(times, senders), 1):
            lines.append((t, k, rng.random(), s, 1, "spam", group,
                          os.path.join(out_dir, f"{k:02d}.eml")))
        jobs_list.append((group, src, out_dir, seed, times, senders))
        camp_rows[group] = ["snowshoe" if ci in snowshoe else "same", orig or "<>", src]

    failed = 0
    modes = {}
    with multiprocessing.Pool(jobs) as pool:
        for group, m, err in pool.imap_unordered(make_campaign, jobs_list, chunksize=8):
            if err:
                failed += 1
                print(f"bulk_scenario: {group}: {err}", file=sys.stderr)
            else:
                modes[group] = m
    if failed:
        sys.exit(f"bulk_scenario: {failed} campaigns failed")

    lines.sort(key=lambda x: (x[0], x[1], x[2]))
    with open(os.path.join(out, "list.tsv"), "w", encoding="utf-8") as f:
        for t, _, _, s, r, cls, group, path in lines:
            f.write(f"{t}\t{s}\t{r}\t{cls}\t{group}\t{path}\n")
    raw = 0
    with open(os.path.join(out, "campaigns.tsv"), "w", encoding="utf-8") as f:
        f.write("#group\tsenders\tenvelope_sender\tpath\tmime\traw\n")
        for group in sorted(camp_rows):
            mode, orig, src = camp_rows[group]
            m = modes[group]
            raw += m["raw"]
            f.write(f"{group}\t{mode}\t{orig}\t{src}\t{m['mime']}\t{m['raw']}\n")
    print(f"bulk_scenario: {len(ham)} ham, {len(spam)} campaigns "
          f"({len(spam) - len(snowshoe)} same sender, {len(snowshoe)} snowshoe) "
          f"x {copies} copies = {len(spam) * copies}, {raw} copies edited as raw "
          f"bytes; {len(lines)} lines over {hours:g} h", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

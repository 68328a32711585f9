#!/usr/bin/env python3
"""bulk_mutate.py - one per-recipient copy of a message, as bulk senders vary them.

Copy K of a campaign differs from the original the way a bulk sender's
copies differ from each other:

  - headers: a new To: (a generated recipient name and address), a new
    Message-ID and Date (--time, else the original Date plus a few seconds
    per copy), and with --sender a Return-Path; the mbox "From " line is
    dropped (an MTA hands over no such line);
  - in the decoded text of the text/plain and text/html parts (not
    attachments, not inside an attached message/rfc822):
      the recipient's name in the greeting ("Dear Maria Lopez,",
      "Hi Maria," ...): a short greeting line at the top is replaced,
      otherwise one is inserted;
      a per-recipient tracking id in the query of every http(s) URL
      (?uid=... or &uid=...);
      a random reference line at the end ("Ref: 7KQ2-ZX91-4LMP");
      when K is odd, a random hex token line after it.
    The greeting style and the reference label are the campaign's (from
    the seed alone); names, ids and tokens are the copy's (seed and K).

Parts are decoded with the email package (policy compat32), edited as text
in their own charset and re-encoded in their own transfer encoding. A part
whose charset Python does not know is edited byte for byte (read as
Latin-1). When no text part can be edited (the MIME does not parse, e.g. a
multipart without its boundary) or the email package fails, the message is
edited as raw bytes: headers by line, the body as Latin-1 text
(quoted-printable decoded and re-encoded, base64 bodies left alone).

Deterministic: the same message, K and seed give the same bytes.

Usage:
  bulk_mutate.py [--seed S] [--time T] [--sender ADDR] MESSAGE K [OUT]
      write copy K (1-based) of MESSAGE to OUT (default: standard output)
  bulk_mutate.py --check [--seed S] PATH...
      make copies 1 and 2 of every file under PATH in memory and report
      how each was edited (mime, raw) and any failure; exit 1 on a failure
Pure python3 standard library.
"""

import base64
import codecs
import email
import email.policy
import email.utils
import os
import quopri
import random
import re
import sys

FIRST = [
    "Maria", "James", "Anna", "Robert", "Linda", "Michael", "Sarah",
    "David", "Laura", "Thomas", "Emma", "Daniel", "Olivia", "Peter",
    "Sofia", "Paul", "Julia", "Mark", "Helen", "Kevin", "Nina", "Brian",
    "Clara", "Steven", "Irene", "George", "Alice", "Frank", "Rosa",
    "Victor", "Hannah", "Oscar", "Lucy", "Martin", "Eva", "Samuel",
]
LAST = [
    "Lopez", "Smith", "Miller", "Johnson", "Brown", "Garcia", "Wilson",
    "Taylor", "Anderson", "Martin", "Lee", "Walker", "Young", "King",
    "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill",
    "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans",
    "Turner", "Torres", "Parker", "Collins", "Edwards", "Stewart",
    "Morris", "Murphy", "Cook",
]
DOMAINS = [
    "example.com", "example.net", "example.org", "mail.example",
    "inbox.example", "post.example", "webmail.example", "home.example",
]
GREETINGS = [
    "Dear {first} {last},", "Dear {first},", "Hi {first},",
    "Hello {first} {last},", "{first},", "Dear Mr./Ms. {last},",
]
REF_LABELS = ["Ref:", "Reference:", "Your code:", "Customer ID:", "Ticket"]
ALNUM_UP = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

POLICY = email.policy.compat32.clone(max_line_length=0)
GREETING_RE = re.compile(
    r"^\s*(dear|hi|hello|hey|greetings|good\s+(morning|afternoon|evening))"
    r"\b.{0,60}$", re.I)
HTML_GREETING_RE = re.compile(
    r"\b(dear|hi|hello|hey|greetings)\s+[A-Za-z][^<>\n,:!]{0,40}[,:!]", re.I)
URL_RE = re.compile(r"""https?://[^\s<>"'()\[\]{}\\]+""", re.I)
URL_TRAIL = ".,;:!?*"
TEXT_CTES = ("", "7bit", "8bit", "binary", "quoted-printable", "base64")


class Copy:
    """What copy k of a campaign gets: names, ids, tokens, lines."""

    def __init__(self, k, seed, when=None, orig_date=None):
        camp = random.Random(f"winnow-bulk:{seed}:campaign")
        rng = random.Random(f"winnow-bulk:{seed}:{k}")
        self.k = k
        first, last = rng.choice(FIRST), rng.choice(LAST)
        self.greeting = camp.choice(GREETINGS).format(first=first, last=last)
        local = rng.choice([
            f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randint(1, 99)}",
            f"{first}_{last}{rng.randint(1, 9)}"]).lower()
        self.to = f"{first} {last} <{local}@{rng.choice(DOMAINS)}>"
        self.uid = "".join(rng.choice(ALNUM) for _ in range(rng.randint(10, 16)))
        groups = camp.randint(3, 4)
        self.ref = camp.choice(REF_LABELS) + " " + "-".join(
            "".join(rng.choice(ALNUM_UP) for _ in range(4)) for _ in range(groups))
        self.token = None
        if k % 2 == 1:
            self.token = "%0*x" % (2 * 12, rng.getrandbits(96))
        if when is None:
            base = orig_date if orig_date is not None else 1030000000
            when = base + 7 * k + rng.randint(0, 5)
        self.when = int(when)
        self.date = email.utils.formatdate(self.when, usegmt=True)
        self.msgid = "<%x.%s@%s>" % (
            self.when, "".join(rng.choice(ALNUM) for _ in range(12)),
            rng.choice(DOMAINS))


def add_uid(url, uid, eq="="):
    """url with the tracking id added to its query, before any fragment."""
    cut = len(url)
    while cut > 0 and url[cut - 1] in URL_TRAIL:
        cut -= 1
    url, trail = url[:cut], url[cut:]
    frag = ""
    if "#" in url:
        url, frag = url.split("#", 1)
        frag = "#" + frag
    if "?" not in url:
        sep = "?"
    elif url.endswith(("?", "&")):
        sep = ""
    else:
        sep = "&"
    return f"{url}{sep}uid{eq}{uid}{frag}{trail}"


def edit_urls(text, c, eq="="):
    return URL_RE.sub(lambda m: add_uid(m.group(0), c.uid, eq), text)


def edit_plain(text, c, first):
    """Plain text: URLs always; greeting, reference and token in the
    first plain part only."""
    text = edit_urls(text, c)
    if not first:
        return text
    nl = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(nl)
    i = 0
    while i < len(lines) and i < 5 and not lines[i].strip():
        i += 1
    if i < len(lines) and GREETING_RE.match(lines[i]):
        lines[i] = c.greeting
    else:
        lines[0:0] = [c.greeting, ""]
    text = nl.join(lines)
    if not text.endswith(nl):
        text += nl
    text += nl + c.ref + nl
    if c.token:
        text += c.token + nl
    return text


def edit_html(text, c, first):
    """HTML: URLs always; greeting, reference and token in the first HTML
    part only."""
    text = edit_urls(text, c)
    if not first:
        return text
    body = re.search(r"<body\b[^>]*>", text, re.I)
    start = body.end() if body else 0
    if not body:
        top = re.search(r"</head\s*>|<html\b[^>]*>", text, re.I)
        if top:
            start = top.end()
    g = HTML_GREETING_RE.search(text, start, start + 3000)
    if g:
        text = text[:g.start()] + c.greeting + text[g.end():]
    else:
        text = text[:start] + "\n<p>" + c.greeting + "</p>\n" + text[start:]
    tail = "<p>" + c.ref + "</p>\n"
    if c.token:
        tail += "<p>" + c.token + "</p>\n"
    low = text.lower()
    end = low.rfind("</body")
    if end < 0:
        end = low.rfind("</html")
    if end < 0:
        if not text.endswith("\n"):
            text += "\n"
        end = len(text)
    return text[:end] + tail + text[end:]


def text_parts(part, out):
    """Leaf text/plain and text/html parts, depth first, skipping
    attachments and attached messages."""
    if part.is_multipart():
        if part.get_content_maintype() == "message":
            return
        for sub in part.get_payload():
            text_parts(sub, out)
        return
    if part.get_content_type() not in ("text/plain", "text/html"):
        return
    disp = (part.get("Content-Disposition") or "").strip().lower()
    if disp.startswith("attachment") or part.get_filename():
        return
    out.append(part)


def codec_of(part):
    cs = part.get_content_charset() or "us-ascii"
    try:
        name = codecs.lookup(cs).name
    except (LookupError, ValueError):
        return "latin-1"
    return name


def edit_part(part, c, first):
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte not in TEXT_CTES:
        return False
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return False
    html = part.get_content_subtype() == "html"
    edit = edit_html if html else edit_plain
    new = None
    cs = codec_of(part)
    try:
        new = edit(data.decode(cs, "surrogateescape"), c, first).encode(
            cs, "surrogateescape")
    except (UnicodeError, LookupError, ValueError, TypeError):
        new = None
    if new is None:
        # Byte for byte: Latin-1 maps every byte to one code point.
        new = edit(data.decode("latin-1"), c, first).encode("latin-1")
    if cte == "base64":
        payload = base64.encodebytes(new).decode("ascii")
    elif cte == "quoted-printable":
        payload = quopri.encodestring(new).decode("ascii")
    else:
        payload = new.decode("ascii", "surrogateescape")
    part.set_payload(payload)
    return True


def set_header(msg, name, value):
    if name in msg:
        msg.replace_header(name, value)
    else:
        msg[name] = value


def original_date(msg):
    try:
        d = email.utils.parsedate_to_datetime(msg.get("Date", ""))
        return int(d.timestamp())
    except (TypeError, ValueError, IndexError, OverflowError, AttributeError):
        return None


def mutate_mime(data, k, seed, when, sender):
    msg = email.message_from_bytes(data, policy=POLICY)
    c = Copy(k, seed, when, original_date(msg))
    parts = []
    text_parts(msg, parts)
    seen = set()
    edited = 0
    for p in parts:
        sub = p.get_content_subtype()
        if edit_part(p, c, sub not in seen):
            seen.add(sub)
            edited += 1
    if not edited:
        return None
    set_header(msg, "To", c.to)
    set_header(msg, "Message-ID", c.msgid)
    set_header(msg, "Date", c.date)
    if sender is not None:
        set_header(msg, "Return-Path", f"<{sender}>")
    msg.set_unixfrom(None)
    return msg.as_bytes(unixfrom=False, policy=POLICY)


def raw_header_field(name):
    return re.compile(rb"^" + re.escape(name) + rb"[ \t]*:.*(\r?\n[ \t].*)*(\r?\n|$)",
                      re.I | re.M)


def mutate_raw(data, k, seed, when, sender):
    """The fallback: headers as lines, the body as Latin-1 text."""
    if data.startswith(b"From "):
        nl = data.find(b"\n")
        data = data[nl + 1:] if nl >= 0 else b""
    m = re.search(rb"\r?\n\r?\n", data)
    if m:
        head, sep, body = data[:m.start()], m.group(0), data[m.end():]
    else:
        head, sep, body = data, b"\n\n", b""
    nl = b"\r\n" if sep.startswith(b"\r\n") else b"\n"
    date = None
    dm = raw_header_field(b"Date").search(head)
    if dm:
        try:
            v = dm.group(0).split(b":", 1)[1].decode("latin-1").strip()
            date = int(email.utils.parsedate_to_datetime(v).timestamp())
        except (TypeError, ValueError, IndexError, OverflowError):
            date = None
    c = Copy(k, seed, when, date)
    names = [b"To", b"Message-ID", b"Date"] + ([b"Return-Path"] if sender else [])
    for name in names:
        head = raw_header_field(name).sub(b"", head)
    head = head.rstrip(b"\r\n")
    add = [b"To: " + c.to.encode(), b"Message-ID: " + c.msgid.encode(),
           b"Date: " + c.date.encode()]
    if sender:
        add.insert(0, b"Return-Path: <" + sender.encode("latin-1", "replace") + b">")
    head = head + nl + nl.join(add) if head else nl.join(add)

    cte = raw_header_field(b"Content-Transfer-Encoding").search(head)
    cte = cte.group(0).split(b":", 1)[1].strip().lower() if cte else b""
    if cte == b"base64":
        return head + sep + body
    qp = cte == b"quoted-printable"
    raw = quopri.decodestring(body) if qp else body
    text = raw.decode("latin-1")
    if re.search(r"<(html|body)\b", text, re.I):
        text = edit_html(text, c, True)
    else:
        text = edit_plain(text, c, True)
    new = text.encode("latin-1")
    if qp:
        new = quopri.encodestring(new)
    return head + sep + new


def mutate(data, k, seed, when=None, sender=None):
    """(bytes of copy k, "mime" or "raw") for the message bytes data."""
    try:
        out = mutate_mime(data, k, seed, when, sender)
        if out is not None:
            return out, "mime"
    except Exception:  # noqa: BLE001 - any failure of the email package
        pass
    return mutate_raw(data, k, seed, when, sender), "raw"


def check(paths, seed):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for d, _, names in os.walk(p):
                files += [os.path.join(d, n) for n in sorted(names)]
        else:
            files.append(p)
    modes = {"mime": 0, "raw": 0}
    failed = 0
    for f in sorted(files):
        with open(f, "rb") as fh:
            data = fh.read()
        for k in (1, 2):
            try:
                out, mode = mutate(data, k, seed)
                if mutate(data, k, seed)[0] != out:
                    raise AssertionError("not deterministic")
                modes[mode] += 1
                if mode == "raw":
                    print(f"raw\t{f}\t{k}")
            except Exception as e:  # noqa: BLE001
                failed += 1
                print(f"FAIL\t{f}\t{k}\t{type(e).__name__}: {e}")
    print(f"files {len(files)}, copies: mime {modes['mime']}, raw {modes['raw']}, "
          f"failed {failed}", file=sys.stderr)
    return 1 if failed else 0


def main(argv):
    seed, when, sender, do_check = "1", None, None, False
    args = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--seed", "--time", "--sender") and i + 1 < len(argv):
            v = argv[i + 1]
            if a == "--seed":
                seed = v
            elif a == "--time":
                try:
                    when = int(v)
                except ValueError:
                    sys.exit(f"bulk_mutate: --time: not a number: {v}")
            else:
                sender = v
            i += 2
        elif a == "--check":
            do_check = True
            i += 1
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        elif a.startswith("--"):
            sys.exit(f"bulk_mutate: unknown option {a} (try --help)")
        else:
            args.append(a)
            i += 1
    if do_check:
        if not args:
            sys.exit("bulk_mutate: --check needs a path")
        return check(args, seed)
    if len(args) not in (2, 3):
        sys.exit("usage: bulk_mutate.py [--seed S] [--time T] [--sender ADDR] "
                 "MESSAGE K [OUT]")
    try:
        k = int(args[1])
    except ValueError:
        k = 0
    if k < 1:
        sys.exit(f"bulk_mutate: K must be a number >= 1, not {args[1]}")
    try:
        with open(args[0], "rb") as fh:
            data = fh.read()
    except OSError as e:
        sys.exit(f"bulk_mutate: {args[0]}: {e.strerror}")
    out, _ = mutate(data, k, seed, when, sender)
    if len(args) == 3:
        with open(args[2], "wb") as fh:
            fh.write(out)
    else:
        sys.stdout.buffer.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/bin/sh
# test_rules_pkg.sh - `winnow rules pack|sign|keygen|verify`.
#
# usage: test_rules_pkg.sh WINNOW SOURCE_DIR
#
# rules/core packs, signs and verifies with its maintainer's key and
# packs to the same bytes twice; verify exits 1 with one line naming the
# package and the reason for a package signed by another key, an
# unsigned one, a tampered one, and archives crafted with python3's
# tarfile (a symlink, '..', an executable, a shell script); usage
# errors exit 64.
set -u
winnow=$1
src=$2
tmp=$(mktemp -d /tmp/wn-rules-pkg-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

mkdir "$tmp/keys" "$tmp/other" "$tmp/trusted"
check keygen 0 "$winnow" rules keygen --out "$tmp/keys"
expect_in keygen_prints_id "$tmp/out" "^key id [0-9a-f]\{16\}$"
check keygen_default_name 0 test -f "$tmp/keys/maintainer.key"
check key_private 0 test "$(stat -c %a "$tmp/keys/maintainer.key")" = 600
check keygen_never_overwrites 1 "$winnow" rules keygen --out "$tmp/keys"
expect_in keygen_says_why "$tmp/err" "already there"
check keygen_other 0 "$winnow" rules keygen --out "$tmp/other" --name eve
cp "$tmp/keys/maintainer.pub" "$tmp/trusted/"

check pack 0 "$winnow" rules pack "$src/rules/core" -o "$tmp/core.tar.gz"
expect_in pack_says_what "$tmp/out" "packed core-1.0.0 ([0-9]* files"
check pack_again 0 "$winnow" rules pack "$src/rules/core" -o "$tmp/again.tar.gz"
check pack_deterministic 0 cmp "$tmp/core.tar.gz" "$tmp/again.tar.gz"
check tar_reads_it 0 tar tzf "$tmp/core.tar.gz" core-1.0.0/CHECKSUMS

check verify_unsigned 1 "$winnow" rules verify "$tmp/core.tar.gz" \
    --trusted "$tmp/trusted"
expect_in unsigned_says_why "$tmp/err" "core.tar.gz: package is not signed"

cp "$tmp/core.tar.gz" "$tmp/eve.tar.gz"
check sign 0 "$winnow" rules sign "$tmp/core.tar.gz" \
    --key "$tmp/keys/maintainer.key"
check verify 0 "$winnow" rules verify "$tmp/core.tar.gz" \
    --trusted "$tmp/trusted"
expect_in verify_says_it_holds "$tmp/out" \
    "^core 1.0.0: signature by [0-9a-f]\{16\} holds ([0-9]* files)$"

check sign_other 0 "$winnow" rules sign "$tmp/eve.tar.gz" \
    --key "$tmp/other/eve.key"
check verify_untrusted 1 "$winnow" rules verify "$tmp/eve.tar.gz" \
    --trusted "$tmp/trusted"
expect_in untrusted_says_why "$tmp/err" "eve.tar.gz: signed by key .* not trusted"
check sign_with_public_key 1 "$winnow" rules sign "$tmp/eve.tar.gz" \
    --key "$tmp/keys/maintainer.pub"
expect_in sign_names_key "$tmp/err" "maintainer.pub: not a winnow secret key"

# craft PACKAGE SIGNED [KIND] - rebuild SIGNED with python3's tarfile:
# tamper flips a byte of a .cf, the others add one bad member
craft() {
	python3 - "$@" <<'PY'
import io, sys, tarfile
out, src = sys.argv[1], sys.argv[2]
kind = sys.argv[3]
with tarfile.open(src, "r:gz") as t, tarfile.open(out, "w:gz") as o:
    for m in t.getmembers():
        data = t.extractfile(m).read() if m.isfile() else None
        if kind == "tamper" and m.name.endswith("20_body.cf"):
            data = bytes([data[0] ^ 1]) + data[1:]
        o.addfile(m, io.BytesIO(data) if data is not None else None)
    def add(name, body=b"x\n", mode=0o644, **kw):
        i = tarfile.TarInfo(name)
        i.size, i.mode = len(body), mode
        for k, v in kw.items():
            setattr(i, k, v)
        o.addfile(i, io.BytesIO(body) if i.isfile() else None)
    if kind == "symlink":
        add("core-1.0.0/evil.cf", b"", type=tarfile.SYMTYPE,
            linkname="/etc/passwd")
    elif kind == "dotdot":
        add("core-1.0.0/../evil.cf")
    elif kind == "exec":
        add("core-1.0.0/evil.cf", mode=0o755)
    elif kind == "script":
        add("core-1.0.0/install.sh", b"#!/bin/sh\n")
PY
}
bad() {
	# bad KIND REASON
	craft "$tmp/$1.tar.gz" "$tmp/core.tar.gz" "$1"
	check "verify_$1" 1 "$winnow" rules verify "$tmp/$1.tar.gz" \
	    --trusted "$tmp/trusted"
	expect_in "${1}_says_why" "$tmp/err" \
	    "^winnow rules verify: $tmp/$1.tar.gz: .*$2"
	check "${1}_one_line" 0 test "$(wc -l <"$tmp/err")" -eq 1
}
bad tamper "checksum mismatch for 'core-1.0.0/20_body.cf'"
bad symlink "is a symbolic link"
bad dotdot "has a '..' component"
bad exec "is executable"
bad script "install.sh' is not rule data"

head -c 1000 "$tmp/core.tar.gz" >"$tmp/short.tar.gz"
check verify_truncated 1 "$winnow" rules verify "$tmp/short.tar.gz" \
    --trusted "$tmp/trusted"
check verify_missing 1 "$winnow" rules verify "$tmp/nothing.tar.gz" \
    --trusted "$tmp/trusted"
expect_in missing_names_file "$tmp/err" "nothing.tar.gz: No such file"

check pack_needs_out 64 "$winnow" rules pack "$src/rules/core"
check verify_needs_trusted 64 "$winnow" rules verify "$tmp/core.tar.gz"
check sign_needs_key 64 "$winnow" rules sign "$tmp/core.tar.gz"
check unknown_sub 64 "$winnow" rules frobnicate
check help_lists_verify 0 "$winnow" rules --help
expect_in help_has_verify "$tmp/out" "rules verify FILE --trusted DIR"

echo "rules_pkg: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

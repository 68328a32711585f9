# lists.sh - shared by the peer drivers (sourced, not run).
#
# split_runs LIST DATA OUTDIR: one file of absolute paths per run of equal
# labels, named OUTDIR/NNN.ham or OUTDIR/NNN.spam, in list order, so each
# filter learns the training list in the same order.
split_runs() {
	rm -rf "$3" && mkdir -p "$3"
	awk -F'\t' -v d="$2" -v o="$3" '
		NF == 0 { next }
		$1 != "ham" && $1 != "spam" { printf "line %d: bad label\n", NR > "/dev/stderr"; exit 1 }
		$1 != prev { if (f != "") close(f); n++; prev = $1; f = sprintf("%s/%03d.%s", o, n, $1) }
		{ print d "/" $2 > f }' "$1"
}

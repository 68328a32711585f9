/*
 * cli_opts.c - numeric option values, parsed with bounds.
 */
#include <errno.h>
#include <stdlib.h>

#include "cli.h"

int
wn_cli_size_arg(const char *cmd, const char *opt, const char *val,
    unsigned long long min, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (val == NULL || *val == '\0' || *val == '-')
		goto bad;
	v = strtoull(val, &end, 10);
	if (errno != 0 || end == val)
		goto bad;
	switch (*end) {
	case 'k': case 'K':
		v = v > max / 1024 ? max + 1 : v * 1024;
		end++;
		break;
	case 'm': case 'M':
		v = v > max / (1024 * 1024) ? max + 1 : v * 1024 * 1024;
		end++;
		break;
	default:
		break;
	}
	if (*end != '\0')
		goto bad;
	if (v < min || v > max) {
		fprintf(stderr, "winnow %s: %s: %s is out of range %llu..%llu\n",
		    cmd, opt, val, min, max);
		return WN_EXIT_USAGE;
	}
	*out = v;
	return 0;
bad:
	fprintf(stderr, "winnow %s: %s: '%s' is not a number\n", cmd, opt,
	    val ? val : "");
	return WN_EXIT_USAGE;
}

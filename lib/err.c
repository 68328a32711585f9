/* err.c - text of the WN_E* error codes. */
#include <winnow/err.h>

const char *
wn_strerror(int err)
{
	switch (err) {
	case WN_OK:
		return "success";
	case WN_ENOMEM:
		return "out of memory";
	case WN_EINVAL:
		return "invalid argument";
	case WN_ELIMIT:
		return "limit exceeded";
	case WN_EIO:
		return "input/output error";
	case WN_ETEMP:
		return "temporary failure";
	case WN_ENOENT:
		return "no such file or entry";
	case WN_EFORMAT:
		return "unsupported format";
	default:
		return "unknown error";
	}
}

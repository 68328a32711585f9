/*
 * mime_flags.c - stable names of the parser's anomaly flags and encodings.
 *
 * The names become rule symbols and JSON keys: never rename one, only add.
 */
#include <winnow/mime.h>

static const char *const wn_mime_flag_names[WN_MIME_FLAG_COUNT] = {
	"MIME_SCAN_LIMIT",
	"MIME_HEADER_LIMIT",
	"MIME_DEPTH_LIMIT",
	"MIME_PART_LIMIT",
	"MIME_DECODE_LIMIT",
	"MIME_TEXT_LIMIT",
	"MIME_URL_LIMIT",
	"MIME_BAD_BASE64",
	"MIME_BAD_QP",
	"MIME_8BIT_HEADER",
	"MIME_NUL_BYTE",
	"MIME_BAD_HEADER_LINE",
	"MIME_NO_BODY_SEPARATOR",
	"MIME_NO_BOUNDARY",
	"MIME_MISSING_CLOSE",
	"MIME_BOUNDARY_UNUSED",
	"MIME_BAD_CONTENT_TYPE",
	"MIME_BAD_ENCODING",
	"MIME_BAD_ENCODED_WORD",
	"MIME_UNKNOWN_CHARSET",
	"MIME_BAD_CHARSET",
	"MIME_CHARSET_MISMATCH",
	"MIME_LONG_LINE",
	"MIME_BARE_CR",
	"MIME_NO_MIME_VERSION",
	"MIME_DUP_HEADER",
	"MIME_HTML_ONLY",
	"MIME_HTML_HIDDEN",
	"MIME_HTML_TINY_FONT",
	"MIME_HTML_LOW_CONTRAST",
	"MIME_HTML_LINK_MISMATCH",
	"MIME_HTML_OBFUSCATED",
	"MIME_URL_IP",
	"MIME_URL_OBFUSCATED_IP",
	"MIME_URL_USERINFO",
	"MIME_BAD_ADDRESS",
	"MIME_EMPTY_BODY",
	"MIME_BINARY_TEXT",
	"MIME_EXECUTABLE",
	"MIME_EMPTY_BOUNDARY",
};

const char *
wn_mime_flag_name(uint64_t flag)
{
	unsigned bit;

	if (flag == 0 || (flag & (flag - 1)) != 0)
		return NULL;
	bit = (unsigned)__builtin_ctzll(flag);
	return bit < WN_MIME_FLAG_COUNT ? wn_mime_flag_names[bit] : NULL;
}

const char *
wn_mime_encoding_name(enum wn_mime_encoding e)
{
	switch (e) {
	case WN_MIME_ENC_7BIT:
		return "7bit";
	case WN_MIME_ENC_8BIT:
		return "8bit";
	case WN_MIME_ENC_BINARY:
		return "binary";
	case WN_MIME_ENC_QP:
		return "quoted-printable";
	case WN_MIME_ENC_BASE64:
		return "base64";
	default:
		return "unknown";
	}
}

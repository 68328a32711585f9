/*
 * html_entities.c - named character references and the reference decoder.
 *
 * The table holds the 253 references of HTML 4 (Latin-1, symbols and
 * Greek, special characters) plus &apos;, the upper-case legacy aliases of
 * HTML 5 (&AMP; &COPY; ...) and the HTML 5 names of ASCII punctuation and a
 * few marks common in mail (&commat; &period; &check; ...). It is sorted by
 * byte value of the name for binary search; the unit tests check the order.
 * Legacy entries may be written without the ';'.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "html_int.h"

struct wn_html_entity {
	char name[WN_HTML_KEY];		/* zero-padded */
	uint8_t legacy;
	uint32_t cp;
};

static const struct wn_html_entity wn_html_entities[] = {
	{ "AElig", 1, 198 },
	{ "AMP", 1, 38 },
	{ "Aacute", 1, 193 },
	{ "Acirc", 1, 194 },
	{ "Agrave", 1, 192 },
	{ "Alpha", 0, 913 },
	{ "Aring", 1, 197 },
	{ "Atilde", 1, 195 },
	{ "Auml", 1, 196 },
	{ "Beta", 0, 914 },
	{ "COPY", 1, 169 },
	{ "Ccedil", 1, 199 },
	{ "Chi", 0, 935 },
	{ "Dagger", 0, 8225 },
	{ "Delta", 0, 916 },
	{ "ETH", 1, 208 },
	{ "Eacute", 1, 201 },
	{ "Ecirc", 1, 202 },
	{ "Egrave", 1, 200 },
	{ "Epsilon", 0, 917 },
	{ "Eta", 0, 919 },
	{ "Euml", 1, 203 },
	{ "GT", 1, 62 },
	{ "Gamma", 0, 915 },
	{ "Hat", 0, 94 },
	{ "Iacute", 1, 205 },
	{ "Icirc", 1, 206 },
	{ "Igrave", 1, 204 },
	{ "Iota", 0, 921 },
	{ "Iuml", 1, 207 },
	{ "Kappa", 0, 922 },
	{ "LT", 1, 60 },
	{ "Lambda", 0, 923 },
	{ "Mu", 0, 924 },
	{ "NewLine", 0, 10 },
	{ "NoBreak", 0, 8288 },
	{ "Ntilde", 1, 209 },
	{ "Nu", 0, 925 },
	{ "OElig", 0, 338 },
	{ "Oacute", 1, 211 },
	{ "Ocirc", 1, 212 },
	{ "Ograve", 1, 210 },
	{ "Omega", 0, 937 },
	{ "Omicron", 0, 927 },
	{ "Oslash", 1, 216 },
	{ "Otilde", 1, 213 },
	{ "Ouml", 1, 214 },
	{ "Phi", 0, 934 },
	{ "Pi", 0, 928 },
	{ "Prime", 0, 8243 },
	{ "Psi", 0, 936 },
	{ "QUOT", 1, 34 },
	{ "REG", 1, 174 },
	{ "Rho", 0, 929 },
	{ "Scaron", 0, 352 },
	{ "Sigma", 0, 931 },
	{ "THORN", 1, 222 },
	{ "Tab", 0, 9 },
	{ "Tau", 0, 932 },
	{ "Theta", 0, 920 },
	{ "Uacute", 1, 218 },
	{ "Ucirc", 1, 219 },
	{ "Ugrave", 1, 217 },
	{ "Upsilon", 0, 933 },
	{ "Uuml", 1, 220 },
	{ "Xi", 0, 926 },
	{ "Yacute", 1, 221 },
	{ "Yuml", 0, 376 },
	{ "ZeroWidthSpace", 0, 8203 },
	{ "Zeta", 0, 918 },
	{ "aacute", 1, 225 },
	{ "acirc", 1, 226 },
	{ "acute", 1, 180 },
	{ "aelig", 1, 230 },
	{ "agrave", 1, 224 },
	{ "alefsym", 0, 8501 },
	{ "alpha", 0, 945 },
	{ "amp", 1, 38 },
	{ "and", 0, 8743 },
	{ "ang", 0, 8736 },
	{ "apos", 0, 39 },
	{ "aring", 1, 229 },
	{ "ast", 0, 42 },
	{ "asymp", 0, 8776 },
	{ "atilde", 1, 227 },
	{ "auml", 1, 228 },
	{ "bdquo", 0, 8222 },
	{ "beta", 0, 946 },
	{ "brvbar", 1, 166 },
	{ "bsol", 0, 92 },
	{ "bull", 0, 8226 },
	{ "cap", 0, 8745 },
	{ "ccedil", 1, 231 },
	{ "cedil", 1, 184 },
	{ "cent", 1, 162 },
	{ "check", 0, 10003 },
	{ "chi", 0, 967 },
	{ "circ", 0, 710 },
	{ "clubs", 0, 9827 },
	{ "colon", 0, 58 },
	{ "comma", 0, 44 },
	{ "commat", 0, 64 },
	{ "cong", 0, 8773 },
	{ "copy", 1, 169 },
	{ "crarr", 0, 8629 },
	{ "cross", 0, 10007 },
	{ "cup", 0, 8746 },
	{ "curren", 1, 164 },
	{ "dArr", 0, 8659 },
	{ "dagger", 0, 8224 },
	{ "darr", 0, 8595 },
	{ "dash", 0, 8208 },
	{ "deg", 1, 176 },
	{ "delta", 0, 948 },
	{ "diams", 0, 9830 },
	{ "divide", 1, 247 },
	{ "dollar", 0, 36 },
	{ "eacute", 1, 233 },
	{ "ecirc", 1, 234 },
	{ "egrave", 1, 232 },
	{ "empty", 0, 8709 },
	{ "emsp", 0, 8195 },
	{ "ensp", 0, 8194 },
	{ "epsilon", 0, 949 },
	{ "equals", 0, 61 },
	{ "equiv", 0, 8801 },
	{ "eta", 0, 951 },
	{ "eth", 1, 240 },
	{ "euml", 1, 235 },
	{ "euro", 0, 8364 },
	{ "excl", 0, 33 },
	{ "exist", 0, 8707 },
	{ "fnof", 0, 402 },
	{ "forall", 0, 8704 },
	{ "frac12", 1, 189 },
	{ "frac14", 1, 188 },
	{ "frac34", 1, 190 },
	{ "frasl", 0, 8260 },
	{ "gamma", 0, 947 },
	{ "ge", 0, 8805 },
	{ "grave", 0, 96 },
	{ "gt", 1, 62 },
	{ "hArr", 0, 8660 },
	{ "harr", 0, 8596 },
	{ "hearts", 0, 9829 },
	{ "hellip", 0, 8230 },
	{ "hyphen", 0, 8208 },
	{ "iacute", 1, 237 },
	{ "icirc", 1, 238 },
	{ "iexcl", 1, 161 },
	{ "igrave", 1, 236 },
	{ "image", 0, 8465 },
	{ "infin", 0, 8734 },
	{ "int", 0, 8747 },
	{ "iota", 0, 953 },
	{ "iquest", 1, 191 },
	{ "isin", 0, 8712 },
	{ "iuml", 1, 239 },
	{ "kappa", 0, 954 },
	{ "lArr", 0, 8656 },
	{ "lambda", 0, 955 },
	{ "lang", 0, 9001 },
	{ "laquo", 1, 171 },
	{ "larr", 0, 8592 },
	{ "lbrace", 0, 123 },
	{ "lbrack", 0, 91 },
	{ "lceil", 0, 8968 },
	{ "lcub", 0, 123 },
	{ "ldquo", 0, 8220 },
	{ "le", 0, 8804 },
	{ "lfloor", 0, 8970 },
	{ "lowast", 0, 8727 },
	{ "lowbar", 0, 95 },
	{ "loz", 0, 9674 },
	{ "lpar", 0, 40 },
	{ "lrm", 0, 8206 },
	{ "lsaquo", 0, 8249 },
	{ "lsqb", 0, 91 },
	{ "lsquo", 0, 8216 },
	{ "lt", 1, 60 },
	{ "macr", 1, 175 },
	{ "mdash", 0, 8212 },
	{ "micro", 1, 181 },
	{ "middot", 1, 183 },
	{ "minus", 0, 8722 },
	{ "mu", 0, 956 },
	{ "nabla", 0, 8711 },
	{ "nbsp", 1, 160 },
	{ "ndash", 0, 8211 },
	{ "ne", 0, 8800 },
	{ "ni", 0, 8715 },
	{ "not", 1, 172 },
	{ "notin", 0, 8713 },
	{ "nsub", 0, 8836 },
	{ "ntilde", 1, 241 },
	{ "nu", 0, 957 },
	{ "num", 0, 35 },
	{ "oacute", 1, 243 },
	{ "ocirc", 1, 244 },
	{ "oelig", 0, 339 },
	{ "ograve", 1, 242 },
	{ "oline", 0, 8254 },
	{ "omega", 0, 969 },
	{ "omicron", 0, 959 },
	{ "oplus", 0, 8853 },
	{ "or", 0, 8744 },
	{ "ordf", 1, 170 },
	{ "ordm", 1, 186 },
	{ "oslash", 1, 248 },
	{ "otilde", 1, 245 },
	{ "otimes", 0, 8855 },
	{ "ouml", 1, 246 },
	{ "para", 1, 182 },
	{ "part", 0, 8706 },
	{ "percnt", 0, 37 },
	{ "period", 0, 46 },
	{ "permil", 0, 8240 },
	{ "perp", 0, 8869 },
	{ "phi", 0, 966 },
	{ "phone", 0, 9742 },
	{ "pi", 0, 960 },
	{ "piv", 0, 982 },
	{ "plus", 0, 43 },
	{ "plusmn", 1, 177 },
	{ "pound", 1, 163 },
	{ "prime", 0, 8242 },
	{ "prod", 0, 8719 },
	{ "prop", 0, 8733 },
	{ "psi", 0, 968 },
	{ "quest", 0, 63 },
	{ "quot", 1, 34 },
	{ "rArr", 0, 8658 },
	{ "radic", 0, 8730 },
	{ "rang", 0, 9002 },
	{ "raquo", 1, 187 },
	{ "rarr", 0, 8594 },
	{ "rbrace", 0, 125 },
	{ "rbrack", 0, 93 },
	{ "rceil", 0, 8969 },
	{ "rcub", 0, 125 },
	{ "rdquo", 0, 8221 },
	{ "real", 0, 8476 },
	{ "reg", 1, 174 },
	{ "rfloor", 0, 8971 },
	{ "rho", 0, 961 },
	{ "rlm", 0, 8207 },
	{ "rpar", 0, 41 },
	{ "rsaquo", 0, 8250 },
	{ "rsqb", 0, 93 },
	{ "rsquo", 0, 8217 },
	{ "sbquo", 0, 8218 },
	{ "scaron", 0, 353 },
	{ "sdot", 0, 8901 },
	{ "sect", 1, 167 },
	{ "semi", 0, 59 },
	{ "shy", 1, 173 },
	{ "sigma", 0, 963 },
	{ "sigmaf", 0, 962 },
	{ "sim", 0, 8764 },
	{ "sol", 0, 47 },
	{ "spades", 0, 9824 },
	{ "star", 0, 9734 },
	{ "starf", 0, 9733 },
	{ "sub", 0, 8834 },
	{ "sube", 0, 8838 },
	{ "sum", 0, 8721 },
	{ "sup", 0, 8835 },
	{ "sup1", 1, 185 },
	{ "sup2", 1, 178 },
	{ "sup3", 1, 179 },
	{ "supe", 0, 8839 },
	{ "szlig", 1, 223 },
	{ "tau", 0, 964 },
	{ "there4", 0, 8756 },
	{ "theta", 0, 952 },
	{ "thetasym", 0, 977 },
	{ "thinsp", 0, 8201 },
	{ "thorn", 1, 254 },
	{ "tilde", 0, 732 },
	{ "times", 1, 215 },
	{ "trade", 0, 8482 },
	{ "uArr", 0, 8657 },
	{ "uacute", 1, 250 },
	{ "uarr", 0, 8593 },
	{ "ucirc", 1, 251 },
	{ "ugrave", 1, 249 },
	{ "uml", 1, 168 },
	{ "upsih", 0, 978 },
	{ "upsilon", 0, 965 },
	{ "uuml", 1, 252 },
	{ "verbar", 0, 124 },
	{ "vert", 0, 124 },
	{ "weierp", 0, 8472 },
	{ "xi", 0, 958 },
	{ "yacute", 1, 253 },
	{ "yen", 1, 165 },
	{ "yuml", 1, 255 },
	{ "zeta", 0, 950 },
	{ "zwj", 0, 8205 },
	{ "zwnj", 0, 8204 },
};

#define WN_HTML_N_ENTITIES \
	(sizeof(wn_html_entities) / sizeof(wn_html_entities[0]))

/* C1 controls as Windows-1252, the way browsers read &#128;-&#159;. */
static const uint16_t wn_html_cp1252[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178
};

uint32_t
wn__html_entity_lookup(const char *name, size_t len, bool *legacy_out)
{
	char key[WN_HTML_KEY];
	size_t lo = 0, hi = WN_HTML_N_ENTITIES, mid;
	int c;

	if (len == 0 || len >= sizeof(key))
		return 0;
	memset(key, 0, sizeof(key));
	memcpy(key, name, len);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = wn__html_keycmp(wn_html_entities[mid].name, key);
		if (c == 0) {
			if (legacy_out != NULL)
				*legacy_out = wn_html_entities[mid].legacy != 0;
			return wn_html_entities[mid].cp;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

bool
wn__html_entity_at(size_t i, const char **name_out, uint32_t *cp_out)
{
	if (i >= WN_HTML_N_ENTITIES)
		return false;
	*name_out = wn_html_entities[i].name;
	*cp_out = wn_html_entities[i].cp;
	return true;
}

static uint32_t
wn_html_numeric_cp(uint32_t v)
{
	if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0xfffd;
	if (v >= 0x80 && v <= 0x9f)
		return wn_html_cp1252[v - 0x80];
	if ((v < 0x20 && v != '\t' && v != '\n' && v != '\f' && v != '\r') ||
	    v == 0x7f)
		return 0xfffd;
	return v;
}

static inline bool
wn_html_is_alnum(unsigned char c)
{
	return (unsigned char)((c | 0x20) - 'a') < 26 ||
	    (unsigned char)(c - '0') < 10;
}

static inline int
wn_html_digit(unsigned char c, bool hex)
{
	if ((unsigned char)(c - '0') < 10)
		return c - '0';
	c |= 0x20;
	if (hex && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

size_t
wn__html_ref(const char *p, const char *end, bool in_attr, uint32_t *cp_out,
    bool *numeric_out)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t avail = (size_t)(end - p), i, d, nlen, k;
	uint32_t v = 0, cp;
	bool hex = false, legacy = false;
	int dv;

	*numeric_out = false;
	if (avail < 2)
		return 0;
	if (s[1] == '#') {
		i = 2;
		if (i < avail && (s[i] | 0x20) == 'x') {
			hex = true;
			i++;
		}
		/* Any number of digits; the value saturates past U+10FFFF. */
		for (d = i; i < avail && (dv = wn_html_digit(s[i], hex)) >= 0;
		    i++)
			if (v <= 0x10ffff)
				v = v * (hex ? 16 : 10) + (uint32_t)dv;
		if (i == d)
			return 0;
		if (i < avail && s[i] == ';')
			i++;
		*cp_out = wn_html_numeric_cp(v);
		*numeric_out = true;
		return i;
	}
	for (nlen = 0; 1 + nlen < avail && nlen < WN_HTML_ENTITY_NAME_MAX &&
	    wn_html_is_alnum(s[1 + nlen]); nlen++)
		;
	if (nlen == 0)
		return 0;
	if (1 + nlen < avail && s[1 + nlen] == ';' &&
	    (cp = wn__html_entity_lookup(p + 1, nlen, NULL)) != 0) {
		*cp_out = cp;
		return nlen + 2;
	}
	if (in_attr) {
		if ((1 + nlen < avail && (s[1 + nlen] == '=' ||
		    wn_html_is_alnum(s[1 + nlen]))) ||
		    (cp = wn__html_entity_lookup(p + 1, nlen, &legacy)) == 0 ||
		    !legacy)
			return 0;
		*cp_out = cp;
		return nlen + 1;
	}
	/* In text the longest legacy name that prefixes the run wins:
	 * "&notit;" is the not sign and "it;". Legacy names have <= 6
	 * letters. */
	for (k = nlen < 6 ? nlen : 6; k >= 2; k--) {
		if ((cp = wn__html_entity_lookup(p + 1, k, &legacy)) != 0 &&
		    legacy) {
			*cp_out = cp;
			return k + 1;
		}
	}
	return 0;
}

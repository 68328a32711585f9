/*
 * store_open.c - the token store named by a spec: a Redis URL or an LMDB
 * file path.
 */
#include <string.h>

#include <winnow/store.h>

bool
wn_store_is_redis(const char *spec)
{
	return spec != NULL && (strncmp(spec, "redis://", 8) == 0 ||
	    strncmp(spec, "redis+unix://", 13) == 0);
}

int
wn_store_open(const char *spec, unsigned flags,
    const wn_store_params *params, wn_store **st_out, char *err,
    size_t errlen)
{
	if (wn_store_is_redis(spec))
		return wn_store_open_redis(spec, flags, params, st_out, err,
		    errlen);
	return wn_store_open_lmdb(spec, flags, params, st_out, err, errlen);
}

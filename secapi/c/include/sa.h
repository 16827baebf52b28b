/*
 * gotee's SecAPI 3 client library (libsaclient), source compatible with RDK's
 * public SecAPI 3 (specification 3.4.1) headers: include this one header for
 * the whole API. Every call goes to gotee's SecAPI TA through teed; the
 * process opens one session on its first call (TEE_SOCKET names teed's socket).
 */
#ifndef SA_H
#define SA_H

#include "sa_cenc.h"
#include "sa_crypto.h"
#include "sa_key.h"
#include "sa_svp.h"
#include "sa_types.h"

#define SA_SPECIFICATION_MAJOR 3
#define SA_SPECIFICATION_MINOR 4
#define SA_SPECIFICATION_REVISION 1

#define STR(arg) #arg
#define VERSION_STR(x, y, z) STR(x) "." STR(y) "." STR(z)
#define SA_SPECIFICATION_STR \
	VERSION_STR(SA_SPECIFICATION_MAJOR, SA_SPECIFICATION_MINOR, SA_SPECIFICATION_REVISION)

#ifdef __cplusplus
extern "C" {
#endif

/* The specification version and the TA's implementation revision. */
sa_status sa_get_version(sa_version *version);

/*
 * The implementation's name, NUL-terminated. With name NULL, *name_length is
 * set to the size needed (terminator included).
 */
sa_status sa_get_name(char *name, size_t *name_length);

/* The device's 64-bit identifier. */
sa_status sa_get_device_id(uint64_t *id);

/* The caller's identity as the SecAPI TA sees it (matched against allowed_tas). */
sa_status sa_get_ta_uuid(sa_uuid *uuid);

#ifdef __cplusplus
}
#endif

#endif /* SA_H */

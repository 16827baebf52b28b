/*
 * sa_check.h: what gotee's C tests of the SecAPI client library share — the
 * pass/fail counters and their CHECK / EXPECT macros, hex decoding, clear
 * sa_buffers, rights that allow everything and symmetric key import. Each test is
 * one .c file that includes this first.
 */
#ifndef GOTEE_SA_CHECK_H
#define GOTEE_SA_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa.h"

static int passed, failed;

#define CHECK(cond, ...)                                            \
	do {                                                        \
		if (cond) {                                         \
			passed++;                                   \
		} else {                                            \
			failed++;                                   \
			printf("FAIL %s:%d: ", __func__, __LINE__); \
			printf(__VA_ARGS__);                        \
			printf("\n");                               \
		}                                                   \
	} while (0)

#define EXPECT(call, want)                                                                 \
	do {                                                                               \
		sa_status got_ = (call);                                                   \
		CHECK(got_ == (want), "%s = %d, want %d (%s)", #call, got_, (want), #want); \
	} while (0)

/* hex decodes up to max bytes of the hex string s into out and returns how many. */
static inline size_t hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s) / 2;
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return n;
}

/* clear_buffer is a clear sa_buffer over n bytes at b, offset 0. */
static inline sa_buffer clear_buffer(void *b, size_t n)
{
	sa_buffer buf;
	memset(&buf, 0, sizeof(buf));
	buf.buffer_type = SA_BUFFER_TYPE_CLEAR;
	buf.context.clear.buffer = b;
	buf.context.clear.length = n;
	return buf;
}

/* rights_all is rights with id that allow every use, by every caller, for ever. */
static inline sa_rights rights_all(const char *id)
{
	sa_rights r;
	memset(&r, 0, sizeof(r));
	strncpy(r.id, id, sizeof(r.id) - 1);
	r.usage_flags = SA_KEY_USAGE_MASK | SA_USAGE_OUTPUT_PROTECTIONS_MASK |
			SA_USAGE_BIT_MASK(SA_USAGE_FLAG_CACHEABLE);
	r.not_on_or_after = UINT64_MAX;
	memset(&r.allowed_tas[0], 0xff, sizeof(sa_uuid));
	return r;
}

/* import_sym imports n bytes at k as a symmetric key with rights r (counted as a
 * check). */
static inline sa_key import_sym(const uint8_t *k, size_t n, const sa_rights *r)
{
	sa_key key = INVALID_HANDLE;
	sa_import_parameters_symmetric p = { r };
	EXPECT(sa_key_import(&key, SA_KEY_FORMAT_SYMMETRIC_BYTES, k, n, &p), SA_STATUS_OK);
	return key;
}

#endif

/*
 * SecAPI 3 common encryption (ISO/IEC 23001-7 cenc, cens, cbc1, cbcs) sample
 * processing (gotee's libsaclient; source compatible with RDK's sa_cenc.h).
 */
#ifndef SA_CENC_H
#define SA_CENC_H

#include "sa_types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	size_t bytes_of_clear_data;
	size_t bytes_of_protected_data;
} sa_subsample_length;

/* One sample: its IV, pattern, subsamples, the cipher context and buffers. */
typedef struct {
	void *iv;
	size_t iv_length;
	size_t crypt_byte_block;
	size_t skip_byte_block;
	size_t subsample_count;
	sa_subsample_length *subsample_lengths;
	sa_crypto_cipher_context context;
	sa_buffer *out;
	sa_buffer *in;
} sa_sample;

#if defined(__LP64__) && !defined(__cplusplus)
_Static_assert(sizeof(sa_subsample_length) == 16, "sa_subsample_length layout");
_Static_assert(sizeof(sa_sample) == 72, "sa_sample layout");
#endif

sa_status sa_process_common_encryption(size_t samples_length, sa_sample *samples);

#ifdef __cplusplus
}
#endif

#endif /* SA_CENC_H */

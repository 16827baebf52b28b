/*
 * SecAPI 3 random numbers, ciphers, MACs and signatures (gotee's libsaclient;
 * source compatible with RDK's sa_crypto.h).
 */
#ifndef SA_CRYPTO_H
#define SA_CRYPTO_H

#include "sa_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills out with length random bytes. */
sa_status sa_crypto_random(void *out, size_t length);

/* A cipher context; parameters is the sa_cipher_parameters_* of the algorithm. */
sa_status sa_crypto_cipher_init(sa_crypto_cipher_context *context,
				sa_cipher_algorithm cipher_algorithm, sa_cipher_mode cipher_mode,
				sa_key key, void *parameters);

/* Restarts the context with a new IV (or counter, or nonce). */
sa_status sa_crypto_cipher_update_iv(sa_crypto_cipher_context context, const void *iv,
				     size_t iv_length);

/*
 * Processes *bytes_to_process bytes of in at its offset into out at its offset;
 * both offsets advance and *bytes_to_process becomes the bytes written. With out
 * NULL, *bytes_to_process becomes the output size needed.
 */
sa_status sa_crypto_cipher_process(sa_buffer *out, sa_crypto_cipher_context context,
				   sa_buffer *in, size_t *bytes_to_process);

/* As sa_crypto_cipher_process, for the final data (padding, AEAD tags). */
sa_status sa_crypto_cipher_process_last(sa_buffer *out, sa_crypto_cipher_context context,
					sa_buffer *in, size_t *bytes_to_process,
					void *parameters);

sa_status sa_crypto_cipher_release(sa_crypto_cipher_context context);

/* A MAC context; parameters is sa_mac_parameters_hmac for HMAC, NULL for CMAC. */
sa_status sa_crypto_mac_init(sa_crypto_mac_context *context, sa_mac_algorithm mac_algorithm,
			     sa_key key, void *parameters);

sa_status sa_crypto_mac_process(sa_crypto_mac_context context, const void *in,
				size_t in_length);

/* Adds a symmetric key's bytes to the MAC. */
sa_status sa_crypto_mac_process_key(sa_crypto_mac_context context, sa_key key);

/* The MAC (out NULL: size only); a context computes once. */
sa_status sa_crypto_mac_compute(void *out, size_t *out_length, sa_crypto_mac_context context);

sa_status sa_crypto_mac_release(sa_crypto_mac_context context);

/* A signature of in (out NULL: size only); parameters is sa_sign_parameters_*. */
sa_status sa_crypto_sign(void *out, size_t *out_length, sa_signature_algorithm signature_algorithm,
			 sa_key key, const void *in, size_t in_length, const void *parameters);

#ifdef __cplusplus
}
#endif

#endif /* SA_CRYPTO_H */

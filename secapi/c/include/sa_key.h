/*
 * SecAPI 3 key management (gotee's libsaclient; source compatible with RDK's
 * sa_key.h). Keys live in the SecAPI TA and are named by sa_key handles that
 * are valid only in the process that obtained them.
 */
#ifndef SA_KEY_H
#define SA_KEY_H

#include "sa_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new random key; parameters is the sa_generate_parameters_* of key_type. */
sa_status sa_key_generate(sa_key *key, const sa_rights *rights, sa_key_type key_type,
			  void *parameters);

/* A CACHEABLE key exported for re-import on this device (out NULL: size only). */
sa_status sa_key_export(void *out, size_t *out_length, const void *mixin, size_t mixin_length,
			sa_key key);

/* Provisions a TA-specific credential. */
sa_status sa_key_provision_ta(sa_key_type_ta ta_key_type, const void *in, size_t in_length,
			      void *parameters);

/* Imports a key; parameters is the sa_import_parameters_* of key_format. */
sa_status sa_key_import(sa_key *key, sa_key_format key_format, const void *in, size_t in_length,
			void *parameters);

/* Decrypts a wrapped key with wrapping_key and imports it. */
sa_status sa_key_unwrap(sa_key *key, const sa_rights *rights, sa_key_type key_type,
			void *type_parameters, sa_cipher_algorithm cipher_algorithm,
			void *algorithm_parameters, sa_key wrapping_key, const void *in,
			size_t in_length);

/* The public key, as SubjectPublicKeyInfo DER (out NULL: size only). */
sa_status sa_key_get_public(void *out, size_t *out_length, sa_key key);

/* A new key derived with kdf_algorithm; parameters is its sa_kdf_parameters_*. */
sa_status sa_key_derive(sa_key *key, const sa_rights *rights, sa_kdf_algorithm kdf_algorithm,
			void *parameters);

/* A shared secret key from private_key and the peer's public key. */
sa_status sa_key_exchange(sa_key *key, const sa_rights *rights,
			  sa_key_exchange_algorithm key_exchange_algorithm, sa_key private_key,
			  const void *other_public, size_t other_public_length, void *parameters);

/* Releases the key; the handle names nothing afterwards. */
sa_status sa_key_release(sa_key key);

/* The key's header: rights, type and size. */
sa_status sa_key_header(sa_header *header, sa_key key);

/* The digest of a symmetric key's bytes (out NULL: size only). */
sa_status sa_key_digest(void *out, size_t *out_length, sa_key key,
			sa_digest_algorithm digest_algorithm);

#ifdef __cplusplus
}
#endif

#endif /* SA_KEY_H */

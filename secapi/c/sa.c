/*
 * The sa_* entry points of libsaclient with their exact prototypes (checked
 * against include/sa.h by the compiler). Each checks the pointers the API
 * requires (SA_STATUS_NULL_PARAMETER), unpacks the parameter structure of the
 * algorithm and the sa_buffers, and calls its Go function in abi_unsafe.go.
 * Functions whose TA side does not exist yet check their parameters, then
 * return SA_STATUS_OPERATION_NOT_SUPPORTED (see docs/secapi.md).
 */
#include <stddef.h>
#include <string.h>

#include "sa.h"
#include "_cgo_export.h"

#define NOT_SUPPORTED SA_STATUS_OPERATION_NOT_SUPPORTED

sa_status sa_get_version(sa_version *version)
{
	if (version == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaVersion(version);
}

sa_status sa_get_name(char *name, size_t *name_length)
{
	if (name_length == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaName(name, name_length);
}

sa_status sa_get_device_id(uint64_t *id)
{
	if (id == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaDeviceID(id);
}

sa_status sa_get_ta_uuid(sa_uuid *uuid)
{
	if (uuid == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaTAUUID(uuid);
}

sa_status sa_crypto_random(void *out, size_t length)
{
	if (out == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaRandom(out, length);
}

/* Keys. */

sa_status sa_key_generate(sa_key *key, const sa_rights *rights, sa_key_type key_type,
			  void *parameters)
{
	if (key == NULL || rights == NULL || parameters == NULL)
		return SA_STATUS_NULL_PARAMETER;
	switch (key_type) {
	case SA_KEY_TYPE_SYMMETRIC:
		return goSaKeyGenerate(key, (sa_rights *)rights, key_type,
				       ((sa_generate_parameters_symmetric *)parameters)->key_length);
	case SA_KEY_TYPE_EC:
		return goSaKeyGenerate(key, (sa_rights *)rights, key_type,
				       (size_t)((sa_generate_parameters_ec *)parameters)->curve);
	case SA_KEY_TYPE_RSA:
		return goSaKeyGenerate(key, (sa_rights *)rights, key_type,
				       ((sa_generate_parameters_rsa *)parameters)->modulus_length);
	case SA_KEY_TYPE_DH: {
		sa_generate_parameters_dh *dh = parameters;
		if (dh->p == NULL || dh->g == NULL)
			return SA_STATUS_NULL_PARAMETER;
		return goSaKeyGenerateDH(key, (sa_rights *)rights, (void *)dh->p, dh->p_length,
					 (void *)dh->g, dh->g_length);
	}
	}
	return SA_STATUS_INVALID_PARAMETER;
}

sa_status sa_key_export(void *out, size_t *out_length, const void *mixin, size_t mixin_length,
			sa_key key)
{
	if (out_length == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaKeyExport(out, out_length, (void *)mixin, mixin_length, key);
}

/*
 * The credential structures hold pointers, so the key containers are passed on one by
 * one; certificates and the ESN are only checked to be there (the TA keeps nothing,
 * as the reference's; see docs/secapi.md).
 */
sa_status sa_key_provision_ta(sa_key_type_ta ta_key_type, const void *in, size_t in_length,
			      void *parameters)
{
	const void *k[3] = {NULL, NULL, NULL};
	size_t kn[3] = {0, 0, 0};
	int n = 0;

	if (in == NULL || parameters == NULL || in_length == 0)
		return SA_STATUS_NULL_PARAMETER;
	switch (ta_key_type) {
	case WIDEVINE_OEM_PROVISIONING: {
		const WidevineOemProvisioning *w = in;
		if (in_length < sizeof(*w))
			return SA_STATUS_INVALID_PARAMETER;
		if (w->oemDevicePrivateKey == NULL || w->oemDevicePrivateKeyLength == 0 ||
		    w->oemDeviceCertificate == NULL || w->oemDeviceCertificateLength == 0)
			return SA_STATUS_NULL_PARAMETER;
		k[0] = w->oemDevicePrivateKey, kn[0] = w->oemDevicePrivateKeyLength, n = 1;
		break;
	}
	case PLAYREADY_MODEL_PROVISIONING: {
		const PlayReadyProvisioning *p = in;
		if (in_length < sizeof(*p))
			return SA_STATUS_INVALID_PARAMETER;
		if (p->privateKey == NULL || p->privateKeyLength == 0 || p->modelCertificate == NULL ||
		    p->modelCertificateLength == 0)
			return SA_STATUS_NULL_PARAMETER;
		k[0] = p->privateKey, kn[0] = p->privateKeyLength, n = 1;
		break;
	}
	case NETFLIX_PROVISIONING: {
		const NetflixProvisioning *f = in;
		if (in_length < sizeof(*f))
			return SA_STATUS_INVALID_PARAMETER;
		if (f->encryptionKey == NULL || f->encryptionKeyLength == 0 || f->hmacKey == NULL ||
		    f->hmacKeyLength == 0 || f->wrappingKey == NULL || f->wrappingKeyLength == 0 ||
		    f->esnContainer == NULL || f->esnContainerLength == 0)
			return SA_STATUS_NULL_PARAMETER;
		k[0] = f->encryptionKey, kn[0] = f->encryptionKeyLength;
		k[1] = f->hmacKey, kn[1] = f->hmacKeyLength;
		k[2] = f->wrappingKey, kn[2] = f->wrappingKeyLength, n = 3;
		break;
	}
	case APPLE_MFI_PROVISIONING:
	case APPLE_FAIRPLAY_PROVISIONING:
		return NOT_SUPPORTED;
	default:
		return SA_STATUS_INVALID_PARAMETER;
	}
	const sa_import_parameters_soc *p = parameters;
	return goSaKeyProvisionTA(ta_key_type, n, (void *)k[0], kn[0], (void *)k[1], kn[1],
				  (void *)k[2], kn[2], (unsigned)p->length[0] << 8 | p->length[1],
				  p->version, p->object_id);
}

sa_status sa_key_import(sa_key *key, sa_key_format key_format, const void *in, size_t in_length,
			void *parameters)
{
	if (key == NULL || in == NULL)
		return SA_STATUS_NULL_PARAMETER;
	switch (key_format) {
	case SA_KEY_FORMAT_SYMMETRIC_BYTES: {
		sa_import_parameters_symmetric *p = parameters;
		if (p == NULL || p->rights == NULL)
			return SA_STATUS_NULL_PARAMETER;
		return goSaKeyImportSymmetric(key, (sa_rights *)p->rights, (void *)in, in_length);
	}
	case SA_KEY_FORMAT_EC_PRIVATE_BYTES: {
		sa_import_parameters_ec_private_bytes *p = parameters;
		if (p == NULL || p->rights == NULL)
			return SA_STATUS_NULL_PARAMETER;
		return goSaKeyImport(key, key_format, (sa_rights *)p->rights, p->curve, (void *)in,
				     in_length);
	}
	case SA_KEY_FORMAT_RSA_PRIVATE_KEY_INFO: {
		sa_import_parameters_rsa_private_key_info *p = parameters;
		if (p == NULL || p->rights == NULL)
			return SA_STATUS_NULL_PARAMETER;
		return goSaKeyImport(key, key_format, (sa_rights *)p->rights, 0, (void *)in,
				     in_length);
	}
	case SA_KEY_FORMAT_EXPORTED:
		return goSaKeyImport(key, key_format, NULL, 0, (void *)in, in_length);
	case SA_KEY_FORMAT_TYPEJ: {
		sa_import_parameters_typej *p = parameters;
		if (p == NULL)
			return SA_STATUS_NULL_PARAMETER;
		return goSaKeyImportTypeJ(key, (void *)in, in_length, p->kcipher, p->khmac);
	}
	case SA_KEY_FORMAT_SOC: {
		/* Optional; its first two bytes are its length, big-endian. */
		sa_import_parameters_soc *p = parameters;
		if (p == NULL)
			return goSaKeyImportSoC(key, (void *)in, in_length, 0, 0, 0, 0);
		return goSaKeyImportSoC(key, (void *)in, in_length, 1,
					(unsigned)p->length[0] << 8 | p->length[1], p->version,
					p->object_id);
	}
	case SA_KEY_FORMAT_PROVISION_TA:
		return SA_STATUS_INVALID_PARAMETER; /* sa_key_provision_ta's, not an import */
	}
	return SA_STATUS_INVALID_PARAMETER;
}

sa_status sa_key_unwrap(sa_key *key, const sa_rights *rights, sa_key_type key_type,
			void *type_parameters, sa_cipher_algorithm cipher_algorithm,
			void *algorithm_parameters, sa_key wrapping_key, const void *in,
			size_t in_length)
{
	if (key == NULL || rights == NULL || in == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return NOT_SUPPORTED;
}

sa_status sa_key_get_public(void *out, size_t *out_length, sa_key key)
{
	if (out_length == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaKeyGetPublic(out, out_length, key);
}

sa_status sa_key_derive(sa_key *key, const sa_rights *rights, sa_kdf_algorithm kdf_algorithm,
			void *parameters)
{
	if (key == NULL || rights == NULL || parameters == NULL)
		return SA_STATUS_NULL_PARAMETER;
	switch (kdf_algorithm) {
	case SA_KDF_ALGORITHM_ROOT_KEY_LADDER:
	case SA_KDF_ALGORITHM_COMMON_ROOT_KEY_LADDER: {
		sa_kdf_parameters_root_key_ladder *p = parameters;
		if (p->c1 == NULL || p->c2 == NULL || p->c3 == NULL || p->c4 == NULL)
			return SA_STATUS_NULL_PARAMETER;
		return goSaKeyDeriveLadder(key, (sa_rights *)rights,
					   kdf_algorithm == SA_KDF_ALGORITHM_COMMON_ROOT_KEY_LADDER,
					   (void *)p->c1, p->c1_length, (void *)p->c2, p->c2_length,
					   (void *)p->c3, p->c3_length, (void *)p->c4, p->c4_length);
	}
	case SA_KDF_ALGORITHM_HKDF: {
		sa_kdf_parameters_hkdf *p = parameters;
		if ((p->salt == NULL && p->salt_length > 0) || (p->info == NULL && p->info_length > 0))
			return SA_STATUS_NULL_PARAMETER;
		return goSaKeyDeriveHash(key, (sa_rights *)rights, kdf_algorithm, p->key_length,
					 p->digest_algorithm, p->parent, (void *)p->salt,
					 p->salt_length, (void *)p->info, p->info_length);
	}
	case SA_KDF_ALGORITHM_CONCAT:
	case SA_KDF_ALGORITHM_ANSI_X963: {
		/* sa_kdf_parameters_concat and _ansi_x963 have the same members. */
		sa_kdf_parameters_concat *p = parameters;
		if (p->info == NULL && p->info_length > 0)
			return SA_STATUS_NULL_PARAMETER;
		return goSaKeyDeriveHash(key, (sa_rights *)rights, kdf_algorithm, p->key_length,
					 p->digest_algorithm, p->parent, NULL, 0, (void *)p->info,
					 p->info_length);
	}
	case SA_KDF_ALGORITHM_CMAC: {
		sa_kdf_parameters_cmac *p = parameters;
		if (p->other_data == NULL && p->other_data_length > 0)
			return SA_STATUS_NULL_PARAMETER;
		return goSaKeyDeriveCMAC(key, (sa_rights *)rights, p->key_length, p->parent,
					 (void *)p->other_data, p->other_data_length, p->counter);
	}
	case SA_KDF_ALGORITHM_NETFLIX: {
		sa_kdf_parameters_netflix *p = parameters;
		return goSaKeyDeriveNetflix(key, (sa_rights *)rights, p->kenc, p->khmac);
	}
	}
	return SA_STATUS_INVALID_PARAMETER;
}

sa_status sa_key_exchange(sa_key *key, const sa_rights *rights,
			  sa_key_exchange_algorithm key_exchange_algorithm, sa_key private_key,
			  const void *other_public, size_t other_public_length, void *parameters)
{
	if (key == NULL || rights == NULL || other_public == NULL)
		return SA_STATUS_NULL_PARAMETER;
	switch (key_exchange_algorithm) {
	case SA_KEY_EXCHANGE_ALGORITHM_DH:
	case SA_KEY_EXCHANGE_ALGORITHM_ECDH:
		return goSaKeyExchange(key, (sa_rights *)rights, key_exchange_algorithm, private_key,
				       (void *)other_public, other_public_length);
	case SA_KEY_EXCHANGE_ALGORITHM_NETFLIX_AUTHENTICATED_DH: {
		sa_key_exchange_parameters_netflix_authenticated_dh *p = parameters;
		if (p == NULL || p->out_ke == NULL || p->rights_ke == NULL || p->out_kh == NULL ||
		    p->rights_kh == NULL)
			return SA_STATUS_NULL_PARAMETER;
		return goSaKeyExchangeNetflix(key, (sa_rights *)rights, private_key,
					      (void *)other_public, other_public_length, p->in_kw,
					      p->out_ke, p->rights_ke, p->out_kh, p->rights_kh);
	}
	}
	return SA_STATUS_INVALID_PARAMETER;
}

sa_status sa_key_release(sa_key key)
{
	return goSaKeyRelease(key);
}

sa_status sa_key_header(sa_header *header, sa_key key)
{
	if (header == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaKeyHeader(header, key);
}

sa_status sa_key_digest(void *out, size_t *out_length, sa_key key,
			sa_digest_algorithm digest_algorithm)
{
	if (out_length == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaKeyDigest(out, out_length, key, digest_algorithm);
}

/* Ciphers. */

sa_status sa_crypto_cipher_init(sa_crypto_cipher_context *context,
				sa_cipher_algorithm cipher_algorithm, sa_cipher_mode cipher_mode,
				sa_key key, void *parameters)
{
	const void *iv = NULL, *aad = NULL;
	size_t iv_length = 0, aad_length = 0;

	if (context == NULL)
		return SA_STATUS_NULL_PARAMETER;
	if (cipher_mode != SA_CIPHER_MODE_DECRYPT && cipher_mode != SA_CIPHER_MODE_ENCRYPT)
		return SA_STATUS_INVALID_PARAMETER;
	switch (cipher_algorithm) {
	case SA_CIPHER_ALGORITHM_AES_ECB:
	case SA_CIPHER_ALGORITHM_AES_ECB_PKCS7:
		break;
	case SA_CIPHER_ALGORITHM_AES_CBC:
	case SA_CIPHER_ALGORITHM_AES_CBC_PKCS7: {
		sa_cipher_parameters_aes_cbc *p = parameters;
		if (p == NULL || p->iv == NULL)
			return SA_STATUS_NULL_PARAMETER;
		iv = p->iv;
		iv_length = p->iv_length;
		break;
	}
	case SA_CIPHER_ALGORITHM_AES_CTR: {
		sa_cipher_parameters_aes_ctr *p = parameters;
		if (p == NULL || p->ctr == NULL)
			return SA_STATUS_NULL_PARAMETER;
		iv = p->ctr;
		iv_length = p->ctr_length;
		break;
	}
	case SA_CIPHER_ALGORITHM_AES_GCM: {
		sa_cipher_parameters_aes_gcm *p = parameters;
		if (p == NULL || p->iv == NULL || (p->aad == NULL && p->aad_length > 0))
			return SA_STATUS_NULL_PARAMETER;
		iv = p->iv;
		iv_length = p->iv_length;
		aad = p->aad != NULL ? p->aad : "";
		aad_length = p->aad_length;
		break;
	}
	case SA_CIPHER_ALGORITHM_CHACHA20:
	case SA_CIPHER_ALGORITHM_CHACHA20_POLY1305:
	case SA_CIPHER_ALGORITHM_RSA_OAEP:
		if (parameters == NULL)
			return SA_STATUS_NULL_PARAMETER;
		return NOT_SUPPORTED;
	case SA_CIPHER_ALGORITHM_RSA_PKCS1V15:
	case SA_CIPHER_ALGORITHM_EC_ELGAMAL:
		return NOT_SUPPORTED;
	default:
		return SA_STATUS_INVALID_PARAMETER;
	}
	if (iv_length > 16)
		return SA_STATUS_INVALID_PARAMETER;
	return goSaCipherInit(context, cipher_algorithm, cipher_mode, key, (void *)iv, iv_length,
			      (void *)aad, aad_length);
}

sa_status sa_crypto_cipher_update_iv(sa_crypto_cipher_context context, const void *iv,
				     size_t iv_length)
{
	if (iv == NULL)
		return SA_STATUS_NULL_PARAMETER;
	if (iv_length > 16)
		return SA_STATUS_INVALID_PARAMETER;
	return goSaCipherUpdateIV(context, (void *)iv, iv_length);
}

/* cipher_process checks the buffers and moves their offsets around the Go call. */
static sa_status cipher_process(sa_buffer *out, sa_crypto_cipher_context context, sa_buffer *in,
				size_t *bytes_to_process, int last, void *tag, size_t tag_length)
{
	void *out_ptr = NULL;
	size_t out_cap = 0, written = 0;
	sa_status status;

	if (in == NULL || bytes_to_process == NULL)
		return SA_STATUS_NULL_PARAMETER;
	if (in->buffer_type == SA_BUFFER_TYPE_SVP ||
	    (out != NULL && out->buffer_type == SA_BUFFER_TYPE_SVP))
		return NOT_SUPPORTED;
	if (in->buffer_type != SA_BUFFER_TYPE_CLEAR ||
	    (out != NULL && out->buffer_type != SA_BUFFER_TYPE_CLEAR))
		return SA_STATUS_INVALID_PARAMETER;
	if (in->context.clear.buffer == NULL)
		return SA_STATUS_NULL_PARAMETER;
	if (in->context.clear.offset > in->context.clear.length ||
	    *bytes_to_process > in->context.clear.length - in->context.clear.offset)
		return SA_STATUS_INVALID_PARAMETER;
	if (out != NULL) {
		if (out->context.clear.buffer == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (out->context.clear.offset > out->context.clear.length)
			return SA_STATUS_INVALID_PARAMETER;
		out_ptr = (uint8_t *)out->context.clear.buffer + out->context.clear.offset;
		out_cap = out->context.clear.length - out->context.clear.offset;
	}
	status = goSaCipherProcess(context, last,
				   (uint8_t *)in->context.clear.buffer + in->context.clear.offset,
				   *bytes_to_process, out_ptr, out_cap, &written, tag, tag_length);
	if (status != SA_STATUS_OK)
		return status;
	if (out != NULL) {
		in->context.clear.offset += *bytes_to_process;
		out->context.clear.offset += written;
	}
	*bytes_to_process = written;
	return SA_STATUS_OK;
}

sa_status sa_crypto_cipher_process(sa_buffer *out, sa_crypto_cipher_context context, sa_buffer *in,
				   size_t *bytes_to_process)
{
	return cipher_process(out, context, in, bytes_to_process, 0, NULL, 0);
}

sa_status sa_crypto_cipher_process_last(sa_buffer *out, sa_crypto_cipher_context context,
					sa_buffer *in, size_t *bytes_to_process, void *parameters)
{
	sa_cipher_end_parameters_aes_gcm *p = parameters;

	if (p != NULL) {
		if (p->tag == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (p->tag_length > 16)
			return SA_STATUS_INVALID_PARAMETER;
		return cipher_process(out, context, in, bytes_to_process, 1, p->tag,
				      p->tag_length);
	}
	return cipher_process(out, context, in, bytes_to_process, 1, NULL, 0);
}

sa_status sa_crypto_cipher_release(sa_crypto_cipher_context context)
{
	return goSaCipherRelease(context);
}

/* MACs. */

sa_status sa_crypto_mac_init(sa_crypto_mac_context *context, sa_mac_algorithm mac_algorithm,
			     sa_key key, void *parameters)
{
	if (context == NULL)
		return SA_STATUS_NULL_PARAMETER;
	switch (mac_algorithm) {
	case SA_MAC_ALGORITHM_CMAC:
		return goSaMACInit(context, mac_algorithm, key, 0);
	case SA_MAC_ALGORITHM_HMAC:
		if (parameters == NULL)
			return SA_STATUS_NULL_PARAMETER;
		return goSaMACInit(context, mac_algorithm, key,
				   ((sa_mac_parameters_hmac *)parameters)->digest_algorithm);
	}
	return SA_STATUS_INVALID_PARAMETER;
}

sa_status sa_crypto_mac_process(sa_crypto_mac_context context, const void *in, size_t in_length)
{
	/* An empty message may come as NULL (an empty std::vector's data()). */
	if (in == NULL && in_length > 0)
		return SA_STATUS_NULL_PARAMETER;
	return goSaMACProcess(context, (void *)in, in_length);
}

sa_status sa_crypto_mac_process_key(sa_crypto_mac_context context, sa_key key)
{
	return goSaMACProcessKey(context, key);
}

sa_status sa_crypto_mac_compute(void *out, size_t *out_length, sa_crypto_mac_context context)
{
	if (out_length == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaMACCompute(out, out_length, context);
}

sa_status sa_crypto_mac_release(sa_crypto_mac_context context)
{
	return goSaMACRelease(context);
}

/* Signatures. */

sa_status sa_crypto_sign(void *out, size_t *out_length, sa_signature_algorithm signature_algorithm,
			 sa_key key, const void *in, size_t in_length, const void *parameters)
{
	int digest = 0, mgf1 = 0, precomputed = 0;
	size_t salt = 0;

	/* in may be NULL with in_length 0: RDK's size queries pass (NULL, 0). */
	if (out_length == NULL || (in == NULL && in_length > 0))
		return SA_STATUS_NULL_PARAMETER;
	switch (signature_algorithm) {
	case SA_SIGNATURE_ALGORITHM_RSA_PKCS1V15: {
		const sa_sign_parameters_rsa_pkcs1v15 *p = parameters;
		if (p == NULL)
			return SA_STATUS_NULL_PARAMETER;
		digest = p->digest_algorithm;
		precomputed = p->precomputed_digest;
		break;
	}
	case SA_SIGNATURE_ALGORITHM_RSA_PSS: {
		const sa_sign_parameters_rsa_pss *p = parameters;
		if (p == NULL)
			return SA_STATUS_NULL_PARAMETER;
		digest = p->digest_algorithm;
		mgf1 = p->mgf1_digest_algorithm;
		precomputed = p->precomputed_digest;
		salt = p->salt_length;
		break;
	}
	case SA_SIGNATURE_ALGORITHM_ECDSA: {
		const sa_sign_parameters_ecdsa *p = parameters;
		if (p == NULL)
			return SA_STATUS_NULL_PARAMETER;
		digest = p->digest_algorithm;
		precomputed = p->precomputed_digest;
		break;
	}
	case SA_SIGNATURE_ALGORITHM_EDDSA:
		break;
	default:
		return SA_STATUS_INVALID_PARAMETER;
	}
	return goSaSign(out, out_length, signature_algorithm, key, (void *)in, in_length, digest,
			mgf1, precomputed, salt);
}

/* Secure video path: not simulated yet, so every call is refused. */

sa_status sa_svp_supported(void)
{
	return NOT_SUPPORTED;
}

sa_status sa_svp_memory_alloc(void **svp_memory, size_t size)
{
	if (svp_memory == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return NOT_SUPPORTED;
}

sa_status sa_svp_buffer_alloc(sa_svp_buffer *svp_buffer, size_t size)
{
	if (svp_buffer == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return NOT_SUPPORTED;
}

sa_status sa_svp_buffer_create(sa_svp_buffer *svp_buffer, void *svp_memory, size_t size)
{
	if (svp_buffer == NULL || svp_memory == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return NOT_SUPPORTED;
}

sa_status sa_svp_memory_free(void *svp_memory)
{
	if (svp_memory == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return NOT_SUPPORTED;
}

sa_status sa_svp_buffer_free(sa_svp_buffer svp_buffer)
{
	return NOT_SUPPORTED;
}

sa_status sa_svp_buffer_release(void **svp_memory, size_t *size, sa_svp_buffer svp_buffer)
{
	if (svp_memory == NULL || size == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return NOT_SUPPORTED;
}

sa_status sa_svp_buffer_write(sa_svp_buffer out, const void *in, size_t in_length,
			      sa_svp_offset *offsets, size_t offsets_length)
{
	if (in == NULL || offsets == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return NOT_SUPPORTED;
}

sa_status sa_svp_buffer_copy(sa_svp_buffer out, sa_svp_buffer in, sa_svp_offset *offsets,
			     size_t offsets_length)
{
	if (offsets == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return NOT_SUPPORTED;
}

sa_status sa_svp_key_check(sa_key key, sa_buffer *in, size_t bytes_to_process,
			   const void *expected, size_t expected_length)
{
	if (in == NULL || expected == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return NOT_SUPPORTED;
}

sa_status sa_svp_buffer_check(sa_svp_buffer svp_buffer, size_t offset, size_t length,
			      sa_digest_algorithm digest_algorithm, const void *hash,
			      size_t hash_length)
{
	if (hash == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return NOT_SUPPORTED;
}

/* Common encryption. */

sa_status sa_process_common_encryption(size_t samples_length, sa_sample *samples)
{
	if (samples == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return NOT_SUPPORTED;
}

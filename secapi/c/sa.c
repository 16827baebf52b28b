/*
 * The sa_* entry points of libsaclient with their exact prototypes (checked
 * against include/sa.h by the compiler). Each checks the pointers the API
 * requires (SA_STATUS_NULL_PARAMETER), unpacks the parameter structure of the
 * algorithm and the sa_buffers, and calls its Go function in abi_unsafe.go.
 * What the reference itself refuses (Apple TA key types) checks its
 * parameters, then returns SA_STATUS_OPERATION_NOT_SUPPORTED.
 */
#include <stddef.h>
#include <stdint.h>
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
	/* v1..v3 and n1, n2 carry the algorithm's parameters (see goSaKeyUnwrap). */
	const void *v1 = NULL, *v2 = NULL, *v3 = NULL;
	size_t l1 = 0, l2 = 0, l3 = 0;
	uint64_t n1 = 0, n2 = 0;
	int curve = 0;

	if (key == NULL || rights == NULL || in == NULL)
		return SA_STATUS_NULL_PARAMETER;
	if (key_type == SA_KEY_TYPE_EC) {
		if (type_parameters == NULL)
			return SA_STATUS_NULL_PARAMETER;
		curve = ((sa_unwrap_type_parameters_ec *)type_parameters)->curve;
	}
	switch (cipher_algorithm) {
	case SA_CIPHER_ALGORITHM_AES_ECB:
	case SA_CIPHER_ALGORITHM_AES_ECB_PKCS7:
	case SA_CIPHER_ALGORITHM_RSA_PKCS1V15:
		break;
	case SA_CIPHER_ALGORITHM_AES_CBC:
	case SA_CIPHER_ALGORITHM_AES_CBC_PKCS7: {
		sa_unwrap_parameters_aes_cbc *p = algorithm_parameters;
		if (p == NULL || p->iv == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (p->iv_length != 16)
			return SA_STATUS_INVALID_PARAMETER;
		v1 = p->iv, l1 = p->iv_length;
		break;
	}
	case SA_CIPHER_ALGORITHM_AES_CTR: {
		sa_unwrap_parameters_aes_ctr *p = algorithm_parameters;
		if (p == NULL || p->ctr == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (p->ctr_length != 16)
			return SA_STATUS_INVALID_PARAMETER;
		v1 = p->ctr, l1 = p->ctr_length;
		break;
	}
	case SA_CIPHER_ALGORITHM_AES_GCM: {
		sa_unwrap_parameters_aes_gcm *p = algorithm_parameters;
		if (p == NULL || p->iv == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (p->iv_length != 12)
			return SA_STATUS_INVALID_PARAMETER;
		if (p->tag == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (p->tag_length > 16)
			return SA_STATUS_INVALID_PARAMETER;
		if (p->aad == NULL && p->aad_length > 0)
			return SA_STATUS_NULL_PARAMETER;
		v1 = p->iv, l1 = p->iv_length;
		v2 = p->aad, l2 = p->aad_length;
		v3 = p->tag, l3 = p->tag_length;
		break;
	}
	case SA_CIPHER_ALGORITHM_CHACHA20: {
		sa_unwrap_parameters_chacha20 *p = algorithm_parameters;
		if (p == NULL || p->counter == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (p->counter_length != 4)
			return SA_STATUS_INVALID_PARAMETER;
		if (p->nonce == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (p->nonce_length != 12)
			return SA_STATUS_INVALID_PARAMETER;
		v1 = p->counter, l1 = p->counter_length;
		v2 = p->nonce, l2 = p->nonce_length;
		break;
	}
	case SA_CIPHER_ALGORITHM_CHACHA20_POLY1305: {
		sa_unwrap_parameters_chacha20_poly1305 *p = algorithm_parameters;
		if (p == NULL || p->nonce == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (p->nonce_length != 12)
			return SA_STATUS_INVALID_PARAMETER;
		if (p->tag == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (p->tag_length != 16)
			return SA_STATUS_INVALID_PARAMETER;
		if (p->aad == NULL && p->aad_length > 0)
			return SA_STATUS_NULL_PARAMETER;
		v1 = p->nonce, l1 = p->nonce_length;
		v2 = p->aad, l2 = p->aad_length;
		v3 = p->tag, l3 = p->tag_length;
		break;
	}
	case SA_CIPHER_ALGORITHM_RSA_OAEP: {
		sa_unwrap_parameters_rsa_oaep *p = algorithm_parameters;
		if (p == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (p->label == NULL && p->label_length != 0)
			return SA_STATUS_INVALID_PARAMETER;
		n1 = p->digest_algorithm, n2 = p->mgf1_digest_algorithm;
		v1 = p->label, l1 = p->label_length;
		break;
	}
	case SA_CIPHER_ALGORITHM_EC_ELGAMAL: {
		sa_unwrap_parameters_ec_elgamal *p = algorithm_parameters;
		if (p == NULL)
			return SA_STATUS_NULL_PARAMETER;
		n1 = p->offset, n2 = p->key_length;
		break;
	}
	default:
		/* The TA answers an unknown algorithm (INVALID_PARAMETER). */
		break;
	}
	return goSaKeyUnwrap(key, (sa_rights *)rights, key_type, curve, cipher_algorithm,
			     wrapping_key, (void *)v1, l1, (void *)v2, l2, (void *)v3, l3, n1, n2,
			     (void *)in, in_length);
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
	case SA_CIPHER_ALGORITHM_CHACHA20: {
		sa_cipher_parameters_chacha20 *p = parameters;
		if (p == NULL || p->nonce == NULL || p->counter == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (p->nonce_length > 16 || p->counter_length > 16)
			return SA_STATUS_INVALID_PARAMETER;
		return goSaCipherInitChaCha(context, cipher_algorithm, cipher_mode, key,
					    (void *)p->counter, p->counter_length,
					    (void *)p->nonce, p->nonce_length, NULL, 0);
	}
	case SA_CIPHER_ALGORITHM_CHACHA20_POLY1305: {
		sa_cipher_parameters_chacha20_poly1305 *p = parameters;
		if (p == NULL || p->nonce == NULL || (p->aad == NULL && p->aad_length > 0))
			return SA_STATUS_NULL_PARAMETER;
		if (p->nonce_length > 16)
			return SA_STATUS_INVALID_PARAMETER;
		return goSaCipherInitChaCha(context, cipher_algorithm, cipher_mode, key, NULL, 0,
					    (void *)p->nonce, p->nonce_length,
					    (void *)(p->aad != NULL ? p->aad : ""), p->aad_length);
	}
	case SA_CIPHER_ALGORITHM_RSA_OAEP: {
		sa_cipher_parameters_rsa_oaep *p = parameters;
		if (p == NULL || (p->label == NULL && p->label_length != 0))
			return SA_STATUS_NULL_PARAMETER;
		return goSaCipherInitAsym(context, cipher_algorithm, cipher_mode, key,
					  p->digest_algorithm, p->mgf1_digest_algorithm, p->label,
					  p->label_length);
	}
	case SA_CIPHER_ALGORITHM_RSA_PKCS1V15:
	case SA_CIPHER_ALGORITHM_EC_ELGAMAL:
		return goSaCipherInitAsym(context, cipher_algorithm, cipher_mode, key, 0, 0, NULL, 0);
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

/* An sa_buffer unpacked for Go: a clear buffer's pointer, length and offset, or an
 * SVP buffer's handle and offset. */
struct flat_buffer {
	int type;
	void *ptr;
	size_t length, offset;
	sa_svp_buffer svp;
};

static struct flat_buffer flatten(const sa_buffer *b)
{
	struct flat_buffer f = { (int)b->buffer_type, NULL, 0, 0, 0 };

	if (b->buffer_type == SA_BUFFER_TYPE_SVP) {
		f.svp = b->context.svp.buffer;
		f.offset = b->context.svp.offset;
	} else {
		f.ptr = b->context.clear.buffer;
		f.length = b->context.clear.length;
		f.offset = b->context.clear.offset;
	}
	return f;
}

static void advance(sa_buffer *b, size_t n)
{
	if (b->buffer_type == SA_BUFFER_TYPE_SVP)
		b->context.svp.offset += n;
	else
		b->context.clear.offset += n;
}

/* cipher_process_buffers passes the sa_buffers to the TA as they are: it reads and
 * writes SVP memory itself. */
static sa_status cipher_process_buffers(sa_buffer *out, sa_crypto_cipher_context context, sa_buffer *in,
				    size_t *bytes_to_process, int last, void *tag, size_t tag_length)
{
	struct flat_buffer o, i;
	size_t written = 0;
	sa_status status;

	if (out == NULL) {
		status = goSaCipherProcess(context, last, NULL, *bytes_to_process, NULL, 0, &written,
					   tag, tag_length);
		if (status == SA_STATUS_OK)
			*bytes_to_process = written;
		return status;
	}
	if ((in->buffer_type != SA_BUFFER_TYPE_CLEAR && in->buffer_type != SA_BUFFER_TYPE_SVP) ||
	    (out->buffer_type != SA_BUFFER_TYPE_CLEAR && out->buffer_type != SA_BUFFER_TYPE_SVP))
		return SA_STATUS_INVALID_PARAMETER;
	o = flatten(out);
	i = flatten(in);
	status = goSaCipherProcessBuffers(context, last, o.type, o.ptr, o.length, o.offset, o.svp,
					  i.type, i.ptr, i.length, i.offset, i.svp,
					  *bytes_to_process, &written, tag, tag_length);
	if (status != SA_STATUS_OK)
		return status;
	advance(in, *bytes_to_process);
	advance(out, written);
	*bytes_to_process = written;
	return SA_STATUS_OK;
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
	/* With an output, process (not last, whose reply carries a tag) and anything
	 * with an SVP buffer go through the TA's sa_buffer form: it checks the rights
	 * before the output's length, as the reference. */
	if ((out != NULL && !last) || in->buffer_type == SA_BUFFER_TYPE_SVP ||
	    (out != NULL && out->buffer_type == SA_BUFFER_TYPE_SVP))
		return cipher_process_buffers(out, context, in, bytes_to_process, last, tag, tag_length);
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

/* Secure video path: SVP memory is in the SecAPI TA; see svp_unsafe.go for what
 * the pointers of sa_svp_memory_alloc are. */

sa_status sa_svp_supported(void)
{
	return goSaSvpSupported();
}

sa_status sa_svp_memory_alloc(void **svp_memory, size_t size)
{
	if (svp_memory == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaSvpMemoryAlloc(svp_memory, size);
}

sa_status sa_svp_buffer_alloc(sa_svp_buffer *svp_buffer, size_t size)
{
	if (svp_buffer == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaSvpBufferAlloc(svp_buffer, size);
}

sa_status sa_svp_buffer_create(sa_svp_buffer *svp_buffer, void *svp_memory, size_t size)
{
	if (svp_buffer == NULL || svp_memory == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaSvpBufferCreate(svp_buffer, svp_memory, size);
}

sa_status sa_svp_memory_free(void *svp_memory)
{
	if (svp_memory == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaSvpMemoryFree(svp_memory);
}

sa_status sa_svp_buffer_free(sa_svp_buffer svp_buffer)
{
	return goSaSvpBufferFree(svp_buffer);
}

sa_status sa_svp_buffer_release(void **svp_memory, size_t *size, sa_svp_buffer svp_buffer)
{
	if (svp_memory == NULL || size == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaSvpBufferRelease(svp_memory, size, svp_buffer);
}

sa_status sa_svp_buffer_write(sa_svp_buffer out, const void *in, size_t in_length,
			      sa_svp_offset *offsets, size_t offsets_length)
{
	if (in == NULL || offsets == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaSvpBufferWrite(out, (void *)in, in_length, offsets, offsets_length);
}

sa_status sa_svp_buffer_copy(sa_svp_buffer out, sa_svp_buffer in, sa_svp_offset *offsets,
			     size_t offsets_length)
{
	if (offsets == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaSvpBufferCopy(out, in, offsets, offsets_length);
}

sa_status sa_svp_key_check(sa_key key, sa_buffer *in, size_t bytes_to_process,
			   const void *expected, size_t expected_length)
{
	struct flat_buffer i;

	if (in == NULL)
		return SA_STATUS_NULL_PARAMETER;
	if (bytes_to_process % 16 != 0)
		return SA_STATUS_INVALID_PARAMETER;
	if (expected == NULL)
		return SA_STATUS_NULL_PARAMETER;
	if (expected_length != bytes_to_process)
		return SA_STATUS_INVALID_PARAMETER;
	if (in->buffer_type != SA_BUFFER_TYPE_CLEAR && in->buffer_type != SA_BUFFER_TYPE_SVP)
		return SA_STATUS_INVALID_PARAMETER;
	i = flatten(in);
	return goSaSvpKeyCheck(key, i.type, i.ptr, i.length, i.offset, i.svp, bytes_to_process,
			       (void *)expected, expected_length);
}

sa_status sa_svp_buffer_check(sa_svp_buffer svp_buffer, size_t offset, size_t length,
			      sa_digest_algorithm digest_algorithm, const void *hash,
			      size_t hash_length)
{
	if (hash == NULL)
		return SA_STATUS_NULL_PARAMETER;
	return goSaSvpBufferCheck(svp_buffer, offset, length, digest_algorithm, (void *)hash,
				  hash_length);
}

/* Common encryption. */

/* sample_length is the sum of a sample's subsamples, or 0 with *ok cleared on
 * overflow. */
static size_t sample_length(const sa_sample *s, int *ok)
{
	size_t n = 0;

	*ok = 1;
	for (size_t i = 0; i < s->subsample_count; i++) {
		size_t l = s->subsample_lengths[i].bytes_of_clear_data +
			   s->subsample_lengths[i].bytes_of_protected_data;
		if (l < s->subsample_lengths[i].bytes_of_clear_data || n + l < n) {
			*ok = 0;
			return 0;
		}
		n += l;
	}
	return n;
}

/* clear_overlap reports whether a sample's clear in and out ranges share a byte
 * (the reference refuses that); ranges past their buffers are left to the checks
 * that report them. */
static int clear_overlap(const sa_sample *s)
{
	const sa_buffer *o = s->out, *i = s->in;
	int ok;
	size_t n = sample_length(s, &ok);
	uintptr_t a, b;

	if (!ok || o->buffer_type != SA_BUFFER_TYPE_CLEAR || i->buffer_type != SA_BUFFER_TYPE_CLEAR ||
	    o->context.clear.buffer == NULL || i->context.clear.buffer == NULL ||
	    o->context.clear.offset > o->context.clear.length ||
	    n > o->context.clear.length - o->context.clear.offset ||
	    i->context.clear.offset > i->context.clear.length ||
	    n > i->context.clear.length - i->context.clear.offset)
		return 0;
	a = (uintptr_t)o->context.clear.buffer + o->context.clear.offset;
	b = (uintptr_t)i->context.clear.buffer + i->context.clear.offset;
	return a == b || (a < b + n && b < a + n);
}

sa_status sa_process_common_encryption(size_t samples_length, sa_sample *samples)
{
	if (samples == NULL)
		return SA_STATUS_NULL_PARAMETER;
	/* The checks of the arguments themselves, for every sample first, as the
	 * reference verifies all samples before it decrypts any. */
	for (size_t k = 0; k < samples_length; k++) {
		const sa_sample *s = &samples[k];

		if (s->iv == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (s->iv_length != 16)
			return SA_STATUS_INVALID_PARAMETER;
		if (s->subsample_lengths == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (s->subsample_count < 1)
			return SA_STATUS_INVALID_PARAMETER;
		if (s->out == NULL || s->in == NULL)
			return SA_STATUS_NULL_PARAMETER;
		if (s->crypt_byte_block == 0 && s->skip_byte_block != 0)
			return SA_STATUS_INVALID_PARAMETER;
	}
	for (size_t k = 0; k < samples_length; k++) {
		sa_sample *s = &samples[k];
		struct flat_buffer o, i;
		size_t length = 0;
		sa_status status;

		if ((s->out->buffer_type != SA_BUFFER_TYPE_CLEAR &&
		     s->out->buffer_type != SA_BUFFER_TYPE_SVP) ||
		    (s->in->buffer_type != SA_BUFFER_TYPE_CLEAR &&
		     s->in->buffer_type != SA_BUFFER_TYPE_SVP) ||
		    clear_overlap(s))
			return SA_STATUS_INVALID_PARAMETER;
		o = flatten(s->out);
		i = flatten(s->in);
		status = goSaProcessSample(s->iv, s->iv_length, s->crypt_byte_block, s->skip_byte_block,
					   s->subsample_lengths, s->subsample_count, s->context,
					   o.type, o.ptr, o.length, o.offset, o.svp,
					   i.type, i.ptr, i.length, i.offset, i.svp, &length);
		if (status != SA_STATUS_OK)
			return status;
		advance(s->in, length);
		advance(s->out, length);
	}
	return SA_STATUS_OK;
}

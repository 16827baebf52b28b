/*
 * gotee's SecAPI 3 (specification 3.4.1) types, source compatible with the
 * sa_types.h of RDK's public SecAPI 3 headers: the same names, enumerator
 * values and structure layouts, so that SecAPI 3 applications build against
 * gotee's libsaclient unchanged. Semantics: docs/secapi.md and the SecAPI 3
 * specification.
 */
#ifndef SA_TYPES_H
#define SA_TYPES_H

#ifdef __cplusplus
#include <climits>
#include <cstdbool>
#include <cstddef>
#include <cstdint>
extern "C" {
#else
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

/* Bit b of a usage flag word (b is an sa_usage_flags value). */
#define SA_USAGE_BIT_MASK(b) ((uint64_t) 1 << ((b) % (sizeof(uint64_t) * 8)))
#define SA_USAGE_BIT_SET(a, b) ((a) |= SA_USAGE_BIT_MASK(b))
#define SA_USAGE_BIT_CLEAR(a, b) ((a) &= ~SA_USAGE_BIT_MASK(b))
#define SA_USAGE_BIT_TEST(a, b) ((a) & SA_USAGE_BIT_MASK(b))

/* The flags that describe where decrypted output may go. */
#define SA_USAGE_OUTPUT_PROTECTIONS_MASK \
	(SA_USAGE_BIT_MASK(SA_USAGE_FLAG_ALLOWED_ANALOG_UNPROTECTED) | \
	 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_ALLOWED_ANALOG_CGMSA) | \
	 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_ALLOWED_DIGITAL_UNPROTECTED) | \
	 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_ALLOWED_DIGITAL_HDCP14) | \
	 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_ALLOWED_DIGITAL_HDCP22) | \
	 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_ALLOWED_DIGITAL_DTCP) | \
	 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_SVP_OPTIONAL))

/* The flags that say which operations a key may take part in. */
#define SA_KEY_USAGE_MASK \
	(SA_USAGE_BIT_MASK(SA_USAGE_FLAG_KEY_EXCHANGE) | \
	 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_DERIVE) | \
	 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_UNWRAP) | \
	 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_ENCRYPT) | \
	 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_DECRYPT) | \
	 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_SIGN))

/* Handles name objects inside the SecAPI TA; they are opaque to callers. */
typedef uint64_t sa_handle;

/* No object: the value a handle has before it is set. */
#define INVALID_HANDLE ((sa_handle) ULONG_MAX)

#define NUM_MAGIC 4

typedef sa_handle sa_key;
typedef sa_handle sa_svp_buffer;
typedef sa_handle sa_crypto_cipher_context;
typedef sa_handle sa_crypto_mac_context;

typedef struct {
	uint64_t specification_major;
	uint64_t specification_minor;
	uint64_t specification_revision;
	uint64_t implementation_revision;
} sa_version;

typedef enum {
	SA_CIPHER_ALGORITHM_AES_ECB = 0,
	SA_CIPHER_ALGORITHM_AES_ECB_PKCS7 = 1,
	SA_CIPHER_ALGORITHM_AES_CBC = 2,
	SA_CIPHER_ALGORITHM_AES_CBC_PKCS7 = 3,
	SA_CIPHER_ALGORITHM_AES_CTR = 4,
	SA_CIPHER_ALGORITHM_AES_GCM = 5,
	SA_CIPHER_ALGORITHM_RSA_PKCS1V15 = 6,
	SA_CIPHER_ALGORITHM_RSA_OAEP = 7,
	SA_CIPHER_ALGORITHM_EC_ELGAMAL = 8,
	SA_CIPHER_ALGORITHM_CHACHA20 = 9,
	SA_CIPHER_ALGORITHM_CHACHA20_POLY1305 = 10
} sa_cipher_algorithm;

typedef enum {
	SA_CIPHER_MODE_DECRYPT = 0,
	SA_CIPHER_MODE_ENCRYPT = 1
} sa_cipher_mode;

typedef enum {
	SA_SIGNATURE_ALGORITHM_RSA_PKCS1V15 = 0,
	SA_SIGNATURE_ALGORITHM_RSA_PSS = 1,
	SA_SIGNATURE_ALGORITHM_ECDSA = 2,
	SA_SIGNATURE_ALGORITHM_EDDSA = 3
} sa_signature_algorithm;

typedef enum {
	SA_MAC_ALGORITHM_CMAC = 0,
	SA_MAC_ALGORITHM_HMAC = 1
} sa_mac_algorithm;

typedef enum {
	SA_DIGEST_ALGORITHM_SHA1 = 0,
	SA_DIGEST_ALGORITHM_SHA256 = 1,
	SA_DIGEST_ALGORITHM_SHA384 = 2,
	SA_DIGEST_ALGORITHM_SHA512 = 3
} sa_digest_algorithm;

typedef enum {
	SA_KDF_ALGORITHM_ROOT_KEY_LADDER = 0,
	SA_KDF_ALGORITHM_HKDF = 1,
	SA_KDF_ALGORITHM_CONCAT = 2,
	SA_KDF_ALGORITHM_ANSI_X963 = 3,
	SA_KDF_ALGORITHM_CMAC = 4,
	SA_KDF_ALGORITHM_NETFLIX = 5,
	SA_KDF_ALGORITHM_COMMON_ROOT_KEY_LADDER = 6
} sa_kdf_algorithm;

typedef enum {
	SA_KEY_EXCHANGE_ALGORITHM_DH = 0,
	SA_KEY_EXCHANGE_ALGORITHM_ECDH = 1,
	SA_KEY_EXCHANGE_ALGORITHM_NETFLIX_AUTHENTICATED_DH = 2
} sa_key_exchange_algorithm;

typedef enum {
	SA_KEY_FORMAT_SYMMETRIC_BYTES = 0,
	SA_KEY_FORMAT_EC_PRIVATE_BYTES = 1,
	SA_KEY_FORMAT_RSA_PRIVATE_KEY_INFO = 2,
	SA_KEY_FORMAT_EXPORTED = 3,
	SA_KEY_FORMAT_SOC = 4,
	SA_KEY_FORMAT_TYPEJ = 5,
	SA_KEY_FORMAT_PROVISION_TA = 6
} sa_key_format;

typedef enum {
	SA_KEY_TYPE_SYMMETRIC = 0,
	SA_KEY_TYPE_EC = 1,
	SA_KEY_TYPE_RSA = 2,
	SA_KEY_TYPE_DH = 3
} sa_key_type;

typedef enum {
	SA_ELLIPTIC_CURVE_NIST_P256 = 0,
	SA_ELLIPTIC_CURVE_NIST_P384 = 1,
	SA_ELLIPTIC_CURVE_NIST_P521 = 2,
	SA_ELLIPTIC_CURVE_ED25519 = 3,
	SA_ELLIPTIC_CURVE_X25519 = 4,
	SA_ELLIPTIC_CURVE_ED448 = 5,
	SA_ELLIPTIC_CURVE_X448 = 6,
	SA_ELLIPTIC_CURVE_NIST_P192 = 7,
	SA_ELLIPTIC_CURVE_NIST_P224 = 8
} sa_elliptic_curve;

typedef enum {
	SA_BUFFER_TYPE_CLEAR = 0,
	SA_BUFFER_TYPE_SVP = 1
} sa_buffer_type;

typedef enum {
	SA_STATUS_OK = 0,
	SA_STATUS_NO_AVAILABLE_RESOURCE_SLOT = 1,
	SA_STATUS_INVALID_KEY_FORMAT = 2,
	SA_STATUS_INVALID_KEY_TYPE = 3,
	SA_STATUS_NULL_PARAMETER = 4,
	SA_STATUS_INVALID_PARAMETER = 5,
	SA_STATUS_OPERATION_NOT_ALLOWED = 6,
	SA_STATUS_INVALID_SVP_BUFFER = 7,
	SA_STATUS_OPERATION_NOT_SUPPORTED = 8,
	SA_STATUS_SELF_TEST = 9,
	SA_STATUS_VERIFICATION_FAILED = 10,
	SA_STATUS_INTERNAL_ERROR = 11,
	SA_STATUS_HW_ERROR = 12
} sa_status;

/* Bit numbers in sa_rights.usage_flags and child_usage_flags. */
typedef enum {
	SA_USAGE_FLAG_KEY_EXCHANGE = 0,
	SA_USAGE_FLAG_DERIVE = 1,
	SA_USAGE_FLAG_UNWRAP = 2,
	SA_USAGE_FLAG_ENCRYPT = 3,
	SA_USAGE_FLAG_DECRYPT = 4,
	SA_USAGE_FLAG_SIGN = 5,
	SA_USAGE_FLAG_ALLOWED_ANALOG_UNPROTECTED = 6,
	SA_USAGE_FLAG_ALLOWED_ANALOG_CGMSA = 7,
	SA_USAGE_FLAG_ALLOWED_DIGITAL_UNPROTECTED = 8,
	SA_USAGE_FLAG_ALLOWED_DIGITAL_HDCP14 = 9,
	SA_USAGE_FLAG_ALLOWED_DIGITAL_HDCP22 = 10,
	SA_USAGE_FLAG_ALLOWED_DIGITAL_DTCP = 11,
	SA_USAGE_FLAG_SVP_OPTIONAL = 12,
	SA_USAGE_FLAG_CACHEABLE = 13
} sa_usage_flags;

typedef struct {
	uint8_t id[16];
} sa_uuid;

#define MAX_NUM_ALLOWED_TA_IDS 32

/*
 * What a key may be used for, when, and by which callers. An allowed_tas
 * entry of all zero bytes is unused; one of all 0xff bytes allows every caller.
 * The times are seconds since the Unix epoch.
 */
typedef struct {
	char id[64];
	uint64_t usage_flags;
	uint64_t child_usage_flags;
	uint64_t not_before;
	uint64_t not_on_or_after;
	sa_uuid allowed_tas[MAX_NUM_ALLOWED_TA_IDS];
} sa_rights;

#define DH_MAX_MOD_SIZE 512

typedef union {
	sa_elliptic_curve curve;
	struct {
		uint8_t p[DH_MAX_MOD_SIZE];
		size_t p_length;
		uint8_t g[DH_MAX_MOD_SIZE];
		size_t g_length;
	} dh_parameters;
} sa_type_parameters;

/* What sa_key_header reports about a key. */
typedef struct {
	char magic[NUM_MAGIC];
	sa_rights rights;
	uint8_t type; /* an sa_key_type */
	sa_type_parameters type_parameters;
	uint16_t size;
} sa_header;

/* Cipher input or output: a clear memory range or a range of an SVP buffer. */
typedef struct {
	sa_buffer_type buffer_type;
	union {
		struct {
			void *buffer;
			size_t length;
			size_t offset;
		} clear;
		struct {
			sa_svp_buffer buffer;
			size_t offset;
		} svp;
	} context;
} sa_buffer;

/* sa_key_import parameters, by key format. */
typedef struct {
	const sa_rights *rights;
} sa_import_parameters_symmetric;

typedef struct {
	const sa_rights *rights;
	sa_elliptic_curve curve;
} sa_import_parameters_ec_private_bytes;

typedef struct {
	const sa_rights *rights;
} sa_import_parameters_rsa_private_key_info;

typedef struct {
	sa_key kcipher;
	sa_key khmac;
} sa_import_parameters_typej;

typedef struct {
	uint8_t length[2];
	uint8_t version;
	sa_rights default_rights;
	uint64_t object_id;
} sa_import_parameters_soc;

/* sa_key_generate parameters, by key type. */
typedef struct {
	size_t key_length;
} sa_generate_parameters_symmetric;

typedef struct {
	size_t modulus_length;
} sa_generate_parameters_rsa;

typedef struct {
	sa_elliptic_curve curve;
} sa_generate_parameters_ec;

typedef struct {
	const void *p;
	size_t p_length;
	const void *g;
	size_t g_length;
} sa_generate_parameters_dh;

/* sa_crypto_cipher_init parameters, by algorithm. */
typedef struct {
	const void *iv;
	size_t iv_length;
} sa_cipher_parameters_aes_cbc;

typedef struct {
	const void *ctr;
	size_t ctr_length;
} sa_cipher_parameters_aes_ctr;

typedef struct {
	const void *iv;
	size_t iv_length;
	const void *aad;
	size_t aad_length;
} sa_cipher_parameters_aes_gcm;

typedef struct {
	const void *counter;
	size_t counter_length;
	const void *nonce;
	size_t nonce_length;
} sa_cipher_parameters_chacha20;

typedef struct {
	const void *nonce;
	size_t nonce_length;
	const void *aad;
	size_t aad_length;
} sa_cipher_parameters_chacha20_poly1305;

typedef struct {
	sa_digest_algorithm digest_algorithm;
	sa_digest_algorithm mgf1_digest_algorithm;
	void *label;
	size_t label_length;
} sa_cipher_parameters_rsa_oaep;

/* sa_crypto_mac_init parameters for HMAC. */
typedef struct {
	sa_digest_algorithm digest_algorithm;
} sa_mac_parameters_hmac;

/* sa_crypto_cipher_process_last parameters of the AEAD ciphers. */
typedef struct {
	void *tag;
	size_t tag_length;
} sa_cipher_end_parameters_aes_gcm;

typedef sa_cipher_end_parameters_aes_gcm sa_cipher_end_parameters_chacha20_poly1305;

/* sa_key_unwrap parameters: of the key type, then of the cipher. */
typedef struct {
	sa_elliptic_curve curve;
} sa_unwrap_type_parameters_ec;

typedef struct {
	const void *iv;
	size_t iv_length;
} sa_unwrap_parameters_aes_cbc;

typedef struct {
	const void *ctr;
	size_t ctr_length;
} sa_unwrap_parameters_aes_ctr;

typedef struct {
	const void *iv;
	size_t iv_length;
	const void *aad;
	size_t aad_length;
	const void *tag;
	size_t tag_length;
} sa_unwrap_parameters_aes_gcm;

typedef struct {
	const void *counter;
	size_t counter_length;
	const void *nonce;
	size_t nonce_length;
} sa_unwrap_parameters_chacha20;

typedef struct {
	const void *nonce;
	size_t nonce_length;
	const void *aad;
	size_t aad_length;
	const void *tag;
	size_t tag_length;
} sa_unwrap_parameters_chacha20_poly1305;

typedef struct {
	sa_digest_algorithm digest_algorithm;
	sa_digest_algorithm mgf1_digest_algorithm;
	void *label;
	size_t label_length;
} sa_unwrap_parameters_rsa_oaep;

typedef struct {
	size_t offset;
	size_t key_length;
} sa_unwrap_parameters_ec_elgamal;

/* sa_crypto_sign parameters, by algorithm (EdDSA takes none). */
typedef struct {
	sa_digest_algorithm digest_algorithm;
	sa_digest_algorithm mgf1_digest_algorithm;
	bool precomputed_digest;
	size_t salt_length;
} sa_sign_parameters_rsa_pss;

typedef struct {
	sa_digest_algorithm digest_algorithm;
	bool precomputed_digest;
} sa_sign_parameters_rsa_pkcs1v15;

typedef struct {
	sa_digest_algorithm digest_algorithm;
	bool precomputed_digest;
} sa_sign_parameters_ecdsa;

/* sa_key_derive parameters, by KDF. */
typedef struct {
	const void *c1;
	size_t c1_length;
	const void *c2;
	size_t c2_length;
	const void *c3;
	size_t c3_length;
	const void *c4;
	size_t c4_length;
} sa_kdf_parameters_root_key_ladder;

typedef struct {
	size_t key_length;
	sa_digest_algorithm digest_algorithm;
	sa_key parent;
	const void *salt;
	size_t salt_length;
	const void *info;
	size_t info_length;
} sa_kdf_parameters_hkdf;

typedef struct {
	size_t key_length;
	sa_digest_algorithm digest_algorithm;
	sa_key parent;
	const void *info;
	size_t info_length;
} sa_kdf_parameters_concat;

typedef struct {
	size_t key_length;
	sa_digest_algorithm digest_algorithm;
	sa_key parent;
	const void *info;
	size_t info_length;
} sa_kdf_parameters_ansi_x963;

typedef struct {
	size_t key_length;
	sa_key parent;
	const void *other_data;
	size_t other_data_length;
	uint8_t counter;
} sa_kdf_parameters_cmac;

typedef struct {
	sa_key kenc;
	sa_key khmac;
} sa_kdf_parameters_netflix;

/* sa_key_exchange parameters of Netflix authenticated DH. */
typedef struct {
	sa_key in_kw;
	sa_key *out_ke;
	sa_rights *rights_ke;
	sa_key *out_kh;
	sa_rights *rights_kh;
} sa_key_exchange_parameters_netflix_authenticated_dh;

/* One range moved by sa_svp_buffer_write or sa_svp_buffer_copy. */
typedef struct {
	size_t out_offset;
	size_t in_offset;
	size_t length;
} sa_svp_offset;

/* sa_key_provision_ta: what is provisioned, and its parameters. */
typedef enum {
	WIDEVINE_OEM_PROVISIONING,
	PLAYREADY_MODEL_PROVISIONING,
	APPLE_MFI_PROVISIONING,
	APPLE_FAIRPLAY_PROVISIONING,
	NETFLIX_PROVISIONING
} sa_key_type_ta;

typedef enum {
	PLAYREADY_MODEL_2K,
	PLAYREADY_MODEL_3K
} PLAYREADY_MODEL_TYPE;

typedef struct {
	unsigned int oemDevicePrivateKeyLength;
	void *oemDevicePrivateKey;
	unsigned int oemDeviceCertificateLength;
	void *oemDeviceCertificate;
} WidevineOemProvisioning;

typedef struct {
	unsigned int modelType;
	unsigned int privateKeyLength;
	void *privateKey;
	unsigned int modelCertificateLength;
	void *modelCertificate;
} PlayReadyProvisioning;

typedef struct {
	unsigned int encryptionKeyLength;
	void *encryptionKey;
	unsigned int hmacKeyLength;
	void *hmacKey;
	unsigned int wrappingKeyLength;
	void *wrappingKey;
	unsigned int esnContainerLength;
	void *esnContainer;
} NetflixProvisioning;

typedef struct {
	unsigned int mfiBaseKeyLength;
	void *mfiBaseKey;
	unsigned int mfiProvisioningObjectLength;
	void *mfiProvisioningObject;
} AppleMfiProvisioning;

typedef struct {
	unsigned int fairPlaySecretLength;
	void *fairPlaySecret;
} AppleFairPlayProvisioning;

/* The LP64 layouts of the reference, which the SecAPI TA's protocol carries. */
#if defined(__LP64__) && !defined(__cplusplus)
_Static_assert(sizeof(sa_uuid) == 16, "sa_uuid layout");
_Static_assert(sizeof(sa_version) == 32, "sa_version layout");
_Static_assert(offsetof(sa_rights, usage_flags) == 64, "sa_rights layout");
_Static_assert(offsetof(sa_rights, allowed_tas) == 96, "sa_rights layout");
_Static_assert(sizeof(sa_rights) == 608, "sa_rights layout");
_Static_assert(offsetof(sa_header, rights) == 8, "sa_header layout");
_Static_assert(offsetof(sa_header, type) == 616, "sa_header layout");
_Static_assert(offsetof(sa_header, type_parameters) == 624, "sa_header layout");
_Static_assert(offsetof(sa_header, size) == 1664, "sa_header layout");
_Static_assert(sizeof(sa_header) == 1672, "sa_header layout");
_Static_assert(sizeof(sa_buffer) == 32, "sa_buffer layout");
_Static_assert(sizeof(sa_import_parameters_soc) == 624, "sa_import_parameters_soc layout");
#endif

#ifdef __cplusplus
}
#endif

#endif /* SA_TYPES_H */

/*
 * sa_test: a test of a SecAPI 3 client library (sa.h), written from the API
 * against gotee's SecAPI TA: information, random, symmetric and EC keys, the AES
 * ciphers, CMAC and HMAC (with published test vectors), and the parameter and
 * handle checks every call makes. It prints "N passed, M failed" and exits
 * non-zero if anything failed. Calls the TA does not implement yet must answer
 * SA_STATUS_OPERATION_NOT_SUPPORTED; they are checked as such.
 */
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

#define EXPECT(call, want)                                                             \
	do {                                                                           \
		sa_status got_ = (call);                                               \
		CHECK(got_ == (want), "%s = %d, want %d (%s)", #call, got_, (want), #want); \
	} while (0)

static void hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static sa_rights all_rights(void)
{
	sa_rights r;
	memset(&r, 0, sizeof(r));
	strcpy(r.id, "sa_test");
	r.usage_flags = SA_KEY_USAGE_MASK | SA_USAGE_OUTPUT_PROTECTIONS_MASK |
			SA_USAGE_BIT_MASK(SA_USAGE_FLAG_CACHEABLE);
	r.not_on_or_after = UINT64_MAX;
	memset(&r.allowed_tas[0], 0xff, sizeof(sa_uuid));
	return r;
}

static sa_key import(const uint8_t *k, size_t n, const sa_rights *r)
{
	sa_key key = INVALID_HANDLE;
	sa_import_parameters_symmetric p = { r };
	EXPECT(sa_key_import(&key, SA_KEY_FORMAT_SYMMETRIC_BYTES, k, n, &p), SA_STATUS_OK);
	return key;
}

static sa_buffer clear_buffer(void *b, size_t n)
{
	sa_buffer buf;
	memset(&buf, 0, sizeof(buf));
	buf.buffer_type = SA_BUFFER_TYPE_CLEAR;
	buf.context.clear.buffer = b;
	buf.context.clear.length = n;
	return buf;
}

static void test_info(void)
{
	sa_version v;
	EXPECT(sa_get_version(&v), SA_STATUS_OK);
	CHECK(v.specification_major == SA_SPECIFICATION_MAJOR &&
		      v.specification_minor == SA_SPECIFICATION_MINOR &&
		      v.specification_revision == SA_SPECIFICATION_REVISION,
	      "version %lu.%lu.%lu", (unsigned long)v.specification_major,
	      (unsigned long)v.specification_minor, (unsigned long)v.specification_revision);
	EXPECT(sa_get_version(NULL), SA_STATUS_NULL_PARAMETER);

	size_t n = 0;
	EXPECT(sa_get_name(NULL, &n), SA_STATUS_OK);
	CHECK(n > 1, "name length %zu", n);
	char name[256];
	size_t short_n = n - 1;
	EXPECT(sa_get_name(name, &short_n), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_get_name(name, &n), SA_STATUS_OK);
	CHECK(strlen(name) + 1 == n, "name %s, length %zu", name, n);
	EXPECT(sa_get_name(name, NULL), SA_STATUS_NULL_PARAMETER);

	uint64_t id1 = 0, id2 = 1;
	EXPECT(sa_get_device_id(&id1), SA_STATUS_OK);
	EXPECT(sa_get_device_id(&id2), SA_STATUS_OK);
	CHECK(id1 == id2, "device id changes: %lx %lx", (unsigned long)id1, (unsigned long)id2);
	EXPECT(sa_get_device_id(NULL), SA_STATUS_NULL_PARAMETER);

	sa_uuid u;
	EXPECT(sa_get_ta_uuid(&u), SA_STATUS_OK);
	EXPECT(sa_get_ta_uuid(NULL), SA_STATUS_NULL_PARAMETER);
}

static void test_random(void)
{
	uint8_t a[64], b[64];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	EXPECT(sa_crypto_random(a, sizeof(a)), SA_STATUS_OK);
	EXPECT(sa_crypto_random(b, sizeof(b)), SA_STATUS_OK);
	CHECK(memcmp(a, b, sizeof(a)) != 0, "two random blocks are equal");
	EXPECT(sa_crypto_random(NULL, 16), SA_STATUS_NULL_PARAMETER);
	static uint8_t big[3 << 20];
	EXPECT(sa_crypto_random(big, sizeof(big)), SA_STATUS_OK);
}

static void test_keys(void)
{
	sa_rights r = all_rights();
	sa_key key = INVALID_HANDLE;
	sa_generate_parameters_symmetric gs = { 32 };
	EXPECT(sa_key_generate(&key, &r, SA_KEY_TYPE_SYMMETRIC, &gs), SA_STATUS_OK);
	EXPECT(sa_key_generate(NULL, &r, SA_KEY_TYPE_SYMMETRIC, &gs), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_generate(&key, NULL, SA_KEY_TYPE_SYMMETRIC, &gs), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_generate(&key, &r, SA_KEY_TYPE_SYMMETRIC, NULL), SA_STATUS_NULL_PARAMETER);

	sa_header h;
	EXPECT(sa_key_header(&h, key), SA_STATUS_OK);
	CHECK(memcmp(h.magic, "sak0", 4) == 0, "magic %.4s", h.magic);
	CHECK(h.type == SA_KEY_TYPE_SYMMETRIC && h.size == 32, "type %u size %u", h.type, h.size);
	CHECK(strcmp(h.rights.id, "sa_test") == 0 && h.rights.usage_flags == r.usage_flags,
	      "rights id %s usage %lx", h.rights.id, (unsigned long)h.rights.usage_flags);
	EXPECT(sa_key_header(NULL, key), SA_STATUS_NULL_PARAMETER);

	size_t n = 0;
	EXPECT(sa_key_digest(NULL, &n, key, SA_DIGEST_ALGORITHM_SHA256), SA_STATUS_OK);
	CHECK(n == 32, "digest length %zu", n);
	uint8_t d1[64], d2[64];
	EXPECT(sa_key_digest(d1, &n, key, SA_DIGEST_ALGORITHM_SHA256), SA_STATUS_OK);
	EXPECT(sa_key_digest(d2, &n, key, SA_DIGEST_ALGORITHM_SHA256), SA_STATUS_OK);
	CHECK(memcmp(d1, d2, 32) == 0, "digest changes");
	n = 16;
	EXPECT(sa_key_digest(d1, &n, key, SA_DIGEST_ALGORITHM_SHA256), SA_STATUS_INVALID_PARAMETER);

	EXPECT(sa_key_release(key), SA_STATUS_OK);
	EXPECT(sa_key_release(key), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_header(&h, key), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_release(INVALID_HANDLE), SA_STATUS_INVALID_PARAMETER);

	uint8_t raw[16] = { 1 };
	sa_import_parameters_symmetric ip = { &r };
	EXPECT(sa_key_import(&key, SA_KEY_FORMAT_SYMMETRIC_BYTES, NULL, 16, &ip),
	       SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_import(&key, SA_KEY_FORMAT_SYMMETRIC_BYTES, raw, 16, NULL),
	       SA_STATUS_NULL_PARAMETER);
	key = import(raw, sizeof(raw), &r);
	EXPECT(sa_key_header(&h, key), SA_STATUS_OK);
	CHECK(h.size == 16, "imported size %u", h.size);
	EXPECT(sa_key_release(key), SA_STATUS_OK);

	/* An EC key and its SubjectPublicKeyInfo: P-256 is 91 bytes of DER. */
	sa_generate_parameters_ec ge = { SA_ELLIPTIC_CURVE_NIST_P256 };
	EXPECT(sa_key_generate(&key, &r, SA_KEY_TYPE_EC, &ge), SA_STATUS_OK);
	n = 0;
	EXPECT(sa_key_get_public(NULL, &n, key), SA_STATUS_OK);
	CHECK(n == 91, "P-256 public key length %zu", n);
	uint8_t spki[256];
	n = sizeof(spki);
	EXPECT(sa_key_get_public(spki, &n, key), SA_STATUS_OK);
	CHECK(n == 91 && spki[0] == 0x30 && spki[26] == 0x04, "SPKI %02x %02x", spki[0], spki[26]);
	n = 10;
	EXPECT(sa_key_get_public(spki, &n, key), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_get_public(spki, NULL, key), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_header(&h, key), SA_STATUS_OK);
	CHECK(h.type == SA_KEY_TYPE_EC && h.type_parameters.curve == SA_ELLIPTIC_CURVE_NIST_P256,
	      "EC header type %u curve %d", h.type, h.type_parameters.curve);
	EXPECT(sa_key_release(key), SA_STATUS_OK);
}

/* run_cipher does init, process (all but the last block) and process-last. */
static size_t run_cipher(sa_cipher_algorithm alg, sa_cipher_mode mode, sa_key key, void *params,
			 const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	sa_crypto_cipher_context ctx = INVALID_HANDLE;
	EXPECT(sa_crypto_cipher_init(&ctx, alg, mode, key, params), SA_STATUS_OK);
	sa_buffer ib = clear_buffer((void *)in, n), ob = clear_buffer(out, cap);
	size_t first = n > 16 ? (n - 1) / 16 * 16 : 0;
	size_t todo = first;
	if (first > 0) {
		EXPECT(sa_crypto_cipher_process(&ob, ctx, &ib, &todo), SA_STATUS_OK);
		CHECK(todo == first && ib.context.clear.offset == first &&
			      ob.context.clear.offset == first,
		      "process wrote %zu, offsets %zu %zu", todo, ib.context.clear.offset,
		      ob.context.clear.offset);
	}
	todo = n - first;
	EXPECT(sa_crypto_cipher_process_last(&ob, ctx, &ib, &todo, NULL), SA_STATUS_OK);
	EXPECT(sa_crypto_cipher_release(ctx), SA_STATUS_OK);
	return ob.context.clear.offset;
}

static void test_ciphers(void)
{
	sa_rights r = all_rights();
	uint8_t k[16], pt[16], ct[16], out[64];
	/* FIPS-197 appendix C.1. */
	hex("000102030405060708090a0b0c0d0e0f", k, 16);
	hex("00112233445566778899aabbccddeeff", pt, 16);
	hex("69c4e0d86a7b0430d8cdb78070b4c55a", ct, 16);
	sa_key key = import(k, 16, &r);

	size_t n = run_cipher(SA_CIPHER_ALGORITHM_AES_ECB, SA_CIPHER_MODE_ENCRYPT, key, NULL, pt,
			      16, out, sizeof(out));
	CHECK(n == 16 && memcmp(out, ct, 16) == 0, "AES-128 ECB FIPS-197 vector");
	n = run_cipher(SA_CIPHER_ALGORITHM_AES_ECB, SA_CIPHER_MODE_DECRYPT, key, NULL, ct, 16, out,
		       sizeof(out));
	CHECK(n == 16 && memcmp(out, pt, 16) == 0, "AES-128 ECB decrypt");

	/* Round trips of 100 bytes, padded or not. */
	uint8_t msg[100], enc[128], dec[128];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7);
	uint8_t iv[16] = { 9, 8, 7 };
	sa_cipher_parameters_aes_cbc cbc = { iv, 16 };
	n = run_cipher(SA_CIPHER_ALGORITHM_AES_CBC_PKCS7, SA_CIPHER_MODE_ENCRYPT, key, &cbc, msg,
		       100, enc, sizeof(enc));
	CHECK(n == 112, "CBC-PKCS7 ciphertext length %zu", n);
	n = run_cipher(SA_CIPHER_ALGORITHM_AES_CBC_PKCS7, SA_CIPHER_MODE_DECRYPT, key, &cbc, enc, n,
		       dec, sizeof(dec));
	CHECK(n == 100 && memcmp(dec, msg, 100) == 0, "CBC-PKCS7 round trip (%zu)", n);

	sa_cipher_parameters_aes_ctr ctr = { iv, 16 };
	n = run_cipher(SA_CIPHER_ALGORITHM_AES_CTR, SA_CIPHER_MODE_ENCRYPT, key, &ctr, msg, 100,
		       enc, sizeof(enc));
	CHECK(n == 100, "CTR length %zu", n);
	n = run_cipher(SA_CIPHER_ALGORITHM_AES_CTR, SA_CIPHER_MODE_DECRYPT, key, &ctr, enc, 100,
		       dec, sizeof(dec));
	CHECK(n == 100 && memcmp(dec, msg, 100) == 0, "CTR round trip");

	/* Sizes asked with out NULL. */
	sa_crypto_cipher_context ctx;
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_AES_ECB_PKCS7, SA_CIPHER_MODE_ENCRYPT,
				     key, NULL),
	       SA_STATUS_OK);
	sa_buffer ib = clear_buffer(msg, 100);
	size_t todo = 16;
	EXPECT(sa_crypto_cipher_process_last(NULL, ctx, &ib, &todo, NULL), SA_STATUS_OK);
	CHECK(todo == 32, "ECB-PKCS7 last of 16 needs %zu", todo);
	todo = 32;
	EXPECT(sa_crypto_cipher_process(NULL, ctx, &ib, &todo), SA_STATUS_OK);
	CHECK(todo == 48, "process of 32 needs %zu (the padded size, as the reference)", todo);
	sa_buffer small = clear_buffer(enc, 8);
	todo = 16;
	EXPECT(sa_crypto_cipher_process(&small, ctx, &ib, &todo), SA_STATUS_INVALID_PARAMETER);
	todo = 200;
	EXPECT(sa_crypto_cipher_process(NULL, ctx, &ib, &todo), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_crypto_cipher_process(NULL, ctx, NULL, &todo), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_crypto_cipher_release(ctx), SA_STATUS_OK);
	EXPECT(sa_crypto_cipher_release(ctx), SA_STATUS_INVALID_PARAMETER);
	todo = 16;
	EXPECT(sa_crypto_cipher_process(NULL, ctx, &ib, &todo), SA_STATUS_INVALID_PARAMETER);

	EXPECT(sa_crypto_cipher_init(NULL, SA_CIPHER_ALGORITHM_AES_ECB, SA_CIPHER_MODE_ENCRYPT, key,
				     NULL),
	       SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_AES_CBC, SA_CIPHER_MODE_ENCRYPT, key,
				     NULL),
	       SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_AES_ECB, SA_CIPHER_MODE_ENCRYPT,
				     INVALID_HANDLE, NULL),
	       SA_STATUS_INVALID_PARAMETER);

	/* GCM with AAD and a tag; a changed tag fails. */
	uint8_t nonce[12] = { 1, 2, 3 }, aad[5] = "head", tag[16], tag2[16];
	sa_cipher_parameters_aes_gcm gcm = { nonce, 12, aad, sizeof(aad) };
	sa_cipher_end_parameters_aes_gcm end = { tag, 16 };
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_AES_GCM, SA_CIPHER_MODE_ENCRYPT, key,
				     &gcm),
	       SA_STATUS_OK);
	ib = clear_buffer(msg, 100);
	sa_buffer ob = clear_buffer(enc, sizeof(enc));
	todo = 100;
	EXPECT(sa_crypto_cipher_process_last(&ob, ctx, &ib, &todo, &end), SA_STATUS_OK);
	CHECK(todo == 100, "GCM wrote %zu", todo);
	EXPECT(sa_crypto_cipher_release(ctx), SA_STATUS_OK);

	for (int bad = 0; bad < 2; bad++) {
		memcpy(tag2, tag, 16);
		tag2[0] ^= (uint8_t)bad;
		sa_cipher_end_parameters_aes_gcm dend = { tag2, 16 };
		EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_AES_GCM,
					     SA_CIPHER_MODE_DECRYPT, key, &gcm),
		       SA_STATUS_OK);
		ib = clear_buffer(enc, 100);
		ob = clear_buffer(dec, sizeof(dec));
		todo = 100;
		EXPECT(sa_crypto_cipher_process_last(&ob, ctx, &ib, &todo, &dend),
		       bad ? SA_STATUS_VERIFICATION_FAILED : SA_STATUS_OK);
		if (!bad)
			CHECK(todo == 100 && memcmp(dec, msg, 100) == 0, "GCM round trip");
		EXPECT(sa_crypto_cipher_release(ctx), SA_STATUS_OK);
	}

	/* Not implemented by the TA yet. */
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_RSA_PKCS1V15,
				     SA_CIPHER_MODE_DECRYPT, key, NULL),
	       SA_STATUS_OPERATION_NOT_SUPPORTED);
	EXPECT(sa_key_release(key), SA_STATUS_OK);
}

static void test_macs(void)
{
	sa_rights r = all_rights();
	uint8_t k[20], want[32], mac[64];
	size_t n;
	sa_crypto_mac_context ctx;

	/* RFC 4493 example 1: the CMAC of the empty message. */
	hex("2b7e151628aed2a6abf7158809cf4f3c", k, 16);
	hex("bb1d6929e95937287fa37d129b756746", want, 16);
	sa_key key = import(k, 16, &r);
	EXPECT(sa_crypto_mac_init(&ctx, SA_MAC_ALGORITHM_CMAC, key, NULL), SA_STATUS_OK);
	n = 0;
	EXPECT(sa_crypto_mac_compute(NULL, &n, ctx), SA_STATUS_OK);
	CHECK(n == 16, "CMAC length %zu", n);
	EXPECT(sa_crypto_mac_compute(mac, &n, ctx), SA_STATUS_OK);
	CHECK(n == 16 && memcmp(mac, want, 16) == 0, "CMAC RFC 4493 example 1");
	EXPECT(sa_crypto_mac_compute(mac, &n, ctx), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_crypto_mac_release(ctx), SA_STATUS_OK);
	EXPECT(sa_crypto_mac_release(ctx), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_release(key), SA_STATUS_OK);

	/* RFC 4231 test case 1, in two pieces. */
	memset(k, 0x0b, 20);
	hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", want, 32);
	key = import(k, 20, &r);
	sa_mac_parameters_hmac hp = { SA_DIGEST_ALGORITHM_SHA256 };
	EXPECT(sa_crypto_mac_init(&ctx, SA_MAC_ALGORITHM_HMAC, key, NULL), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_crypto_mac_init(&ctx, SA_MAC_ALGORITHM_HMAC, key, &hp), SA_STATUS_OK);
	EXPECT(sa_crypto_mac_process(ctx, "Hi ", 3), SA_STATUS_OK);
	EXPECT(sa_crypto_mac_process(ctx, "There", 5), SA_STATUS_OK);
	EXPECT(sa_crypto_mac_process(ctx, NULL, 5), SA_STATUS_NULL_PARAMETER);
	n = 31;
	EXPECT(sa_crypto_mac_compute(mac, &n, ctx), SA_STATUS_INVALID_PARAMETER);
	n = sizeof(mac);
	EXPECT(sa_crypto_mac_compute(mac, &n, ctx), SA_STATUS_OK);
	CHECK(n == 32 && memcmp(mac, want, 32) == 0, "HMAC-SHA256 RFC 4231 test case 1");
	EXPECT(sa_crypto_mac_release(ctx), SA_STATUS_OK);

	/* process_key: HMAC over a key's bytes equals HMAC over those bytes. */
	uint8_t kb[16] = { 5, 4, 3 }, m1[32], m2[32];
	sa_key other = import(kb, 16, &r);
	EXPECT(sa_crypto_mac_init(&ctx, SA_MAC_ALGORITHM_HMAC, key, &hp), SA_STATUS_OK);
	EXPECT(sa_crypto_mac_process_key(ctx, other), SA_STATUS_OK);
	n = 32;
	EXPECT(sa_crypto_mac_compute(m1, &n, ctx), SA_STATUS_OK);
	EXPECT(sa_crypto_mac_release(ctx), SA_STATUS_OK);
	EXPECT(sa_crypto_mac_init(&ctx, SA_MAC_ALGORITHM_HMAC, key, &hp), SA_STATUS_OK);
	EXPECT(sa_crypto_mac_process(ctx, kb, 16), SA_STATUS_OK);
	n = 32;
	EXPECT(sa_crypto_mac_compute(m2, &n, ctx), SA_STATUS_OK);
	EXPECT(sa_crypto_mac_release(ctx), SA_STATUS_OK);
	CHECK(memcmp(m1, m2, 32) == 0, "mac_process_key differs from mac_process");
	EXPECT(sa_crypto_mac_init(&ctx, SA_MAC_ALGORITHM_CMAC, INVALID_HANDLE, NULL),
	       SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_release(other), SA_STATUS_OK);
	EXPECT(sa_key_release(key), SA_STATUS_OK);
}

static void test_unsupported(void)
{
	uint8_t buf[16];
	size_t n = sizeof(buf);
	sa_rights r = all_rights();
	sa_key key;
	sa_generate_parameters_symmetric gs = { 16 };
	EXPECT(sa_key_generate(&key, &r, SA_KEY_TYPE_SYMMETRIC, &gs), SA_STATUS_OK);
	EXPECT(sa_svp_supported(), SA_STATUS_OPERATION_NOT_SUPPORTED);
	EXPECT(sa_key_export(buf, &n, NULL, 0, key), SA_STATUS_OPERATION_NOT_SUPPORTED);
	EXPECT(sa_key_export(buf, NULL, NULL, 0, key), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_crypto_sign(buf, &n, SA_SIGNATURE_ALGORITHM_ECDSA, key, buf, 16, NULL),
	       SA_STATUS_OPERATION_NOT_SUPPORTED);
	sa_sample s;
	memset(&s, 0, sizeof(s));
	EXPECT(sa_process_common_encryption(1, &s), SA_STATUS_OPERATION_NOT_SUPPORTED);
	EXPECT(sa_key_release(key), SA_STATUS_OK);
}

int main(void)
{
	test_info();
	test_random();
	test_keys();
	test_ciphers();
	test_macs();
	test_unsupported();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

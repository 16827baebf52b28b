/*
 * sa_test: a test of a SecAPI 3 client library (sa.h), written from the API
 * against gotee's SecAPI TA: information, random, symmetric, EC, RSA and DH keys,
 * the AES ciphers, CMAC and HMAC (with published test vectors), signatures, key
 * exchange, derivation and export, and the parameter and handle checks every
 * call makes. Lines "VERIFY ..." and "KDF ..." are checked by the Go test. It prints "N passed, M failed" and exits
 * non-zero if anything failed. Calls the TA does not implement yet must answer
 * SA_STATUS_OPERATION_NOT_SUPPORTED; they are checked as such.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa.h"
#include "sa_check.h"

static sa_rights all_rights(void) { return rights_all("sa_test"); }

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
	key = import_sym(raw, sizeof(raw), &r);
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

/* run_cipher does init, process (all but the last block) and process-last. A PKCS#7
 * decryption's process keeps its last block back (it may be the padding), as the
 * reference's does, and process-last gives it out unpadded. */
static size_t run_cipher(sa_cipher_algorithm alg, sa_cipher_mode mode, sa_key key, void *params,
			 const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	sa_crypto_cipher_context ctx = INVALID_HANDLE;
	EXPECT(sa_crypto_cipher_init(&ctx, alg, mode, key, params), SA_STATUS_OK);
	sa_buffer ib = clear_buffer((void *)in, n), ob = clear_buffer(out, cap);
	size_t first = n > 16 ? (n - 1) / 16 * 16 : 0;
	size_t todo = first;
	int held = mode == SA_CIPHER_MODE_DECRYPT && (alg == SA_CIPHER_ALGORITHM_AES_CBC_PKCS7 ||
						      alg == SA_CIPHER_ALGORITHM_AES_ECB_PKCS7);
	size_t want = held ? first - 16 : first;
	if (first > 0) {
		EXPECT(sa_crypto_cipher_process(&ob, ctx, &ib, &todo), SA_STATUS_OK);
		CHECK(todo == want && ib.context.clear.offset == first &&
			      ob.context.clear.offset == want,
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
	sa_key key = import_sym(k, 16, &r);

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

	/* RSA decryption on an AES key (sa_unwrap_test.c has the RSA ciphers). */
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_RSA_PKCS1V15,
				     SA_CIPHER_MODE_DECRYPT, key, NULL),
	       SA_STATUS_INVALID_KEY_TYPE);
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
	sa_key key = import_sym(k, 16, &r);
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
	key = import_sym(k, 20, &r);
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
	sa_key other = import_sym(kb, 16, &r);
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

/*
 * Fixed test keys (made with Go's crypto/x509 for this test): a P-256 and an
 * RSA-1024 key as PKCS#8 with their SubjectPublicKeyInfo, and a 512-bit prime
 * for DH.
 */
static const char ec_pkcs8[] =
	"308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b020101042051758b49"
	"c8410397b4e7ff9699145a625a61296f4275a77848ab6a5c1f7637d0a14403420004ea54c38ce783"
	"109e10d0e62b42562040a60d8ffe9ca73249eb387103fb6a4a2f58af9ece4868bdd3c318d3fb8180"
	"67e370f1f28180915d23307bb71fbd90dcaa";
static const char ec_spki[] =
	"3059301306072a8648ce3d020106082a8648ce3d03010703420004ea54c38ce783109e10d0e62b42"
	"562040a60d8ffe9ca73249eb387103fb6a4a2f58af9ece4868bdd3c318d3fb818067e370f1f28180"
	"915d23307bb71fbd90dcaa";
static const char rsa_pkcs8[] =
	"30820277020100300d06092a864886f70d0101010500048202613082025d02010002818100e91251"
	"d6887c9ba6d9c187dc7c01a613f73b3ae921686a59abff31b221242517809717d617a76a578f2008"
	"e8cd0a9ae88ff5fd4b4cfec4e1367915637674d041f4356a0cae7bbdde879a5d8452850cc3f51238"
	"d09d5b562a57528f78b7f88b7738250a198317b44e89b9635831f2bc25c4b3e616059114a4effd6b"
	"94b66d5fb1020301000102818005d1c8020eef1933d5ad86a6e7c905a9a5987c4758cfa6fb0d7a8a"
	"7606b22d6f4756ad003b7cc8752450a12e2341f37098333f15a3b227584f7f8504d54bfb32ccbaa1"
	"193b5a0677074d1949a60848e5814070c58bfe469230cf0efaf943de9ef9ea78ebaa31066768060b"
	"7c37bc65c768ca208bab62ecd108094dff47291dc1024100f64a35b37f7121fbadcf09befb56f8b1"
	"4131d6c8d0c4d61964d035e6af9ee6c5135b8547dfcec491a5c1dd3e9045935d7af7b1bf394834f9"
	"3e93a666f702e62f024100f242b2b866f735c6c17b9735a1be49e4f81f8dec16a0cb506b25500958"
	"dbb58b7d3185e82252db139b8c40577a53a9e4ba97048e46796cd19e463ce542c4801f0241009f02"
	"7a7951267192543cff45d66fe850488f2ce4aa24eb35a9e8e363f4aedabf12285c7c72fac3de64ee"
	"2d315f640c28a66394d6a8dcfd968dd835eef43b62f1024100c9b2c661c93861498da57c8b6692ab"
	"ab3af9ea8b797b7e4b022a1aaced925f60376797f9613a62b3bc79d4c8004ccfd26397806f84356c"
	"6849c268c8e801fa3902401a06ec3c9898eb05225750136ee0460acbba84dcf55c302b1cbc892fa0"
	"0535597ebea8e7f19667cdcb11c1b2a72421e46a479ac0f6a09bd8b6c00126129cd2f1";
static const char rsa_spki[] =
	"30819f300d06092a864886f70d010101050003818d0030818902818100e91251d6887c9ba6d9c187"
	"dc7c01a613f73b3ae921686a59abff31b221242517809717d617a76a578f2008e8cd0a9ae88ff5fd"
	"4b4cfec4e1367915637674d041f4356a0cae7bbdde879a5d8452850cc3f51238d09d5b562a57528f"
	"78b7f88b7738250a198317b44e89b9635831f2bc25c4b3e616059114a4effd6b94b66d5fb1020301"
	"0001";
static const char dh_p[] =
	"f95a34e8ae06b1e1ff57ec1f52328ac2851fea7daccf6fffe2d2c9d5f6ed0f2afe24bcf0bd2e0cd2"
	"b26935882709189048d7d9923da471f7f1dfbd2cf87ce271";
/* unhex decodes a constant above into a malloc'd buffer. */
static uint8_t *unhex(const char *s, size_t *n)
{
	*n = strlen(s) / 2;
	uint8_t *b = malloc(*n);
	hex(s, b, *n);
	return b;
}

/* print_hex writes " <hex>" for the Go side of the test. */
static void print_hex(const void *b, size_t n)
{
	printf(" ");
	for (size_t i = 0; i < n; i++)
		printf("%02x", ((const uint8_t *)b)[i]);
	if (n == 0)
		printf("-");
}

/*
 * sign_and_report signs msg with key, checks the size query and a short buffer,
 * and prints "VERIFY <name> <spki> <msg> <signature>": e2e/secapi_c_test.go
 * verifies each with Go's crypto.
 */
static void sign_and_report(const char *name, sa_key key, sa_signature_algorithm alg,
			    const void *params, const uint8_t *msg, size_t msg_len, size_t want_len)
{
	uint8_t sig[512], spki[1024];
	size_t n = 0;
	EXPECT(sa_crypto_sign(NULL, &n, alg, key, msg, msg_len, params), SA_STATUS_OK);
	CHECK(n == want_len, "%s: signature length %zu, want %zu", name, n, want_len);
	size_t short_n = n - 1;
	EXPECT(sa_crypto_sign(sig, &short_n, alg, key, msg, msg_len, params),
	       SA_STATUS_INVALID_PARAMETER);
	n = sizeof(sig);
	EXPECT(sa_crypto_sign(sig, &n, alg, key, msg, msg_len, params), SA_STATUS_OK);
	CHECK(n == want_len, "%s: signed %zu bytes, want %zu", name, n, want_len);
	size_t spki_len = sizeof(spki);
	EXPECT(sa_key_get_public(spki, &spki_len, key), SA_STATUS_OK);
	printf("VERIFY %s", name);
	print_hex(spki, spki_len);
	print_hex(msg, msg_len);
	print_hex(sig, n);
	printf("\n");
}

static void test_sign(void)
{
	sa_rights r = all_rights();
	sa_key key;
	const uint8_t msg[] = "the quick brown fox jumps over the lazy dog";
	uint8_t buf[512];
	size_t n = sizeof(buf);

	/* EC: generated P-256 (ECDSA), Ed25519 and Ed448 (EdDSA). */
	sa_generate_parameters_ec ge = { SA_ELLIPTIC_CURVE_NIST_P256 };
	EXPECT(sa_key_generate(&key, &r, SA_KEY_TYPE_EC, &ge), SA_STATUS_OK);
	sa_sign_parameters_ecdsa ep = { SA_DIGEST_ALGORITHM_SHA256, false };
	sign_and_report("ecdsa-sha256", key, SA_SIGNATURE_ALGORITHM_ECDSA, &ep, msg, sizeof(msg) - 1,
			64);
	EXPECT(sa_crypto_sign(buf, &n, SA_SIGNATURE_ALGORITHM_ECDSA, key, msg, 4, NULL),
	       SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_crypto_sign(buf, NULL, SA_SIGNATURE_ALGORITHM_ECDSA, key, msg, 4, &ep),
	       SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_crypto_sign(buf, &n, SA_SIGNATURE_ALGORITHM_ECDSA, key, NULL, 4, &ep),
	       SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_crypto_sign(buf, &n, (sa_signature_algorithm)9, key, msg, 4, &ep),
	       SA_STATUS_INVALID_PARAMETER);
	/* EdDSA on a NIST key, and an RSA algorithm on an EC key. */
	EXPECT(sa_crypto_sign(buf, &n, SA_SIGNATURE_ALGORITHM_EDDSA, key, msg, 4, NULL),
	       SA_STATUS_INVALID_PARAMETER);
	sa_sign_parameters_rsa_pkcs1v15 pk = { SA_DIGEST_ALGORITHM_SHA256, false };
	EXPECT(sa_crypto_sign(buf, &n, SA_SIGNATURE_ALGORITHM_RSA_PKCS1V15, key, msg, 4, &pk),
	       SA_STATUS_INVALID_KEY_TYPE);
	/* A precomputed digest: 32 bytes for SHA-256, anything else is refused. */
	sa_sign_parameters_ecdsa pre = { SA_DIGEST_ALGORITHM_SHA256, true };
	uint8_t digest[32];
	memset(digest, 0x5a, sizeof(digest));
	sign_and_report("ecdsa-prehashed", key, SA_SIGNATURE_ALGORITHM_ECDSA, &pre, digest,
			sizeof(digest), 64);
	n = sizeof(buf);
	EXPECT(sa_crypto_sign(buf, &n, SA_SIGNATURE_ALGORITHM_ECDSA, key, digest, 31, &pre),
	       SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_release(key), SA_STATUS_OK);

	/* Without SIGN the key cannot sign. */
	sa_rights nosign = all_rights();
	nosign.usage_flags &= ~SA_USAGE_BIT_MASK(SA_USAGE_FLAG_SIGN);
	EXPECT(sa_key_generate(&key, &nosign, SA_KEY_TYPE_EC, &ge), SA_STATUS_OK);
	n = sizeof(buf);
	EXPECT(sa_crypto_sign(buf, &n, SA_SIGNATURE_ALGORITHM_ECDSA, key, msg, 4, &ep),
	       SA_STATUS_OPERATION_NOT_ALLOWED);
	EXPECT(sa_key_release(key), SA_STATUS_OK);

	ge.curve = SA_ELLIPTIC_CURVE_ED25519;
	EXPECT(sa_key_generate(&key, &r, SA_KEY_TYPE_EC, &ge), SA_STATUS_OK);
	sign_and_report("ed25519", key, SA_SIGNATURE_ALGORITHM_EDDSA, NULL, msg, sizeof(msg) - 1, 64);
	EXPECT(sa_key_release(key), SA_STATUS_OK);
	ge.curve = SA_ELLIPTIC_CURVE_ED448;
	EXPECT(sa_key_generate(&key, &r, SA_KEY_TYPE_EC, &ge), SA_STATUS_OK);
	n = 0;
	EXPECT(sa_crypto_sign(NULL, &n, SA_SIGNATURE_ALGORITHM_EDDSA, key, msg, 4, NULL), SA_STATUS_OK);
	CHECK(n == 114, "Ed448 signature length %zu", n);
	EXPECT(sa_key_release(key), SA_STATUS_OK);

	/* RSA: generated 2048-bit, PKCS#1 v1.5 and PSS. */
	sa_generate_parameters_rsa gr = { 256 };
	EXPECT(sa_key_generate(&key, &r, SA_KEY_TYPE_RSA, &gr), SA_STATUS_OK);
	sa_header h;
	EXPECT(sa_key_header(&h, key), SA_STATUS_OK);
	CHECK(h.type == SA_KEY_TYPE_RSA && h.size == 256, "RSA header type %u size %u", h.type,
	      h.size);
	sign_and_report("rsa-pkcs1-sha256", key, SA_SIGNATURE_ALGORITHM_RSA_PKCS1V15, &pk, msg,
			sizeof(msg) - 1, 256);
	sa_sign_parameters_rsa_pss pss = { SA_DIGEST_ALGORITHM_SHA256, SA_DIGEST_ALGORITHM_SHA256,
					   false, 32 };
	sign_and_report("rsa-pss-sha256-32", key, SA_SIGNATURE_ALGORITHM_RSA_PSS, &pss, msg,
			sizeof(msg) - 1, 256);
	pss.salt_length = 0;
	sign_and_report("rsa-pss-sha256-0", key, SA_SIGNATURE_ALGORITHM_RSA_PSS, &pss, msg,
			sizeof(msg) - 1, 256);
	n = sizeof(buf);
	EXPECT(sa_crypto_sign(buf, &n, SA_SIGNATURE_ALGORITHM_RSA_PSS, key, msg, 4, NULL),
	       SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_crypto_sign(buf, &n, SA_SIGNATURE_ALGORITHM_ECDSA, key, msg, 4, &ep),
	       SA_STATUS_INVALID_KEY_TYPE);
	EXPECT(sa_key_release(key), SA_STATUS_OK);
	gr.modulus_length = 100;
	EXPECT(sa_key_generate(&key, &r, SA_KEY_TYPE_RSA, &gr), SA_STATUS_INVALID_PARAMETER);
}

static void test_import_asym(void)
{
	sa_rights r = all_rights();
	sa_key key;
	size_t der_len, spki_len;
	uint8_t *der = unhex(ec_pkcs8, &der_len), *want = unhex(ec_spki, &spki_len);
	uint8_t spki[1024];
	size_t n = sizeof(spki);

	sa_import_parameters_ec_private_bytes ep = { &r, SA_ELLIPTIC_CURVE_NIST_P256 };
	EXPECT(sa_key_import(&key, SA_KEY_FORMAT_EC_PRIVATE_BYTES, der, der_len, &ep), SA_STATUS_OK);
	EXPECT(sa_key_get_public(spki, &n, key), SA_STATUS_OK);
	CHECK(n == spki_len && memcmp(spki, want, n) == 0, "imported EC key's public key differs");
	EXPECT(sa_key_release(key), SA_STATUS_OK);
	EXPECT(sa_key_import(&key, SA_KEY_FORMAT_EC_PRIVATE_BYTES, der, der_len, NULL),
	       SA_STATUS_NULL_PARAMETER);
	sa_import_parameters_ec_private_bytes no_rights = { NULL, SA_ELLIPTIC_CURVE_NIST_P256 };
	EXPECT(sa_key_import(&key, SA_KEY_FORMAT_EC_PRIVATE_BYTES, der, der_len, &no_rights),
	       SA_STATUS_NULL_PARAMETER);
	ep.curve = SA_ELLIPTIC_CURVE_NIST_P384;
	EXPECT(sa_key_import(&key, SA_KEY_FORMAT_EC_PRIVATE_BYTES, der, der_len, &ep),
	       SA_STATUS_INVALID_PARAMETER);
	free(der);
	free(want);

	der = unhex(rsa_pkcs8, &der_len);
	want = unhex(rsa_spki, &spki_len);
	sa_import_parameters_rsa_private_key_info rp = { &r };
	EXPECT(sa_key_import(&key, SA_KEY_FORMAT_RSA_PRIVATE_KEY_INFO, der, der_len, &rp),
	       SA_STATUS_OK);
	n = sizeof(spki);
	EXPECT(sa_key_get_public(spki, &n, key), SA_STATUS_OK);
	CHECK(n == spki_len && memcmp(spki, want, n) == 0, "imported RSA key's public key differs");
	sa_sign_parameters_rsa_pkcs1v15 pk = { SA_DIGEST_ALGORITHM_SHA1, false };
	const uint8_t msg[] = "abc";
	sign_and_report("rsa-pkcs1-sha1", key, SA_SIGNATURE_ALGORITHM_RSA_PKCS1V15, &pk, msg, 3, 128);
	EXPECT(sa_key_release(key), SA_STATUS_OK);
	EXPECT(sa_key_import(&key, SA_KEY_FORMAT_RSA_PRIVATE_KEY_INFO, der, der_len, NULL),
	       SA_STATUS_NULL_PARAMETER);
	der[0] ^= 0xff;
	EXPECT(sa_key_import(&key, SA_KEY_FORMAT_RSA_PRIVATE_KEY_INFO, der, der_len, &rp),
	       SA_STATUS_INVALID_KEY_FORMAT);
	free(der);
	free(want);
}

/* same_key tells whether two symmetric keys have the same bytes (by digest). */
static int same_key(sa_key a, sa_key b)
{
	uint8_t da[32], db[32];
	size_t na = sizeof(da), nb = sizeof(db);
	if (sa_key_digest(da, &na, a, SA_DIGEST_ALGORITHM_SHA256) != SA_STATUS_OK ||
	    sa_key_digest(db, &nb, b, SA_DIGEST_ALGORITHM_SHA256) != SA_STATUS_OK)
		return 0;
	return memcmp(da, db, sizeof(da)) == 0;
}

/* exchange runs key exchange both ways between two new keys and compares. */
static void exchange(const char *name, sa_key_type type, void *gen,
		     sa_key_exchange_algorithm alg)
{
	sa_rights r = all_rights();
	sa_key a, b, ka = INVALID_HANDLE, kb = INVALID_HANDLE;
	uint8_t pa[1024], pb[1024];
	size_t na = sizeof(pa), nb = sizeof(pb);
	EXPECT(sa_key_generate(&a, &r, type, gen), SA_STATUS_OK);
	EXPECT(sa_key_generate(&b, &r, type, gen), SA_STATUS_OK);
	EXPECT(sa_key_get_public(pa, &na, a), SA_STATUS_OK);
	EXPECT(sa_key_get_public(pb, &nb, b), SA_STATUS_OK);
	EXPECT(sa_key_exchange(&ka, &r, alg, a, pb, nb, NULL), SA_STATUS_OK);
	EXPECT(sa_key_exchange(&kb, &r, alg, b, pa, na, NULL), SA_STATUS_OK);
	CHECK(same_key(ka, kb), "%s: the two sides' secrets differ", name);
	sa_header h;
	EXPECT(sa_key_header(&h, ka), SA_STATUS_OK);
	CHECK(h.type == SA_KEY_TYPE_SYMMETRIC, "%s: shared secret type %u", name, h.type);
	EXPECT(sa_key_exchange(NULL, &r, alg, a, pb, nb, NULL), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_exchange(&ka, NULL, alg, a, pb, nb, NULL), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_exchange(&ka, &r, alg, a, NULL, nb, NULL), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_exchange(&ka, &r, (sa_key_exchange_algorithm)7, a, pb, nb, NULL),
	       SA_STATUS_INVALID_PARAMETER);
	pb[nb - 1] ^= 1; /* no longer a point on the curve / a valid key */
	sa_key bad = INVALID_HANDLE;
	CHECK(sa_key_exchange(&bad, &r, alg, a, pb, nb - 1, NULL) != SA_STATUS_OK,
	      "%s: a truncated public key is taken", name);
	EXPECT(sa_key_release(ka), SA_STATUS_OK);
	EXPECT(sa_key_release(kb), SA_STATUS_OK);
	EXPECT(sa_key_release(a), SA_STATUS_OK);
	EXPECT(sa_key_release(b), SA_STATUS_OK);
}

static void test_exchange(void)
{
	sa_generate_parameters_ec ge = { SA_ELLIPTIC_CURVE_NIST_P256 };
	exchange("ECDH P-256", SA_KEY_TYPE_EC, &ge, SA_KEY_EXCHANGE_ALGORITHM_ECDH);
	ge.curve = SA_ELLIPTIC_CURVE_X25519;
	exchange("X25519", SA_KEY_TYPE_EC, &ge, SA_KEY_EXCHANGE_ALGORITHM_ECDH);

	size_t p_len;
	uint8_t *p = unhex(dh_p, &p_len), g = 2;
	sa_generate_parameters_dh gd = { p, p_len, &g, 1 };
	exchange("DH", SA_KEY_TYPE_DH, &gd, SA_KEY_EXCHANGE_ALGORITHM_DH);
	sa_rights r = all_rights();
	sa_key key;
	EXPECT(sa_key_generate(&key, &r, SA_KEY_TYPE_DH, &gd), SA_STATUS_OK);
	sa_header h;
	EXPECT(sa_key_header(&h, key), SA_STATUS_OK);
	CHECK(h.type == SA_KEY_TYPE_DH && h.size == p_len &&
		      h.type_parameters.dh_parameters.p_length == p_len &&
		      memcmp(h.type_parameters.dh_parameters.p, p, p_len) == 0,
	      "DH header type %u size %u", h.type, h.size);
	uint8_t pub[8];
	EXPECT(sa_key_exchange(&key, &r, SA_KEY_EXCHANGE_ALGORITHM_NETFLIX_AUTHENTICATED_DH, key,
			       pub, sizeof(pub), NULL),
	       SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_release(key), SA_STATUS_OK);
	sa_generate_parameters_dh no_g = { p, p_len, NULL, 1 };
	EXPECT(sa_key_generate(&key, &r, SA_KEY_TYPE_DH, &no_g), SA_STATUS_NULL_PARAMETER);
	free(p);
}

static void test_derive(void)
{
	sa_rights r = all_rights();
	sa_key parent, key = INVALID_HANDLE, key2 = INVALID_HANDLE, want;

	/* HKDF: RFC 5869 test case 1. */
	uint8_t ikm[22], salt[13], info[10], okm[42];
	memset(ikm, 0x0b, sizeof(ikm));
	hex("000102030405060708090a0b0c", salt, sizeof(salt));
	hex("f0f1f2f3f4f5f6f7f8f9", info, sizeof(info));
	hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
	    okm, sizeof(okm));
	parent = import_sym(ikm, sizeof(ikm), &r);
	want = import_sym(okm, sizeof(okm), &r);
	sa_kdf_parameters_hkdf hk = { sizeof(okm), SA_DIGEST_ALGORITHM_SHA256, parent,
				      salt, sizeof(salt), info, sizeof(info) };
	EXPECT(sa_key_derive(&key, &r, SA_KDF_ALGORITHM_HKDF, &hk), SA_STATUS_OK);
	CHECK(same_key(key, want), "HKDF: not RFC 5869 A.1's OKM");
	EXPECT(sa_key_release(key), SA_STATUS_OK);
	EXPECT(sa_key_release(want), SA_STATUS_OK);
	EXPECT(sa_key_derive(NULL, &r, SA_KDF_ALGORITHM_HKDF, &hk), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_derive(&key, NULL, SA_KDF_ALGORITHM_HKDF, &hk), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_derive(&key, &r, SA_KDF_ALGORITHM_HKDF, NULL), SA_STATUS_NULL_PARAMETER);
	hk.salt = NULL;
	EXPECT(sa_key_derive(&key, &r, SA_KDF_ALGORITHM_HKDF, &hk), SA_STATUS_NULL_PARAMETER);
	hk.salt_length = 0;
	hk.info = NULL;
	hk.info_length = 0;
	EXPECT(sa_key_derive(&key, &r, SA_KDF_ALGORITHM_HKDF, &hk), SA_STATUS_OK);
	EXPECT(sa_key_release(key), SA_STATUS_OK);
	hk.key_length = 8;
	EXPECT(sa_key_derive(&key, &r, SA_KDF_ALGORITHM_HKDF, &hk), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_derive(&key, &r, (sa_kdf_algorithm)42, &hk), SA_STATUS_INVALID_PARAMETER);

	/* Concat and ANSI X9.63: checked by the Go side ("KDF" lines). */
	sa_kdf_parameters_concat ck = { 32, SA_DIGEST_ALGORITHM_SHA256, parent, info, sizeof(info) };
	sa_kdf_parameters_ansi_x963 xk = { 48, SA_DIGEST_ALGORITHM_SHA384, parent, info,
					   sizeof(info) };
	uint8_t d[32];
	size_t n = sizeof(d);
	EXPECT(sa_key_derive(&key, &r, SA_KDF_ALGORITHM_CONCAT, &ck), SA_STATUS_OK);
	EXPECT(sa_key_digest(d, &n, key, SA_DIGEST_ALGORITHM_SHA256), SA_STATUS_OK);
	printf("KDF concat sha256 %zu", ck.key_length);
	print_hex(ikm, sizeof(ikm));
	print_hex(info, sizeof(info));
	print_hex(d, n);
	printf("\n");
	EXPECT(sa_key_release(key), SA_STATUS_OK);
	EXPECT(sa_key_derive(&key, &r, SA_KDF_ALGORITHM_ANSI_X963, &xk), SA_STATUS_OK);
	n = sizeof(d);
	EXPECT(sa_key_digest(d, &n, key, SA_DIGEST_ALGORITHM_SHA256), SA_STATUS_OK);
	printf("KDF x963 sha384 %zu", xk.key_length);
	print_hex(ikm, sizeof(ikm));
	print_hex(info, sizeof(info));
	print_hex(d, n);
	printf("\n");
	EXPECT(sa_key_release(key), SA_STATUS_OK);
	ck.info = NULL;
	EXPECT(sa_key_derive(&key, &r, SA_KDF_ALGORITHM_CONCAT, &ck), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_release(parent), SA_STATUS_OK);

	/* CMAC (SP 800-108 counter mode): block 2 of one derivation is block 1 of none. */
	uint8_t k16[16] = { 7 }, other[20] = { 1, 2, 3 };
	parent = import_sym(k16, sizeof(k16), &r);
	sa_kdf_parameters_cmac cm = { 32, parent, other, sizeof(other), 1 };
	EXPECT(sa_key_derive(&key, &r, SA_KDF_ALGORITHM_CMAC, &cm), SA_STATUS_OK);
	EXPECT(sa_key_header(&(sa_header){ 0 }, key), SA_STATUS_OK);
	cm.key_length = 16;
	cm.counter = 1;
	EXPECT(sa_key_derive(&key2, &r, SA_KDF_ALGORITHM_CMAC, &cm), SA_STATUS_OK);
	CHECK(!same_key(key, key2), "CMAC: 32 and 16 bytes have the same digest");
	EXPECT(sa_key_release(key2), SA_STATUS_OK);
	cm.key_length = 64;
	cm.counter = 2;
	EXPECT(sa_key_derive(&key2, &r, SA_KDF_ALGORITHM_CMAC, &cm), SA_STATUS_INVALID_PARAMETER);
	cm.other_data = NULL;
	EXPECT(sa_key_derive(&key2, &r, SA_KDF_ALGORITHM_CMAC, &cm), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_release(key), SA_STATUS_OK);

	/* A parent without DERIVE. */
	sa_rights noderive = all_rights();
	noderive.usage_flags &= ~SA_USAGE_BIT_MASK(SA_USAGE_FLAG_DERIVE);
	sa_key weak = import_sym(k16, sizeof(k16), &noderive);
	cm.other_data = other;
	cm.key_length = 16;
	cm.parent = weak;
	EXPECT(sa_key_derive(&key, &r, SA_KDF_ALGORITHM_CMAC, &cm), SA_STATUS_OPERATION_NOT_ALLOWED);
	EXPECT(sa_key_release(weak), SA_STATUS_OK);
	EXPECT(sa_key_release(parent), SA_STATUS_OK);

	/* Root key ladders: the same inputs give the same key; unique and common differ. */
	uint8_t c[4][16];
	for (int i = 0; i < 4; i++)
		memset(c[i], i + 1, 16);
	sa_kdf_parameters_root_key_ladder lad = { c[0], 16, c[1], 16, c[2], 16, c[3], 16 };
	sa_key common = INVALID_HANDLE;
	EXPECT(sa_key_derive(&key, &r, SA_KDF_ALGORITHM_ROOT_KEY_LADDER, &lad), SA_STATUS_OK);
	EXPECT(sa_key_derive(&key2, &r, SA_KDF_ALGORITHM_ROOT_KEY_LADDER, &lad), SA_STATUS_OK);
	EXPECT(sa_key_derive(&common, &r, SA_KDF_ALGORITHM_COMMON_ROOT_KEY_LADDER, &lad),
	       SA_STATUS_OK);
	CHECK(same_key(key, key2), "root key ladder: not deterministic");
	CHECK(!same_key(key, common), "unique and common root key ladders agree");
	EXPECT(sa_key_release(key), SA_STATUS_OK);
	EXPECT(sa_key_release(key2), SA_STATUS_OK);
	EXPECT(sa_key_release(common), SA_STATUS_OK);
	lad.c3 = NULL;
	EXPECT(sa_key_derive(&key, &r, SA_KDF_ALGORITHM_ROOT_KEY_LADDER, &lad),
	       SA_STATUS_NULL_PARAMETER);
	lad.c3 = c[2];
	lad.c4_length = 15;
	EXPECT(sa_key_derive(&key, &r, SA_KDF_ALGORITHM_ROOT_KEY_LADDER, &lad),
	       SA_STATUS_INVALID_PARAMETER);
	sa_kdf_parameters_netflix nf = { INVALID_HANDLE, INVALID_HANDLE };
	EXPECT(sa_key_derive(&key, &r, SA_KDF_ALGORITHM_NETFLIX, &nf),
	       SA_STATUS_INVALID_PARAMETER); /* no such keys (sa_keystore_test.c has the rest) */
}

static void test_export(void)
{
	sa_rights r = all_rights();
	uint8_t raw[32], mixin[16], blob[2048];
	memset(raw, 0x33, sizeof(raw));
	memset(mixin, 0x44, sizeof(mixin));
	sa_key key = import_sym(raw, sizeof(raw), &r), back = INVALID_HANDLE;

	size_t n = 0;
	EXPECT(sa_key_export(NULL, &n, mixin, sizeof(mixin), key), SA_STATUS_OK);
	CHECK(n > sizeof(raw) + sizeof(sa_header), "export length %zu", n);
	size_t short_n = n - 1;
	EXPECT(sa_key_export(blob, &short_n, mixin, sizeof(mixin), key), SA_STATUS_INVALID_PARAMETER);
	size_t want = n;
	n = sizeof(blob);
	EXPECT(sa_key_export(blob, &n, mixin, sizeof(mixin), key), SA_STATUS_OK);
	CHECK(n == want, "exported %zu bytes, size query said %zu", n, want);
	EXPECT(sa_key_export(blob, NULL, mixin, sizeof(mixin), key), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_import(&back, SA_KEY_FORMAT_EXPORTED, blob, n, NULL), SA_STATUS_OK);
	CHECK(same_key(key, back), "exported and imported key differs");
	sa_header h;
	EXPECT(sa_key_header(&h, back), SA_STATUS_OK);
	CHECK(strcmp(h.rights.id, "sa_test") == 0 && h.size == sizeof(raw),
	      "imported export: id %s size %u", h.rights.id, h.size);
	EXPECT(sa_key_release(back), SA_STATUS_OK);
	EXPECT(sa_key_import(NULL, SA_KEY_FORMAT_EXPORTED, blob, n, NULL), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_import(&back, SA_KEY_FORMAT_EXPORTED, NULL, n, NULL), SA_STATUS_NULL_PARAMETER);
	blob[n - 1] ^= 1;
	EXPECT(sa_key_import(&back, SA_KEY_FORMAT_EXPORTED, blob, n, NULL),
	       SA_STATUS_INVALID_KEY_FORMAT);

	/* No mixin, and a mixin of a wrong length. */
	n = sizeof(blob);
	EXPECT(sa_key_export(blob, &n, NULL, 0, key), SA_STATUS_OK);
	EXPECT(sa_key_import(&back, SA_KEY_FORMAT_EXPORTED, blob, n, NULL), SA_STATUS_OK);
	CHECK(same_key(key, back), "exported (no mixin) and imported key differs");
	EXPECT(sa_key_release(back), SA_STATUS_OK);
	n = sizeof(blob);
	EXPECT(sa_key_export(blob, &n, mixin, 8, key), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_release(key), SA_STATUS_OK);

	/* An EC key exports too; a key without CACHEABLE does not. */
	sa_generate_parameters_ec ge = { SA_ELLIPTIC_CURVE_NIST_P384 };
	EXPECT(sa_key_generate(&key, &r, SA_KEY_TYPE_EC, &ge), SA_STATUS_OK);
	n = sizeof(blob);
	EXPECT(sa_key_export(blob, &n, NULL, 0, key), SA_STATUS_OK);
	EXPECT(sa_key_import(&back, SA_KEY_FORMAT_EXPORTED, blob, n, NULL), SA_STATUS_OK);
	uint8_t p1[256], p2[256];
	size_t n1 = sizeof(p1), n2 = sizeof(p2);
	EXPECT(sa_key_get_public(p1, &n1, key), SA_STATUS_OK);
	EXPECT(sa_key_get_public(p2, &n2, back), SA_STATUS_OK);
	CHECK(n1 == n2 && memcmp(p1, p2, n1) == 0, "exported EC key's public key differs");
	EXPECT(sa_key_release(back), SA_STATUS_OK);
	EXPECT(sa_key_release(key), SA_STATUS_OK);
	sa_rights nocache = all_rights();
	nocache.usage_flags &= ~SA_USAGE_BIT_MASK(SA_USAGE_FLAG_CACHEABLE);
	key = import_sym(raw, sizeof(raw), &nocache);
	n = sizeof(blob);
	EXPECT(sa_key_export(blob, &n, NULL, 0, key), SA_STATUS_OPERATION_NOT_ALLOWED);
	EXPECT(sa_key_release(key), SA_STATUS_OK);
}

static void test_unsupported(void)
{
	uint8_t buf[16];
	sa_rights r = all_rights();
	sa_key key;
	sa_generate_parameters_symmetric gs = { 16 };
	EXPECT(sa_key_generate(&key, &r, SA_KEY_TYPE_SYMMETRIC, &gs), SA_STATUS_OK);
	EXPECT(sa_svp_supported(), SA_STATUS_OK); /* SVP itself: sa_svp_test.c */
	sa_import_parameters_soc soc;
	memset(&soc, 0, sizeof(soc));
	EXPECT(sa_key_import(&key, SA_KEY_FORMAT_SOC, buf, sizeof(buf), &soc),
	       SA_STATUS_INVALID_KEY_FORMAT); /* not a container (see sa_keystore_test.c) */
	sa_sample s;
	memset(&s, 0, sizeof(s));
	EXPECT(sa_process_common_encryption(1, &s), SA_STATUS_NULL_PARAMETER); /* no IV */
	EXPECT(sa_key_release(key), SA_STATUS_OK);
}

int main(void)
{
	test_info();
	test_random();
	test_keys();
	test_ciphers();
	test_macs();
	test_sign();
	test_import_asym();
	test_exchange();
	test_derive();
	test_export();
	test_unsupported();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

/*
 * sa_unwrap_test: sa_key_unwrap and the ChaCha20, ChaCha20-Poly1305, RSA and EC
 * ElGamal ciphers of a SecAPI 3 client library (sa.h), written from the API against
 * gotee's SecAPI TA. Vectors: FIPS-197 C.1 (AES-128), RFC 8439 §2.4.2 (ChaCha20) and
 * §2.8.2 (ChaCha20-Poly1305). The RSA and ElGamal ciphertexts come from the Go test
 * (e2e/secapi_unwrap_test.go), which made them with Go's crypto, in the file argv[1]:
 * lines "name hex". Unwrapped keys are compared with sa_key_digest against the same
 * bytes imported in the clear. Prints "N passed, M failed"; exits non-zero on failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa.h"
#include "sa_check.h"

static sa_rights all_rights(void) { return rights_all("sa_unwrap_test"); }

/* same_key checks that key holds the n bytes at want (SHA-256 of both). */
static int same_key(sa_key key, const uint8_t *want, size_t n)
{
	sa_rights r = all_rights();
	sa_key ref = import_sym(want, n, &r);
	uint8_t a[32], b[32];
	size_t la = sizeof(a), lb = sizeof(b);
	int ok = sa_key_digest(a, &la, key, SA_DIGEST_ALGORITHM_SHA256) == SA_STATUS_OK &&
		 sa_key_digest(b, &lb, ref, SA_DIGEST_ALGORITHM_SHA256) == SA_STATUS_OK &&
		 la == 32 && lb == 32 && memcmp(a, b, 32) == 0;
	sa_key_release(ref);
	return ok;
}

static const char sunscreen[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
				"only one tip for the future, sunscreen would be it.";

static void test_unwrap_aes(void)
{
	sa_rights r = all_rights();
	uint8_t kek[16], plain[16], wrapped[16], iv[16] = { 0 };
	hex("000102030405060708090a0b0c0d0e0f", kek, 16);
	hex("00112233445566778899aabbccddeeff", plain, 16);
	hex("69c4e0d86a7b0430d8cdb78070b4c55a", wrapped, 16);
	sa_key w = import_sym(kek, 16, &r), key = INVALID_HANDLE;

	/* FIPS-197 C.1 as an ECB-wrapped key. */
	EXPECT(sa_key_unwrap(&key, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_AES_ECB,
			     NULL, w, wrapped, 16),
	       SA_STATUS_OK);
	CHECK(same_key(key, plain, 16), "ECB-unwrapped key differs");
	sa_key_release(key);

	/* A 32-byte key wrapped with CBC-PKCS7 by the library's own cipher. */
	uint8_t secret[32], ct[48];
	for (int i = 0; i < 32; i++)
		secret[i] = (uint8_t)(3 * i + 1);
	sa_crypto_cipher_context ctx;
	sa_cipher_parameters_aes_cbc cp = { iv, 16 };
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_AES_CBC_PKCS7, SA_CIPHER_MODE_ENCRYPT,
				     w, &cp),
	       SA_STATUS_OK);
	sa_buffer ib = clear_buffer(secret, 32), ob = clear_buffer(ct, sizeof(ct));
	size_t n = 32;
	EXPECT(sa_crypto_cipher_process(&ob, ctx, &ib, &n), SA_STATUS_OK);
	n = 0;
	EXPECT(sa_crypto_cipher_process_last(&ob, ctx, &ib, &n, NULL), SA_STATUS_OK);
	CHECK(ob.context.clear.offset == 48, "CBC-PKCS7 wrapped %zu bytes", ob.context.clear.offset);
	sa_crypto_cipher_release(ctx);
	sa_unwrap_parameters_aes_cbc up = { iv, 16 };
	EXPECT(sa_key_unwrap(&key, &r, SA_KEY_TYPE_SYMMETRIC, NULL,
			     SA_CIPHER_ALGORITHM_AES_CBC_PKCS7, &up, w, ct, 48),
	       SA_STATUS_OK);
	CHECK(same_key(key, secret, 32), "CBC-PKCS7-unwrapped key differs");
	sa_key_release(key);
	/* In CBC, flipping a bit of one ciphertext block flips the same bit of the next
	 * plaintext block: the last padding byte becomes 0x10 ^ 0x55, never valid. */
	ct[31] ^= 0x55;
	EXPECT(sa_key_unwrap(&key, &r, SA_KEY_TYPE_SYMMETRIC, NULL,
			     SA_CIPHER_ALGORITHM_AES_CBC_PKCS7, &up, w, ct, 48),
	       SA_STATUS_INVALID_KEY_FORMAT);

	/* Parameter checks. */
	EXPECT(sa_key_unwrap(NULL, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_AES_ECB,
			     NULL, w, wrapped, 16),
	       SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_unwrap(&key, NULL, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_AES_ECB,
			     NULL, w, wrapped, 16),
	       SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_unwrap(&key, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_AES_ECB,
			     NULL, w, NULL, 0),
	       SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_unwrap(&key, &r, SA_KEY_TYPE_EC, NULL, SA_CIPHER_ALGORITHM_AES_ECB, NULL, w,
			     wrapped, 16),
	       SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_unwrap(&key, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_AES_CBC,
			     NULL, w, wrapped, 16),
	       SA_STATUS_NULL_PARAMETER);
	up.iv_length = 15;
	EXPECT(sa_key_unwrap(&key, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_AES_CBC,
			     &up, w, wrapped, 16),
	       SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_unwrap(&key, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_AES_ECB,
			     NULL, w, wrapped, 15),
	       SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_unwrap(&key, &r, SA_KEY_TYPE_SYMMETRIC, NULL, (sa_cipher_algorithm)255, NULL,
			     w, wrapped, 16),
	       SA_STATUS_INVALID_PARAMETER);
	sa_unwrap_parameters_aes_gcm gp = { iv, 12, NULL, 0, NULL, 16 };
	EXPECT(sa_key_unwrap(&key, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_AES_GCM,
			     &gp, w, wrapped, 16),
	       SA_STATUS_NULL_PARAMETER);
	sa_unwrap_parameters_chacha20 chp = { iv, 3, iv, 12 };
	EXPECT(sa_key_unwrap(&key, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_CHACHA20,
			     &chp, w, wrapped, 16),
	       SA_STATUS_INVALID_PARAMETER);
	chp.counter_length = 4; /* a 16-byte key is no ChaCha20 key */
	EXPECT(sa_key_unwrap(&key, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_CHACHA20,
			     &chp, w, wrapped, 16),
	       SA_STATUS_INVALID_KEY_TYPE);

	/* The wrapping key needs UNWRAP; the child's rights follow derive's rule. */
	sa_rights nr = all_rights();
	SA_USAGE_BIT_CLEAR(nr.usage_flags, SA_USAGE_FLAG_UNWRAP);
	sa_key nw = import_sym(kek, 16, &nr);
	EXPECT(sa_key_unwrap(&key, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_AES_ECB,
			     NULL, nw, wrapped, 16),
	       SA_STATUS_OPERATION_NOT_ALLOWED);
	sa_key_release(nw);
	sa_rights ur = all_rights();
	ur.usage_flags = SA_USAGE_BIT_MASK(SA_USAGE_FLAG_UNWRAP) |
			 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_SVP_OPTIONAL);
	ur.child_usage_flags = SA_USAGE_BIT_MASK(SA_USAGE_FLAG_DECRYPT);
	sa_key uw = import_sym(kek, 16, &ur);
	EXPECT(sa_key_unwrap(&key, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_AES_ECB,
			     NULL, uw, wrapped, 16),
	       SA_STATUS_OK);
	sa_header h;
	EXPECT(sa_key_header(&h, key), SA_STATUS_OK);
	CHECK((h.rights.usage_flags & SA_KEY_USAGE_MASK) == SA_USAGE_BIT_MASK(SA_USAGE_FLAG_DECRYPT),
	      "child key usages %#llx", (unsigned long long)(h.rights.usage_flags & SA_KEY_USAGE_MASK));
	sa_key_release(key);
	sa_key_release(uw);
	sa_key_release(w);
}

static void test_chacha(void)
{
	sa_rights r = all_rights();
	uint8_t k1[32], nonce[12], ctr[4] = { 1, 0, 0, 0 }, first[16];
	hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", k1, 32);
	hex("000000000000004a00000000", nonce, 12);
	hex("6e2e359a2568f98041ba0728dd0d6981", first, 16);
	sa_key key = import_sym(k1, 32, &r);
	size_t len = sizeof(sunscreen) - 1;
	uint8_t out[256], back[256];

	sa_crypto_cipher_context ctx;
	sa_cipher_parameters_chacha20 p = { ctr, 4, nonce, 12 };
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_CHACHA20, SA_CIPHER_MODE_ENCRYPT, key,
				     &p),
	       SA_STATUS_OK);
	sa_buffer ib = clear_buffer((void *)sunscreen, len), ob = clear_buffer(out, sizeof(out));
	size_t n = 50;
	EXPECT(sa_crypto_cipher_process(&ob, ctx, &ib, &n), SA_STATUS_OK);
	n = len - 50;
	EXPECT(sa_crypto_cipher_process_last(&ob, ctx, &ib, &n, NULL), SA_STATUS_OK);
	CHECK(ob.context.clear.offset == len && memcmp(out, first, 16) == 0,
	      "RFC 8439 2.4.2 ciphertext");
	sa_crypto_cipher_release(ctx);
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_CHACHA20, SA_CIPHER_MODE_DECRYPT, key,
				     &p),
	       SA_STATUS_OK);
	ib = clear_buffer(out, len), ob = clear_buffer(back, sizeof(back));
	n = len;
	EXPECT(sa_crypto_cipher_process(&ob, ctx, &ib, &n), SA_STATUS_OK);
	CHECK(n == len && memcmp(back, sunscreen, len) == 0, "ChaCha20 round trip");
	EXPECT(sa_crypto_cipher_update_iv(ctx, nonce, 12), SA_STATUS_INVALID_PARAMETER);
	sa_crypto_cipher_release(ctx);
	p.counter_length = 3;
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_CHACHA20, SA_CIPHER_MODE_ENCRYPT, key,
				     &p),
	       SA_STATUS_INVALID_PARAMETER);
	p.counter = NULL;
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_CHACHA20, SA_CIPHER_MODE_ENCRYPT, key,
				     &p),
	       SA_STATUS_NULL_PARAMETER);
	sa_key_release(key);

	/* RFC 8439 2.8.2. */
	uint8_t k2[32], n2[12], aad[12], tag[16], want_tag[16];
	hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", k2, 32);
	hex("070000004041424344454647", n2, 12);
	hex("50515253c0c1c2c3c4c5c6c7", aad, 12);
	hex("1ae10b594f09e26a7e902ecbd0600691", want_tag, 16);
	key = import_sym(k2, 32, &r);
	sa_cipher_parameters_chacha20_poly1305 ap = { n2, 12, aad, 12 };
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_CHACHA20_POLY1305,
				     SA_CIPHER_MODE_ENCRYPT, key, &ap),
	       SA_STATUS_OK);
	sa_cipher_end_parameters_chacha20_poly1305 end = { tag, 16 };
	ib = clear_buffer((void *)sunscreen, len), ob = clear_buffer(out, sizeof(out));
	n = len;
	EXPECT(sa_crypto_cipher_process_last(&ob, ctx, &ib, &n, &end), SA_STATUS_OK);
	CHECK(n == len && memcmp(tag, want_tag, 16) == 0, "RFC 8439 2.8.2 tag");
	sa_crypto_cipher_release(ctx);

	/* The same message as a wrapped "key" (114 bytes), then with a wrong tag. */
	sa_unwrap_parameters_chacha20_poly1305 up = { n2, 12, aad, 12, want_tag, 16 };
	sa_key uk;
	EXPECT(sa_key_unwrap(&uk, &r, SA_KEY_TYPE_SYMMETRIC, NULL,
			     SA_CIPHER_ALGORITHM_CHACHA20_POLY1305, &up, key, out, len),
	       SA_STATUS_OK);
	CHECK(same_key(uk, (const uint8_t *)sunscreen, len), "ChaCha20-Poly1305-unwrapped key");
	sa_key_release(uk);
	tag[0] ^= 1;
	up.tag = tag;
	EXPECT(sa_key_unwrap(&uk, &r, SA_KEY_TYPE_SYMMETRIC, NULL,
			     SA_CIPHER_ALGORITHM_CHACHA20_POLY1305, &up, key, out, len),
	       SA_STATUS_VERIFICATION_FAILED);
	up.tag_length = 15;
	EXPECT(sa_key_unwrap(&uk, &r, SA_KEY_TYPE_SYMMETRIC, NULL,
			     SA_CIPHER_ALGORITHM_CHACHA20_POLY1305, &up, key, out, len),
	       SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_CHACHA20_POLY1305,
				     SA_CIPHER_MODE_DECRYPT, key, &ap),
	       SA_STATUS_OK);
	ib = clear_buffer(out, len), ob = clear_buffer(back, sizeof(back));
	n = len;
	EXPECT(sa_crypto_cipher_process_last(&ob, ctx, &ib, &n, &end),
	       SA_STATUS_VERIFICATION_FAILED);
	sa_crypto_cipher_release(ctx);
	sa_key_release(key);
}

/* Inputs from the Go test. */
static uint8_t rsa_pkcs8[2048], ec_pkcs8[512], secret[64], rsa_pkcs1[512], rsa_oaep[512],
	elgamal[256], p192_pkcs8[256], p192_elgamal[128];
static size_t rsa_pkcs8_n, ec_pkcs8_n, secret_n, rsa_pkcs1_n, rsa_oaep_n, elgamal_n, p192_pkcs8_n,
	p192_elgamal_n;
static uint64_t elgamal_offset, p192_offset;

static void read_inputs(const char *path)
{
	static char line[8192];
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "open %s", path);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *v = strchr(line, ' ');
		if (v == NULL)
			continue;
		*v++ = 0;
		v[strcspn(v, "\n")] = 0;
#define IN(name)                                                   \
	if (strcmp(line, #name) == 0)                              \
		name##_n = hex(v, name, sizeof(name));
		IN(rsa_pkcs8) IN(ec_pkcs8) IN(secret) IN(rsa_pkcs1) IN(rsa_oaep) IN(elgamal)
			IN(p192_pkcs8) IN(p192_elgamal)
#undef IN
		if (strcmp(line, "elgamal_offset") == 0)
			elgamal_offset = strtoull(v, NULL, 10);
		if (strcmp(line, "p192_offset") == 0)
			p192_offset = strtoull(v, NULL, 10);
	}
	fclose(f);
}

static void test_rsa(void)
{
	sa_rights r = all_rights();
	sa_key rk = INVALID_HANDLE, uk;
	sa_import_parameters_rsa_private_key_info ip = { &r };
	EXPECT(sa_key_import(&rk, SA_KEY_FORMAT_RSA_PRIVATE_KEY_INFO, rsa_pkcs8, rsa_pkcs8_n, &ip),
	       SA_STATUS_OK);
	EXPECT(sa_key_unwrap(&uk, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_RSA_PKCS1V15,
			     NULL, rk, rsa_pkcs1, rsa_pkcs1_n),
	       SA_STATUS_OK);
	CHECK(same_key(uk, secret, secret_n), "PKCS#1 v1.5-unwrapped key");
	sa_key_release(uk);
	char label[] = "label";
	sa_unwrap_parameters_rsa_oaep op = { SA_DIGEST_ALGORITHM_SHA256, SA_DIGEST_ALGORITHM_SHA1,
					     label, 5 };
	EXPECT(sa_key_unwrap(&uk, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_RSA_OAEP, &op,
			     rk, rsa_oaep, rsa_oaep_n),
	       SA_STATUS_OK);
	CHECK(same_key(uk, secret, secret_n), "OAEP-unwrapped key");
	sa_key_release(uk);
	op.label_length = 4;
	EXPECT(sa_key_unwrap(&uk, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_RSA_OAEP, &op,
			     rk, rsa_oaep, rsa_oaep_n),
	       SA_STATUS_VERIFICATION_FAILED);
	EXPECT(sa_key_unwrap(&uk, &r, SA_KEY_TYPE_RSA, NULL, SA_CIPHER_ALGORITHM_RSA_PKCS1V15, NULL,
			     rk, rsa_pkcs1, rsa_pkcs1_n),
	       SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_unwrap(&uk, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_RSA_PKCS1V15,
			     NULL, rk, rsa_pkcs1, rsa_pkcs1_n - 1),
	       SA_STATUS_INVALID_PARAMETER);

	/* The cipher: the size query answers the modulus size. */
	sa_crypto_cipher_context ctx;
	sa_cipher_parameters_rsa_oaep cp = { SA_DIGEST_ALGORITHM_SHA256, SA_DIGEST_ALGORITHM_SHA1,
					     label, 5 };
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_RSA_OAEP, SA_CIPHER_MODE_DECRYPT, rk,
				     &cp),
	       SA_STATUS_OK);
	uint8_t out[512];
	sa_buffer ib = clear_buffer(rsa_oaep, rsa_oaep_n), ob = clear_buffer(out, 255);
	size_t n = rsa_oaep_n;
	EXPECT(sa_crypto_cipher_process(NULL, ctx, &ib, &n), SA_STATUS_OK);
	CHECK(n == 256, "size query %zu", n);
	n = rsa_oaep_n;
	EXPECT(sa_crypto_cipher_process(&ob, ctx, &ib, &n), SA_STATUS_INVALID_PARAMETER);
	ob = clear_buffer(out, sizeof(out));
	EXPECT(sa_crypto_cipher_process(&ob, ctx, &ib, &n), SA_STATUS_OK);
	CHECK(n == secret_n && memcmp(out, secret, n) == 0, "OAEP decrypt");
	ib = clear_buffer(rsa_oaep, rsa_oaep_n);
	n = rsa_oaep_n;
	EXPECT(sa_crypto_cipher_process_last(&ob, ctx, &ib, &n, NULL), SA_STATUS_INVALID_PARAMETER);
	sa_crypto_cipher_release(ctx);
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_RSA_PKCS1V15, SA_CIPHER_MODE_ENCRYPT,
				     rk, NULL),
	       SA_STATUS_INVALID_PARAMETER);
	cp.label = NULL;
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_RSA_OAEP, SA_CIPHER_MODE_DECRYPT, rk,
				     &cp),
	       SA_STATUS_NULL_PARAMETER);
	sa_key_release(rk);
}

static void test_elgamal(const uint8_t *pkcs8, size_t n, sa_elliptic_curve curve,
			 const uint8_t *ct, size_t ct_n, size_t size, uint64_t offset)
{
	sa_rights r = all_rights();
	sa_key ek = INVALID_HANDLE, uk;
	sa_import_parameters_ec_private_bytes ip = { &r, curve };
	EXPECT(sa_key_import(&ek, SA_KEY_FORMAT_EC_PRIVATE_BYTES, pkcs8, n, &ip), SA_STATUS_OK);
	sa_unwrap_parameters_ec_elgamal p = { offset, secret_n };
	EXPECT(sa_key_unwrap(&uk, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_EC_ELGAMAL, &p,
			     ek, ct, ct_n),
	       SA_STATUS_OK);
	CHECK(same_key(uk, secret, secret_n), "ElGamal-unwrapped key (curve %d)", curve);
	sa_key_release(uk);
	p.offset = size - secret_n + 1;
	EXPECT(sa_key_unwrap(&uk, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_EC_ELGAMAL, &p,
			     ek, ct, ct_n),
	       SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_unwrap(&uk, &r, SA_KEY_TYPE_SYMMETRIC, NULL, SA_CIPHER_ALGORITHM_EC_ELGAMAL,
			     NULL, ek, ct, ct_n),
	       SA_STATUS_NULL_PARAMETER);

	sa_crypto_cipher_context ctx;
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_EC_ELGAMAL, SA_CIPHER_MODE_DECRYPT, ek,
				     NULL),
	       SA_STATUS_OK);
	uint8_t out[66];
	sa_buffer ib = clear_buffer((void *)ct, ct_n), ob = clear_buffer(out, size);
	size_t todo = ct_n;
	EXPECT(sa_crypto_cipher_process(NULL, ctx, &ib, &todo), SA_STATUS_OK);
	CHECK(todo == size, "ElGamal size query %zu, want %zu", todo, size);
	todo = ct_n;
	EXPECT(sa_crypto_cipher_process(&ob, ctx, &ib, &todo), SA_STATUS_OK);
	CHECK(todo == size && memcmp(out + offset, secret, secret_n) == 0,
	      "ElGamal decrypt (curve %d)", curve);
	sa_crypto_cipher_release(ctx);
	sa_key_release(ek);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: sa_unwrap_test INPUTS\n");
		return 2;
	}
	read_inputs(argv[1]);
	test_unwrap_aes();
	test_chacha();
	test_rsa();
	test_elgamal(ec_pkcs8, ec_pkcs8_n, SA_ELLIPTIC_CURVE_NIST_P256, elgamal, elgamal_n, 32,
		     elgamal_offset);
	test_elgamal(p192_pkcs8, p192_pkcs8_n, SA_ELLIPTIC_CURVE_NIST_P192, p192_elgamal,
		     p192_elgamal_n, 24, p192_offset);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

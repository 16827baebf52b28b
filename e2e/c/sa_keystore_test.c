/*
 * sa_keystore_test: libsaclient's key containers, Netflix derivation and TA
 * provisioning, against a SecAPI TA whose root keys the Go test provisioned
 * (e2e/secapi_keystore_test.go), written from the API. Arguments: a Type-J
 * container (made for the MAC key 16 × 0x01 and the cipher key 16 × 0x02) and a
 * SoC container (made for the provisioned unique root key). Lines "DIGEST name
 * hex" (SHA-256 of a key's bytes, by sa_key_digest) and "DEVICE hex" are checked
 * by the Go test. It prints "N passed, M failed" and exits non-zero on failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa.h"
#include "sa_check.h"

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	uint8_t *b = malloc(1 << 16);
	*n = b ? fread(b, 1, 1 << 16, f) : 0;
	fclose(f);
	return b;
}

static void allow_all(sa_rights *r)
{
	memset(r, 0, sizeof(*r));
	r->not_on_or_after = UINT64_MAX;
	r->usage_flags = SA_USAGE_BIT_MASK(SA_USAGE_FLAG_KEY_EXCHANGE) |
			 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_DERIVE) | SA_USAGE_BIT_MASK(SA_USAGE_FLAG_UNWRAP) |
			 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_ENCRYPT) | SA_USAGE_BIT_MASK(SA_USAGE_FLAG_DECRYPT) |
			 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_SIGN) | SA_USAGE_OUTPUT_PROTECTIONS_MASK |
			 SA_USAGE_BIT_MASK(SA_USAGE_FLAG_CACHEABLE);
	memset(&r->allowed_tas[0], 0xff, sizeof(r->allowed_tas[0]));
}

static sa_key sym(uint8_t fill, size_t n)
{
	uint8_t b[64];
	sa_rights r;
	allow_all(&r);
	memset(b, fill, n);
	sa_import_parameters_symmetric p = { &r };
	sa_key k = INVALID_HANDLE;
	EXPECT(sa_key_import(&k, SA_KEY_FORMAT_SYMMETRIC_BYTES, b, n, &p), SA_STATUS_OK);
	return k;
}

static void print_digest(const char *name, sa_key k)
{
	uint8_t d[32];
	size_t n = sizeof(d);
	EXPECT(sa_key_digest(d, &n, k, SA_DIGEST_ALGORITHM_SHA256), SA_STATUS_OK);
	printf("DIGEST %s ", name);
	for (size_t i = 0; i < n; i++)
		printf("%02x", d[i]);
	printf("\n");
}

static sa_import_parameters_soc soc_params(uint8_t version)
{
	sa_import_parameters_soc p;
	memset(&p, 0, sizeof(p));
	p.length[0] = sizeof(p) >> 8;
	p.length[1] = sizeof(p) & 0xff;
	p.version = version;
	p.object_id = 0x0102030405060708ULL;
	return p;
}

static void test_typej(const uint8_t *tj, size_t n)
{
	sa_key mac = sym(0x01, 16), kek = sym(0x02, 16), k;
	sa_import_parameters_typej p = { kek, mac };
	EXPECT(sa_key_import(&k, SA_KEY_FORMAT_TYPEJ, tj, n, &p), SA_STATUS_OK);
	print_digest("typej", k);
	sa_header h;
	EXPECT(sa_key_header(&h, k), SA_STATUS_OK);
	CHECK(strcmp(h.rights.id, "key-1") == 0 && h.size == 32, "Type-J header id %s size %u",
	      h.rights.id, h.size);
	EXPECT(sa_key_release(k), SA_STATUS_OK);
	EXPECT(sa_key_import(&k, SA_KEY_FORMAT_TYPEJ, tj, n, NULL), SA_STATUS_NULL_PARAMETER);
	sa_import_parameters_typej swapped = { mac, kek };
	EXPECT(sa_key_import(&k, SA_KEY_FORMAT_TYPEJ, tj, n, &swapped), SA_STATUS_INVALID_KEY_FORMAT);
	sa_import_parameters_typej stale = { INVALID_HANDLE, mac };
	EXPECT(sa_key_import(&k, SA_KEY_FORMAT_TYPEJ, tj, n, &stale), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_release(mac), SA_STATUS_OK);
	EXPECT(sa_key_release(kek), SA_STATUS_OK);
}

static void test_soc(const uint8_t *sc, size_t n)
{
	sa_key k;
	sa_import_parameters_soc p = soc_params(2);
	EXPECT(sa_key_import(&k, SA_KEY_FORMAT_SOC, sc, n, &p), SA_STATUS_OK);
	print_digest("soc", k);
	sa_header h;
	EXPECT(sa_key_header(&h, k), SA_STATUS_OK);
	CHECK(memcmp(h.rights.id, "\x01\x02\x03\x04\x05\x06\x07\x08", 8) == 0 && h.size == 16,
	      "SoC header size %u", h.size);
	EXPECT(sa_key_release(k), SA_STATUS_OK);
	EXPECT(sa_key_import(&k, SA_KEY_FORMAT_SOC, sc, n, NULL), SA_STATUS_OK);
	EXPECT(sa_key_release(k), SA_STATUS_OK);
	sa_import_parameters_soc v4 = soc_params(4);
	EXPECT(sa_key_import(&k, SA_KEY_FORMAT_SOC, sc, n, &v4), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_import(&k, SA_KEY_FORMAT_SOC, sc, n / 2, &p), SA_STATUS_INVALID_KEY_FORMAT);
	EXPECT(sa_key_import(&k, SA_KEY_FORMAT_PROVISION_TA, sc, n, &p), SA_STATUS_INVALID_PARAMETER);

	/* sa_key_provision_ta takes the same container as a Widevine OEM key. */
	uint8_t cert[64];
	memset(cert, 0x55, sizeof(cert));
	WidevineOemProvisioning wv = { (unsigned)n, (void *)sc, sizeof(cert), cert };
	EXPECT(sa_key_provision_ta(WIDEVINE_OEM_PROVISIONING, &wv, sizeof(wv), &p), SA_STATUS_OK);
	EXPECT(sa_key_provision_ta(WIDEVINE_OEM_PROVISIONING, &wv, sizeof(wv), &v4),
	       SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_key_provision_ta(WIDEVINE_OEM_PROVISIONING, &wv, sizeof(wv), NULL),
	       SA_STATUS_NULL_PARAMETER);
	NetflixProvisioning nf = { (unsigned)n, (void *)sc, (unsigned)n, (void *)sc,
				   (unsigned)n, (void *)sc, sizeof(cert), cert };
	EXPECT(sa_key_provision_ta(NETFLIX_PROVISIONING, &nf, sizeof(nf), &p), SA_STATUS_OK);
	nf.esnContainer = NULL;
	EXPECT(sa_key_provision_ta(NETFLIX_PROVISIONING, &nf, sizeof(nf), &p), SA_STATUS_NULL_PARAMETER);
	wv.oemDeviceCertificate = NULL;
	EXPECT(sa_key_provision_ta(WIDEVINE_OEM_PROVISIONING, &wv, sizeof(wv), &p),
	       SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_key_provision_ta(APPLE_MFI_PROVISIONING, &wv, sizeof(wv), &p),
	       SA_STATUS_OPERATION_NOT_SUPPORTED);
	EXPECT(sa_key_provision_ta((sa_key_type_ta)9, &wv, sizeof(wv), &p), SA_STATUS_INVALID_PARAMETER);
}

static void test_netflix(void)
{
	sa_key enc = sym(0x03, 16), mac = sym(0x04, 32), k;
	sa_rights r;
	allow_all(&r);
	sa_kdf_parameters_netflix p = { enc, mac };
	EXPECT(sa_key_derive(&k, &r, SA_KDF_ALGORITHM_NETFLIX, &p), SA_STATUS_OK);
	print_digest("netflix-wrap", k);
	EXPECT(sa_key_release(k), SA_STATUS_OK);
	sa_kdf_parameters_netflix short_hmac = { enc, enc };
	EXPECT(sa_key_derive(&k, &r, SA_KDF_ALGORITHM_NETFLIX, &short_hmac), SA_STATUS_INVALID_PARAMETER);
	sa_key ke, kh;
	uint8_t pub[8] = { 0 };
	sa_key_exchange_parameters_netflix_authenticated_dh x = { enc, NULL, &r, &kh, &r };
	EXPECT(sa_key_exchange(&k, &r, SA_KEY_EXCHANGE_ALGORITHM_NETFLIX_AUTHENTICATED_DH, enc, pub,
			       sizeof(pub), &x),
	       SA_STATUS_NULL_PARAMETER);
	x.out_ke = &ke;
	/* enc is no DH key */
	EXPECT(sa_key_exchange(&k, &r, SA_KEY_EXCHANGE_ALGORITHM_NETFLIX_AUTHENTICATED_DH, enc, pub,
			       sizeof(pub), &x),
	       SA_STATUS_INVALID_KEY_TYPE);
	CHECK(ke == INVALID_HANDLE && kh == INVALID_HANDLE, "failed exchange left handles set");
	EXPECT(sa_key_release(enc), SA_STATUS_OK);
	EXPECT(sa_key_release(mac), SA_STATUS_OK);
}

int main(int argc, char **argv)
{
	size_t ntj = 0, nsc = 0;
	uint8_t *tj = argc > 2 ? slurp(argv[1], &ntj) : NULL;
	uint8_t *sc = argc > 2 ? slurp(argv[2], &nsc) : NULL;
	if (tj == NULL || sc == NULL) {
		fprintf(stderr, "usage: sa_keystore_test TYPEJ SOC\n");
		return 2;
	}
	uint64_t id = 0;
	EXPECT(sa_get_device_id(&id), SA_STATUS_OK);
	printf("DEVICE %016llx\n", (unsigned long long)id);
	test_typej(tj, ntj);
	test_soc(sc, nsc);
	test_netflix();
	free(tj);
	free(sc);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

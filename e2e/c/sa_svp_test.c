/*
 * sa_svp_test: the secure video path and common encryption of a SecAPI 3 client
 * library (sa_svp.h, sa_cenc.h), written from the API against gotee's SecAPI TA:
 * SVP memory and buffers (a read of SVP memory from the normal world must fault),
 * writes, copies and their range checks, key and buffer checks, cipher output into
 * SVP buffers, and cenc/cbc1 samples decrypted to clear memory (compared with the
 * plaintext) and into SVP buffers. It prints "N passed, M failed" and exits
 * non-zero if anything failed.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sa.h"
#include "sa_check.h"

static sa_rights rights(int svp_optional)
{
	sa_rights r;
	memset(&r, 0, sizeof(r));
	strcpy(r.id, "sa_svp_test");
	r.usage_flags = SA_KEY_USAGE_MASK | SA_USAGE_OUTPUT_PROTECTIONS_MASK;
	if (!svp_optional)
		r.usage_flags &= ~SA_USAGE_BIT_MASK(SA_USAGE_FLAG_SVP_OPTIONAL);
	r.not_on_or_after = UINT64_MAX;
	memset(&r.allowed_tas[0], 0xff, sizeof(sa_uuid));
	return r;
}

static sa_key import(const uint8_t *k, size_t n, int svp_optional)
{
	sa_key key = INVALID_HANDLE;
	sa_rights r = rights(svp_optional);
	sa_import_parameters_symmetric p = { &r };
	EXPECT(sa_key_import(&key, SA_KEY_FORMAT_SYMMETRIC_BYTES, k, n, &p), SA_STATUS_OK);
	return key;
}

static sa_buffer svp_buffer(sa_svp_buffer h)
{
	sa_buffer buf;
	memset(&buf, 0, sizeof(buf));
	buf.buffer_type = SA_BUFFER_TYPE_SVP;
	buf.context.svp.buffer = h;
	return buf;
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

/* faults reports whether reading p in a child process dies of SIGSEGV or SIGBUS. */
static int faults(volatile const uint8_t *p)
{
	pid_t pid = fork();
	int wst;

	if (pid == 0) {
		volatile uint8_t v = p[0];
		(void)v;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &wst, 0) != pid)
		return 0;
	return WIFSIGNALED(wst) && (WTERMSIG(wst) == SIGSEGV || WTERMSIG(wst) == SIGBUS);
}

static void test_memory(void)
{
	void *mem = NULL, *out = NULL;
	size_t size = 0;
	sa_svp_buffer b;

	EXPECT(sa_svp_supported(), SA_STATUS_OK);
	EXPECT(sa_svp_memory_alloc(NULL, 16), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_svp_memory_alloc(&mem, 4096 + 100), SA_STATUS_OK);
	CHECK(mem != NULL, "SVP memory is NULL");
	CHECK(faults(mem), "reading SVP memory from the REE does not fault");
	CHECK(faults((uint8_t *)mem + 4096), "reading SVP memory's second page does not fault");

	EXPECT(sa_svp_buffer_create(NULL, mem, 16), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_svp_buffer_create(&b, NULL, 16), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_svp_buffer_create(&b, (uint8_t *)mem + 4096, 101), SA_STATUS_INVALID_SVP_BUFFER);
	EXPECT(sa_svp_buffer_create(&b, &size, 8), SA_STATUS_INVALID_SVP_BUFFER);
	EXPECT(sa_svp_buffer_create(&b, (uint8_t *)mem + 96, 4000), SA_STATUS_OK);
	EXPECT(sa_svp_buffer_release(NULL, &size, b), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_svp_buffer_release(&out, &size, b), SA_STATUS_OK);
	CHECK(out == (uint8_t *)mem + 96 && size == 4000, "release gave %p %zu, want %p 4000", out,
	      size, (void *)((uint8_t *)mem + 96));
	EXPECT(sa_svp_buffer_release(&out, &size, b), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_svp_memory_free((uint8_t *)mem + 1), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_svp_memory_free(mem), SA_STATUS_OK);
	EXPECT(sa_svp_memory_free(mem), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_svp_memory_free(NULL), SA_STATUS_NULL_PARAMETER);

	/* 256 buffers per slot, as the reference. */
	static sa_svp_buffer all[257];
	int n = 0;
	sa_status st;
	while ((st = sa_svp_buffer_alloc(&all[n], 16)) == SA_STATUS_OK && n < 256)
		n++;
	CHECK(n == 256 && st == SA_STATUS_NO_AVAILABLE_RESOURCE_SLOT,
	      "%d buffers then status %d, want 256 then NO_AVAILABLE_RESOURCE_SLOT", n, st);
	for (int i = 0; i < n; i++)
		EXPECT(sa_svp_buffer_free(all[i]), SA_STATUS_OK);
	EXPECT(sa_svp_buffer_free(all[0]), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_svp_buffer_alloc(NULL, 16), SA_STATUS_NULL_PARAMETER);
}

static void test_write_copy(void)
{
	sa_svp_buffer a, b;
	uint8_t in[64], hash[32];
	fill(in, sizeof(in), 1);

	EXPECT(sa_svp_buffer_alloc(&a, 32), SA_STATUS_OK);
	EXPECT(sa_svp_buffer_alloc(&b, 32), SA_STATUS_OK);
	sa_svp_offset ok[2] = { { 0, 0, 16 }, { 16, 40, 16 } };
	EXPECT(sa_svp_buffer_write(a, in, sizeof(in), ok, 2), SA_STATUS_OK);
	sa_svp_offset past = { 17, 0, 16 }, over = { SIZE_MAX - 4, 0, 16 }, inover = { 0, SIZE_MAX - 4, 16 };
	EXPECT(sa_svp_buffer_write(a, in, sizeof(in), &past, 1), SA_STATUS_INVALID_SVP_BUFFER);
	EXPECT(sa_svp_buffer_write(a, in, sizeof(in), &over, 1), SA_STATUS_INVALID_SVP_BUFFER);
	EXPECT(sa_svp_buffer_write(a, in, sizeof(in), &inover, 1), SA_STATUS_INVALID_SVP_BUFFER);
	EXPECT(sa_svp_buffer_write(a, NULL, 0, ok, 1), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_svp_buffer_write(a, in, sizeof(in), NULL, 0), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_svp_buffer_write(INVALID_HANDLE, in, sizeof(in), ok, 1), SA_STATUS_INVALID_PARAMETER);
	sa_svp_offset whole = { 0, 0, 32 };
	EXPECT(sa_svp_buffer_copy(b, a, &whole, 1), SA_STATUS_OK);
	EXPECT(sa_svp_buffer_copy(b, a, &past, 1), SA_STATUS_INVALID_SVP_BUFFER);
	EXPECT(sa_svp_buffer_copy(b, a, &over, 1), SA_STATUS_INVALID_SVP_BUFFER);
	EXPECT(sa_svp_buffer_copy(b, a, NULL, 0), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_svp_buffer_copy(INVALID_HANDLE, a, &whole, 1), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_svp_buffer_copy(b, INVALID_HANDLE, &whole, 1), SA_STATUS_INVALID_PARAMETER);
	/* The REE never learns SVP contents, not even by digest. */
	memset(hash, 0, sizeof(hash));
	EXPECT(sa_svp_buffer_check(b, 0, 32, SA_DIGEST_ALGORITHM_SHA256, hash, sizeof(hash)),
	       SA_STATUS_OPERATION_NOT_ALLOWED);
	EXPECT(sa_svp_buffer_check(b, 0, 32, SA_DIGEST_ALGORITHM_SHA256, NULL, 32), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_svp_buffer_free(a), SA_STATUS_OK);
	EXPECT(sa_svp_buffer_free(b), SA_STATUS_OK);
}

/* run_cipher runs n bytes through a new cipher context into clear memory. */
static void run_cipher(sa_key key, sa_cipher_algorithm alg, sa_cipher_mode mode, const uint8_t *iv,
		       uint8_t *out, const uint8_t *in, size_t n)
{
	sa_crypto_cipher_context ctx;
	sa_cipher_parameters_aes_cbc p = { iv, 16 };
	EXPECT(sa_crypto_cipher_init(&ctx, alg, mode, key, alg == SA_CIPHER_ALGORITHM_AES_ECB ? NULL : &p),
	       SA_STATUS_OK);
	sa_buffer o = clear_buffer(out, n), i = clear_buffer((void *)in, n);
	size_t len = n;
	EXPECT(sa_crypto_cipher_process(&o, ctx, &i, &len), SA_STATUS_OK);
	EXPECT(sa_crypto_cipher_release(ctx), SA_STATUS_OK);
}

static void test_key_check_and_cipher(void)
{
	uint8_t raw[16], clear[48], enc[48], out[48], iv[16];
	fill(raw, sizeof(raw), 2);
	fill(clear, sizeof(clear), 3);
	fill(iv, sizeof(iv), 4);
	sa_key open = import(raw, sizeof(raw), 1), svp_only = import(raw, sizeof(raw), 0);

	run_cipher(open, SA_CIPHER_ALGORITHM_AES_ECB, SA_CIPHER_MODE_ENCRYPT, NULL, enc, clear, 16);
	sa_buffer in = clear_buffer(enc, 16);
	EXPECT(sa_svp_key_check(open, &in, 16, clear, 16), SA_STATUS_OK);
	EXPECT(sa_svp_key_check(open, &in, 16, enc, 16), SA_STATUS_VERIFICATION_FAILED);
	EXPECT(sa_svp_key_check(svp_only, &in, 16, clear, 16), SA_STATUS_OPERATION_NOT_ALLOWED);
	EXPECT(sa_svp_key_check(open, &in, 17, clear, 17), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_svp_key_check(open, NULL, 16, clear, 16), SA_STATUS_NULL_PARAMETER);
	EXPECT(sa_svp_key_check(open, &in, 16, NULL, 16), SA_STATUS_NULL_PARAMETER);
	sa_svp_buffer sb;
	EXPECT(sa_svp_buffer_alloc(&sb, 64), SA_STATUS_OK);
	sa_buffer svp_in = svp_buffer(sb);
	EXPECT(sa_svp_key_check(open, &svp_in, 16, clear, 16), SA_STATUS_OPERATION_NOT_ALLOWED);

	/* A key without SVP_OPTIONAL decrypts only into SVP buffers. */
	run_cipher(open, SA_CIPHER_ALGORITHM_AES_CBC, SA_CIPHER_MODE_ENCRYPT, iv, enc, clear, 48);
	sa_crypto_cipher_context ctx;
	sa_cipher_parameters_aes_cbc p = { iv, 16 };
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_AES_CBC, SA_CIPHER_MODE_DECRYPT, svp_only, &p),
	       SA_STATUS_OK);
	sa_buffer ci = clear_buffer(enc, 48), co = clear_buffer(out, 48), so = svp_buffer(sb);
	size_t n = 32;
	EXPECT(sa_crypto_cipher_process(&co, ctx, &ci, &n), SA_STATUS_OPERATION_NOT_ALLOWED);
	co = clear_buffer(out, 16);
	EXPECT(sa_crypto_cipher_process(&co, ctx, &ci, &n), SA_STATUS_OPERATION_NOT_ALLOWED);
	n = 32;
	EXPECT(sa_crypto_cipher_process(&so, ctx, &ci, &n), SA_STATUS_OK);
	CHECK(n == 32 && so.context.svp.offset == 32 && ci.context.clear.offset == 32,
	      "clear → SVP: %zu bytes, offsets %zu %zu", n, so.context.svp.offset, ci.context.clear.offset);
	n = 16;
	EXPECT(sa_crypto_cipher_process_last(&so, ctx, &ci, &n, NULL), SA_STATUS_OK);
	CHECK(so.context.svp.offset == 48, "process last: SVP offset %zu", so.context.svp.offset);
	so.context.svp.offset = SIZE_MAX - 4;
	ci.context.clear.offset = 0;
	n = 16;
	EXPECT(sa_crypto_cipher_update_iv(ctx, iv, 16), SA_STATUS_OK);
	EXPECT(sa_crypto_cipher_process(&so, ctx, &ci, &n), SA_STATUS_INVALID_PARAMETER);
	sa_buffer si = svp_buffer(sb);
	co = clear_buffer(out, 48);
	n = 16;
	EXPECT(sa_crypto_cipher_process(&co, ctx, &si, &n), SA_STATUS_INVALID_PARAMETER);
	EXPECT(sa_crypto_cipher_release(ctx), SA_STATUS_OK);

	sa_cipher_parameters_aes_gcm g = { iv, 12, NULL, 0 };
	EXPECT(sa_crypto_cipher_init(&ctx, SA_CIPHER_ALGORITHM_AES_GCM, SA_CIPHER_MODE_DECRYPT, svp_only, &g),
	       SA_STATUS_OK);
	so = svp_buffer(sb);
	ci = clear_buffer(enc, 48);
	n = 16;
	EXPECT(sa_crypto_cipher_process(&so, ctx, &ci, &n), SA_STATUS_OPERATION_NOT_ALLOWED);
	EXPECT(sa_crypto_cipher_release(ctx), SA_STATUS_OK);
	EXPECT(sa_svp_buffer_free(sb), SA_STATUS_OK);
	EXPECT(sa_key_release(open), SA_STATUS_OK);
	EXPECT(sa_key_release(svp_only), SA_STATUS_OK);
}

/*
 * test_cenc: one sample of three subsamples, encrypted here with the library's own
 * AES-CTR and AES-CBC (the IV's low half far from wrapping, so cenc's 64-bit counter
 * is the cipher's): cenc runs one CTR stream over the protected bytes; cbc1 chains
 * CBC over the whole blocks of each subsample's protected bytes, leaving the partial
 * block clear.
 */
static void test_cenc(void)
{
	enum { N = 300 };
	static const size_t clr[3] = { 10, 0, 33 }, prot[3] = { 100, 64, 93 };
	uint8_t raw[16], iv[16], plain[N], enc[N], out[N], prot_plain[N], prot_enc[N];
	fill(raw, sizeof(raw), 5);
	fill(iv, sizeof(iv), 6);
	iv[8] = 0;
	fill(plain, sizeof(plain), 7);
	sa_key open = import(raw, sizeof(raw), 1), svp_only = import(raw, sizeof(raw), 0);

	for (int ctr = 0; ctr < 2; ctr++) {
		sa_cipher_algorithm alg = ctr ? SA_CIPHER_ALGORITHM_AES_CTR : SA_CIPHER_ALGORITHM_AES_CBC;
		/* Gather the bytes to encrypt, encrypt them as one message, scatter back. */
		size_t pos = 0, m = 0;
		for (int i = 0; i < 3; i++) {
			size_t body = ctr ? prot[i] : prot[i] / 16 * 16;
			memcpy(prot_plain + m, plain + pos + clr[i], body);
			m += body;
			pos += clr[i] + prot[i];
		}
		run_cipher(open, alg, SA_CIPHER_MODE_ENCRYPT, iv, prot_enc, prot_plain, m);
		memcpy(enc, plain, N);
		pos = 0;
		m = 0;
		for (int i = 0; i < 3; i++) {
			size_t body = ctr ? prot[i] : prot[i] / 16 * 16;
			memcpy(enc + pos + clr[i], prot_enc + m, body);
			m += body;
			pos += clr[i] + prot[i];
		}

		sa_subsample_length subs[3];
		for (int i = 0; i < 3; i++) {
			subs[i].bytes_of_clear_data = clr[i];
			subs[i].bytes_of_protected_data = prot[i];
		}
		sa_crypto_cipher_context ctx, ctx_svp;
		sa_cipher_parameters_aes_cbc p = { iv, 16 };
		EXPECT(sa_crypto_cipher_init(&ctx, alg, SA_CIPHER_MODE_DECRYPT, open, &p), SA_STATUS_OK);
		EXPECT(sa_crypto_cipher_init(&ctx_svp, alg, SA_CIPHER_MODE_DECRYPT, svp_only, &p), SA_STATUS_OK);
		sa_buffer o = clear_buffer(out, N), i = clear_buffer(enc, N);
		sa_sample s = { iv, 16, 0, 0, 3, subs, ctx, &o, &i };
		memset(out, 0, N);
		EXPECT(sa_process_common_encryption(1, &s), SA_STATUS_OK);
		CHECK(memcmp(out, plain, N) == 0, "%s sample decrypted wrong", ctr ? "cenc" : "cbc1");
		CHECK(o.context.clear.offset == N && i.context.clear.offset == N, "offsets %zu %zu",
		      o.context.clear.offset, i.context.clear.offset);

		/* The same sample into SVP memory, with a key that allows nothing else. */
		sa_svp_buffer sb;
		EXPECT(sa_svp_buffer_alloc(&sb, N), SA_STATUS_OK);
		sa_buffer so = svp_buffer(sb);
		i = clear_buffer(enc, N);
		o = clear_buffer(out, N);
		s.context = ctx_svp;
		EXPECT(sa_process_common_encryption(1, &s), SA_STATUS_OPERATION_NOT_ALLOWED);
		s.out = &so;
		EXPECT(sa_process_common_encryption(1, &s), SA_STATUS_OK);
		CHECK(so.context.svp.offset == N, "SVP offset %zu", so.context.svp.offset);
		/* The sample's input is in SVP memory too. */
		sa_svp_buffer sin;
		EXPECT(sa_svp_buffer_alloc(&sin, N), SA_STATUS_OK);
		sa_svp_offset all = { 0, 0, N };
		EXPECT(sa_svp_buffer_write(sin, enc, N, &all, 1), SA_STATUS_OK);
		sa_buffer si = svp_buffer(sin);
		so = svp_buffer(sb);
		s.in = &si;
		EXPECT(sa_process_common_encryption(1, &s), SA_STATUS_OK);
		s.out = &si; /* in and out the same SVP range */
		si.context.svp.offset = 0;
		EXPECT(sa_process_common_encryption(1, &s), SA_STATUS_INVALID_PARAMETER);
		o = clear_buffer(out, N);
		s.out = &o;
		s.context = ctx;
		si.context.svp.offset = 0;
		EXPECT(sa_process_common_encryption(1, &s), SA_STATUS_INVALID_PARAMETER);

		/* Argument checks. */
		i = clear_buffer(enc, N);
		o = clear_buffer(out, N);
		s.in = &i;
		s.out = &o;
		EXPECT(sa_process_common_encryption(1, NULL), SA_STATUS_NULL_PARAMETER);
		s.iv_length = 17;
		EXPECT(sa_process_common_encryption(1, &s), SA_STATUS_INVALID_PARAMETER);
		s.iv_length = 16;
		s.skip_byte_block = 1;
		EXPECT(sa_process_common_encryption(1, &s), SA_STATUS_INVALID_PARAMETER);
		s.skip_byte_block = 0;
		s.subsample_count = 0;
		EXPECT(sa_process_common_encryption(1, &s), SA_STATUS_INVALID_PARAMETER);
		s.subsample_count = 3;
		s.out = &i; /* overlapping clear buffers */
		EXPECT(sa_process_common_encryption(1, &s), SA_STATUS_INVALID_PARAMETER);
		s.out = &o;
		o.context.clear.offset = 1;
		EXPECT(sa_process_common_encryption(1, &s), SA_STATUS_INVALID_PARAMETER);
		o.context.clear.offset = 0;
		s.context = INVALID_HANDLE;
		EXPECT(sa_process_common_encryption(1, &s), SA_STATUS_INVALID_PARAMETER);
		EXPECT(sa_svp_buffer_free(sb), SA_STATUS_OK);
		EXPECT(sa_svp_buffer_free(sin), SA_STATUS_OK);
		EXPECT(sa_crypto_cipher_release(ctx), SA_STATUS_OK);
		EXPECT(sa_crypto_cipher_release(ctx_svp), SA_STATUS_OK);
	}
	EXPECT(sa_key_release(open), SA_STATUS_OK);
	EXPECT(sa_key_release(svp_only), SA_STATUS_OK);
}

int main(void)
{
	test_memory();
	test_write_copy();
	test_key_check_and_cipher();
	test_cenc();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

/*
 * teec_test: a conformance test of a TEE Client API library, written from the
 * GlobalPlatform TEE Client API Specification v1.0 against the example TAs:
 *
 *   hello_world 8aaaf200-2450-11e4-abe2-0002a5d5c51b
 *       command 0 increments, command 1 decrements params[0].value.a
 *       (VALUE_INOUT, nothing else); its open entry point takes no parameters
 *   random      b6c53aba-9669-4668-a7f2-205629d00f86
 *       command 0 fills a memory reference (output only) with random bytes
 *   bench       c0ffee00-7e57-4b3e-9e11-000000000001
 *       command 1 writes byte j = j & 0xff into every output memory reference,
 *       command 2 increments every VALUE_INOUT
 *
 * Checks that depend on choices GP leaves to the implementation are grouped in
 * test_implementation() and say so. It prints "N passed, M failed" and exits
 * non-zero if anything failed.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tee_client_api.h>

static const TEEC_UUID uuid_hello = {
	0x8aaaf200, 0x2450, 0x11e4,
	{ 0xab, 0xe2, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b }
};
static const TEEC_UUID uuid_random = {
	0xb6c53aba, 0x9669, 0x4668,
	{ 0xa7, 0xf2, 0x20, 0x56, 0x29, 0xd0, 0x0f, 0x86 }
};
static const TEEC_UUID uuid_bench = {
	0xc0ffee00, 0x7e57, 0x4b3e,
	{ 0x9e, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 }
};
/* No TA has this UUID. */
static const TEEC_UUID uuid_absent = {
	0x0badc0de, 0x0000, 0x4000,
	{ 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x42 }
};

#define CMD_INC 0
#define CMD_DEC 1
#define CMD_RANDOM 0
#define CMD_TOUCH 1
#define CMD_VALUES 2

static pthread_mutex_t count_mu = PTHREAD_MUTEX_INITIALIZER;
static int passed, failed;
static const char *current = "";

/* check counts one expectation; it is safe to call from any thread. */
static void check(int ok, int line, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&count_mu);
	if (ok) {
		passed++;
	} else {
		failed++;
		fprintf(stderr, "FAIL %s (line %d): ", current, line);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	pthread_mutex_unlock(&count_mu);
}

#define CHECK(cond, ...) check(!!(cond), __LINE__, __VA_ARGS__)

/* Checks a result and its origin. */
#define CHECK_RES(got, got_origin, want, want_origin)                        \
	check((got) == (want) && (got_origin) == (want_origin), __LINE__,    \
	      "got 0x%08" PRIx32 " origin %" PRIu32 ", want 0x%08" PRIx32    \
	      " origin %" PRIu32, (uint32_t)(got), (uint32_t)(got_origin),   \
	      (uint32_t)(want), (uint32_t)(want_origin))

#define CHECK_OK(got, got_origin)                                            \
	check((got) == TEEC_SUCCESS, __LINE__,                               \
	      "got 0x%08" PRIx32 " origin %" PRIu32 ", want success",        \
	      (uint32_t)(got), (uint32_t)(got_origin))

static TEEC_Context ctx; /* the context most tests share */

static void begin(const char *name)
{
	current = name;
	printf("--- %s\n", name);
	fflush(stdout);
}

static TEEC_Result open_session(TEEC_Context *c, TEEC_Session *s,
				const TEEC_UUID *uuid)
{
	uint32_t origin = 0;
	TEEC_Result res;

	res = TEEC_OpenSession(c, s, uuid, TEEC_LOGIN_PUBLIC, NULL, NULL,
			       &origin);
	CHECK_OK(res, origin);
	return res;
}

static TEEC_Operation value_op(uint32_t a, uint32_t b)
{
	TEEC_Operation op;

	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE,
					 TEEC_NONE, TEEC_NONE);
	op.params[0].value.a = a;
	op.params[0].value.b = b;
	return op;
}

static TEEC_Operation one_param(uint32_t type)
{
	TEEC_Operation op;

	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(type, TEEC_NONE, TEEC_NONE, TEEC_NONE);
	return op;
}

static int all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static int touched_pattern(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)i)
			return 0;
	return 1;
}

static void test_contexts(void)
{
	TEEC_Context c1, c2, named;
	TEEC_Session s;
	const char *sock = getenv("TEE_SOCKET");
	TEEC_Result res;

	begin("contexts");
	res = TEEC_InitializeContext("no-such-tee", &named);
	CHECK(res == TEEC_ERROR_ITEM_NOT_FOUND,
	      "unknown TEE name: got 0x%08" PRIx32, res);

	/* Several contexts at once, each usable on its own. */
	CHECK(TEEC_InitializeContext(NULL, &c1) == TEEC_SUCCESS, "context 1");
	CHECK(TEEC_InitializeContext(NULL, &c2) == TEEC_SUCCESS, "context 2");
	if (open_session(&c2, &s, &uuid_hello) == TEEC_SUCCESS) {
		TEEC_Operation op = value_op(1, 0);
		uint32_t origin;

		res = TEEC_InvokeCommand(&s, CMD_INC, &op, &origin);
		CHECK_OK(res, origin);
		TEEC_CloseSession(&s);
	}
	TEEC_FinalizeContext(&c2);
	TEEC_FinalizeContext(&c1);

	/* gotee names a TEE by its socket path. */
	if (sock) {
		res = TEEC_InitializeContext(sock, &named);
		CHECK(res == TEEC_SUCCESS, "TEE named by its socket: 0x%08" PRIx32,
		      res);
		if (res == TEEC_SUCCESS)
			TEEC_FinalizeContext(&named);
	}
}

static void test_sessions(void)
{
	TEEC_Session s;
	TEEC_Operation op;
	uint32_t origin = 0;
	TEEC_Result res;
	uint32_t group = getgid();

	begin("sessions");
	res = TEEC_OpenSession(&ctx, &s, &uuid_absent, TEEC_LOGIN_PUBLIC, NULL,
			       NULL, &origin);
	CHECK_RES(res, origin, TEEC_ERROR_ITEM_NOT_FOUND, TEEC_ORIGIN_TEE);

	/* The TA's open entry point takes no parameters. */
	op = value_op(1, 2);
	res = TEEC_OpenSession(&ctx, &s, &uuid_hello, TEEC_LOGIN_PUBLIC, NULL,
			       &op, &origin);
	CHECK_RES(res, origin, TEEC_ERROR_BAD_PARAMETERS,
		  TEEC_ORIGIN_TRUSTED_APP);

	/* An operation with every parameter TEEC_NONE is no parameters. */
	op = one_param(TEEC_NONE);
	res = TEEC_OpenSession(&ctx, &s, &uuid_hello, TEEC_LOGIN_PUBLIC, NULL,
			       &op, &origin);
	CHECK_OK(res, origin);
	if (res == TEEC_SUCCESS)
		TEEC_CloseSession(&s);

	/* Logins that identify the user and a group the process is in. */
	res = TEEC_OpenSession(&ctx, &s, &uuid_hello, TEEC_LOGIN_USER, NULL,
			       NULL, &origin);
	CHECK_OK(res, origin);
	if (res == TEEC_SUCCESS)
		TEEC_CloseSession(&s);
	res = TEEC_OpenSession(&ctx, &s, &uuid_hello, TEEC_LOGIN_GROUP, &group,
			       NULL, &origin);
	CHECK_OK(res, origin);
	if (res == TEEC_SUCCESS)
		TEEC_CloseSession(&s);

	/* The return origin is optional. */
	res = TEEC_OpenSession(&ctx, &s, &uuid_absent, TEEC_LOGIN_PUBLIC, NULL,
			       NULL, NULL);
	CHECK(res == TEEC_ERROR_ITEM_NOT_FOUND, "NULL origin: 0x%08" PRIx32,
	      res);
}

static void test_values(void)
{
	TEEC_Session s;
	TEEC_Operation op;
	uint32_t origin = 0;
	TEEC_Result res;

	begin("values");
	if (open_session(&ctx, &s, &uuid_hello) != TEEC_SUCCESS)
		return;
	op = value_op(42, 7);
	res = TEEC_InvokeCommand(&s, CMD_INC, &op, &origin);
	CHECK_OK(res, origin);
	CHECK(op.params[0].value.a == 43 && op.params[0].value.b == 7,
	      "inc: a=%" PRIu32 " b=%" PRIu32, op.params[0].value.a,
	      op.params[0].value.b);
	res = TEEC_InvokeCommand(&s, CMD_DEC, &op, &origin);
	CHECK_OK(res, origin);
	CHECK(op.params[0].value.a == 42, "dec: a=%" PRIu32,
	      op.params[0].value.a);
	op = value_op(0, 0);
	res = TEEC_InvokeCommand(&s, CMD_DEC, &op, &origin);
	CHECK(res == TEEC_SUCCESS && op.params[0].value.a == UINT32_MAX,
	      "dec wraps: a=%" PRIu32, op.params[0].value.a);

	/* Wrong parameter types reach the TA, which refuses them. */
	op = one_param(TEEC_VALUE_INPUT);
	res = TEEC_InvokeCommand(&s, CMD_INC, &op, &origin);
	CHECK_RES(res, origin, TEEC_ERROR_BAD_PARAMETERS,
		  TEEC_ORIGIN_TRUSTED_APP);
	op = value_op(1, 0);
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_VALUE_INPUT,
					 TEEC_NONE, TEEC_NONE);
	res = TEEC_InvokeCommand(&s, CMD_INC, &op, &origin);
	CHECK_RES(res, origin, TEEC_ERROR_BAD_PARAMETERS,
		  TEEC_ORIGIN_TRUSTED_APP);
	res = TEEC_InvokeCommand(&s, CMD_INC, NULL, &origin);
	CHECK_RES(res, origin, TEEC_ERROR_BAD_PARAMETERS,
		  TEEC_ORIGIN_TRUSTED_APP);
	op = value_op(1, 0);
	res = TEEC_InvokeCommand(&s, 99, &op, &origin);
	CHECK_RES(res, origin, TEEC_ERROR_BAD_PARAMETERS,
		  TEEC_ORIGIN_TRUSTED_APP);

	/* Types that do not exist never leave the library. */
	op = one_param(0x4);
	res = TEEC_InvokeCommand(&s, CMD_INC, &op, &origin);
	CHECK_RES(res, origin, TEEC_ERROR_BAD_PARAMETERS, TEEC_ORIGIN_API);
	op = one_param(0x8);
	res = TEEC_InvokeCommand(&s, CMD_INC, &op, &origin);
	CHECK_RES(res, origin, TEEC_ERROR_BAD_PARAMETERS, TEEC_ORIGIN_API);

	/* The session still works after all that. */
	op = value_op(100, 0);
	res = TEEC_InvokeCommand(&s, CMD_INC, &op, &origin);
	CHECK(res == TEEC_SUCCESS && op.params[0].value.a == 101,
	      "after errors: 0x%08" PRIx32 " a=%" PRIu32, res,
	      op.params[0].value.a);
	TEEC_CloseSession(&s);

	/* Four values at once (bench increments every VALUE_INOUT). */
	if (open_session(&ctx, &s, &uuid_bench) != TEEC_SUCCESS)
		return;
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_VALUE_INPUT,
					 TEEC_VALUE_OUTPUT, TEEC_VALUE_INOUT);
	for (int i = 0; i < 4; i++)
		op.params[i].value.a = 10 * (i + 1);
	res = TEEC_InvokeCommand(&s, CMD_VALUES, &op, &origin);
	CHECK_OK(res, origin);
	CHECK(op.params[0].value.a == 11 && op.params[1].value.a == 20 &&
	      op.params[3].value.a == 41,
	      "four values: %" PRIu32 " %" PRIu32 " %" PRIu32,
	      op.params[0].value.a, op.params[1].value.a, op.params[3].value.a);
	TEEC_CloseSession(&s);
}

static void test_temp_memory(void)
{
	TEEC_Session s, b;
	TEEC_Operation op;
	uint32_t origin = 0;
	TEEC_Result res;
	uint8_t small[16], again[16];
	size_t big = 1 << 20, zeros = 0;
	uint8_t *p;

	begin("temporary memory");
	if (open_session(&ctx, &s, &uuid_random) != TEEC_SUCCESS)
		return;
	memset(small, 0, sizeof(small));
	op = one_param(TEEC_MEMREF_TEMP_OUTPUT);
	op.params[0].tmpref.buffer = small;
	op.params[0].tmpref.size = sizeof(small);
	res = TEEC_InvokeCommand(&s, CMD_RANDOM, &op, &origin);
	CHECK_OK(res, origin);
	CHECK(op.params[0].tmpref.size == sizeof(small), "size %zu",
	      op.params[0].tmpref.size);
	CHECK(!all_bytes(small, sizeof(small), 0), "16 random bytes are zero");
	memset(again, 0, sizeof(again));
	op.params[0].tmpref.buffer = again;
	res = TEEC_InvokeCommand(&s, CMD_RANDOM, &op, &origin);
	CHECK(res == TEEC_SUCCESS && memcmp(small, again, sizeof(small)),
	      "random twice: 0x%08" PRIx32, res);

	p = calloc(1, big);
	op = one_param(TEEC_MEMREF_TEMP_OUTPUT);
	op.params[0].tmpref.buffer = p;
	op.params[0].tmpref.size = big;
	res = TEEC_InvokeCommand(&s, CMD_RANDOM, &op, &origin);
	CHECK_OK(res, origin);
	CHECK(op.params[0].tmpref.size == big, "1 MiB: size %zu",
	      op.params[0].tmpref.size);
	for (size_t i = 0; i < big; i++)
		zeros += p[i] == 0;
	CHECK(zeros < 3 * (big / 256), "1 MiB of random has %zu zeros", zeros);
	free(p);

	/* A NULL reference of size 0. */
	op = one_param(TEEC_MEMREF_TEMP_OUTPUT);
	op.params[0].tmpref.buffer = NULL;
	op.params[0].tmpref.size = 0;
	res = TEEC_InvokeCommand(&s, CMD_RANDOM, &op, &origin);
	CHECK_OK(res, origin);
	CHECK(op.params[0].tmpref.size == 0, "NULL tmpref: size %zu",
	      op.params[0].tmpref.size);

	/* An input reference is the wrong type for random. */
	op = one_param(TEEC_MEMREF_TEMP_INPUT);
	op.params[0].tmpref.buffer = small;
	op.params[0].tmpref.size = sizeof(small);
	res = TEEC_InvokeCommand(&s, CMD_RANDOM, &op, &origin);
	CHECK_RES(res, origin, TEEC_ERROR_BAD_PARAMETERS,
		  TEEC_ORIGIN_TRUSTED_APP);
	TEEC_CloseSession(&s);

	/* Input stays as it was, inout comes back written. */
	if (open_session(&ctx, &b, &uuid_bench) != TEEC_SUCCESS)
		return;
	memset(small, 0xAA, sizeof(small));
	memset(again, 0xAA, sizeof(again));
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT,
					 TEEC_MEMREF_TEMP_INOUT, TEEC_NONE,
					 TEEC_NONE);
	op.params[0].tmpref.buffer = small;
	op.params[0].tmpref.size = sizeof(small);
	op.params[1].tmpref.buffer = again;
	op.params[1].tmpref.size = sizeof(again);
	res = TEEC_InvokeCommand(&b, CMD_TOUCH, &op, &origin);
	CHECK_OK(res, origin);
	CHECK(all_bytes(small, sizeof(small), 0xAA), "input changed");
	CHECK(touched_pattern(again, sizeof(again)), "inout not written");
	CHECK(op.params[1].tmpref.size == sizeof(again), "inout size %zu",
	      op.params[1].tmpref.size);
	TEEC_CloseSession(&b);
}

/*
 * Runs random into the output-only out whole, then into the window [16, 48)
 * of the inout shm, and bench's touch into the same window, checking that the
 * bytes around the window are left alone.
 */
static void shm_windows(TEEC_Session *rnd, TEEC_Session *bench,
			TEEC_SharedMemory *out, TEEC_SharedMemory *shm,
			const char *kind)
{
	TEEC_Operation op;
	uint32_t origin = 0;
	TEEC_Result res;
	uint8_t *p = out->buffer;

	memset(p, 0, 64);
	op = one_param(TEEC_MEMREF_WHOLE);
	op.params[0].memref.parent = out;
	res = TEEC_InvokeCommand(rnd, CMD_RANDOM, &op, &origin);
	CHECK_OK(res, origin);
	CHECK(op.params[0].memref.size == 64, "%s whole: size %zu", kind,
	      op.params[0].memref.size);
	CHECK(!all_bytes(p, 64, 0), "%s whole: not written", kind);

	/* Whole inout memory reaches random as inout: the TA refuses it. */
	op = one_param(TEEC_MEMREF_WHOLE);
	op.params[0].memref.parent = shm;
	res = TEEC_InvokeCommand(rnd, CMD_RANDOM, &op, &origin);
	CHECK_RES(res, origin, TEEC_ERROR_BAD_PARAMETERS,
		  TEEC_ORIGIN_TRUSTED_APP);

	p = shm->buffer;

	memset(p, 0xAA, 64);
	op = one_param(TEEC_MEMREF_PARTIAL_OUTPUT);
	op.params[0].memref.parent = shm;
	op.params[0].memref.offset = 16;
	op.params[0].memref.size = 32;
	res = TEEC_InvokeCommand(rnd, CMD_RANDOM, &op, &origin);
	CHECK_OK(res, origin);
	CHECK(op.params[0].memref.size == 32, "%s partial: size %zu", kind,
	      op.params[0].memref.size);
	CHECK(all_bytes(p, 16, 0xAA) && all_bytes(p + 48, 16, 0xAA),
	      "%s partial: bytes outside the window changed", kind);
	CHECK(!all_bytes(p + 16, 32, 0xAA), "%s partial: window not written",
	      kind);

	memset(p, 0xAA, 64);
	op = one_param(TEEC_MEMREF_PARTIAL_INOUT);
	op.params[0].memref.parent = shm;
	op.params[0].memref.offset = 16;
	op.params[0].memref.size = 32;
	res = TEEC_InvokeCommand(bench, CMD_TOUCH, &op, &origin);
	CHECK_OK(res, origin);
	CHECK(all_bytes(p, 16, 0xAA) && all_bytes(p + 48, 16, 0xAA) &&
	      touched_pattern(p + 16, 32), "%s partial inout: wrong bytes", kind);
}

/* Windows and directions the library must refuse before the TA sees them. */
static void shm_refusals(TEEC_Session *rnd, TEEC_SharedMemory *in_only,
			 TEEC_SharedMemory *out_only, const char *kind)
{
	struct {
		TEEC_SharedMemory *parent;
		uint32_t type;
		size_t offset, size;
		const char *what;
	} cases[] = {
		{ out_only, TEEC_MEMREF_PARTIAL_OUTPUT, 60, 8, "past the end" },
		{ out_only, TEEC_MEMREF_PARTIAL_OUTPUT, 0, 65, "too large" },
		{ out_only, TEEC_MEMREF_PARTIAL_OUTPUT, 65, 0, "offset past end" },
		{ out_only, TEEC_MEMREF_PARTIAL_OUTPUT, SIZE_MAX, 2, "wraps" },
		{ out_only, TEEC_MEMREF_PARTIAL_OUTPUT, 8, SIZE_MAX, "huge" },
		{ in_only, TEEC_MEMREF_PARTIAL_OUTPUT, 0, 8, "output on input" },
		{ in_only, TEEC_MEMREF_PARTIAL_INOUT, 0, 8, "inout on input" },
		{ out_only, TEEC_MEMREF_PARTIAL_INPUT, 0, 8, "input on output" },
		{ out_only, TEEC_MEMREF_PARTIAL_INOUT, 0, 8, "inout on output" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TEEC_Operation op = one_param(cases[i].type);
		uint32_t origin = 0;
		TEEC_Result res;

		memset(cases[i].parent->buffer, 0x55, 64);
		op.params[0].memref.parent = cases[i].parent;
		op.params[0].memref.offset = cases[i].offset;
		op.params[0].memref.size = cases[i].size;
		res = TEEC_InvokeCommand(rnd, CMD_RANDOM, &op, &origin);
		check(res == TEEC_ERROR_BAD_PARAMETERS &&
		      origin == TEEC_ORIGIN_API, __LINE__,
		      "%s %s: got 0x%08" PRIx32 " origin %" PRIu32, kind,
		      cases[i].what, res, origin);
		CHECK(all_bytes(cases[i].parent->buffer, 64, 0x55),
		      "%s %s: memory changed", kind, cases[i].what);
	}
}

static void test_shared_memory(void)
{
	TEEC_Session rnd, bench;
	TEEC_SharedMemory inout, in_only, out_only, empty;
	uint8_t reg_inout[64], reg_in[64], reg_out[64];
	TEEC_Result res;

	begin("shared memory");
	if (open_session(&ctx, &rnd, &uuid_random) != TEEC_SUCCESS)
		return;
	if (open_session(&ctx, &bench, &uuid_bench) != TEEC_SUCCESS)
		return;

	/* Allocated. */
	memset(&inout, 0, sizeof(inout));
	inout.size = 64;
	inout.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
	res = TEEC_AllocateSharedMemory(&ctx, &inout);
	CHECK(res == TEEC_SUCCESS && inout.buffer, "allocate: 0x%08" PRIx32,
	      res);
	memset(&in_only, 0, sizeof(in_only));
	in_only.size = 64;
	in_only.flags = TEEC_MEM_INPUT;
	CHECK(TEEC_AllocateSharedMemory(&ctx, &in_only) == TEEC_SUCCESS,
	      "allocate input");
	memset(&out_only, 0, sizeof(out_only));
	out_only.size = 64;
	out_only.flags = TEEC_MEM_OUTPUT;
	CHECK(TEEC_AllocateSharedMemory(&ctx, &out_only) == TEEC_SUCCESS,
	      "allocate output");
	if (inout.buffer && in_only.buffer && out_only.buffer) {
		shm_windows(&rnd, &bench, &out_only, &inout, "allocated");
		shm_refusals(&rnd, &in_only, &out_only, "allocated");
	}
	TEEC_ReleaseSharedMemory(&inout);
	TEEC_ReleaseSharedMemory(&in_only);
	TEEC_ReleaseSharedMemory(&out_only);

	/* Allocated, and large. */
	memset(&inout, 0, sizeof(inout));
	inout.size = 4 << 20;
	inout.flags = TEEC_MEM_OUTPUT;
	res = TEEC_AllocateSharedMemory(&ctx, &inout);
	CHECK(res == TEEC_SUCCESS, "allocate 4 MiB: 0x%08" PRIx32, res);
	if (res == TEEC_SUCCESS) {
		TEEC_Operation op = one_param(TEEC_MEMREF_WHOLE);
		uint32_t origin;

		memset(inout.buffer, 0, inout.size);
		op.params[0].memref.parent = &inout;
		res = TEEC_InvokeCommand(&bench, CMD_TOUCH, &op, &origin);
		CHECK_OK(res, origin);
		CHECK(touched_pattern(inout.buffer, inout.size),
		      "4 MiB whole: not written");
		TEEC_ReleaseSharedMemory(&inout);
	}

	/* Size 0 is allowed. */
	memset(&empty, 0, sizeof(empty));
	empty.size = 0;
	empty.flags = TEEC_MEM_INPUT;
	res = TEEC_AllocateSharedMemory(&ctx, &empty);
	CHECK(res == TEEC_SUCCESS, "allocate 0 bytes: 0x%08" PRIx32, res);
	if (res == TEEC_SUCCESS)
		TEEC_ReleaseSharedMemory(&empty);

	/* Registered. */
	memset(&inout, 0, sizeof(inout));
	inout.buffer = reg_inout;
	inout.size = sizeof(reg_inout);
	inout.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
	CHECK(TEEC_RegisterSharedMemory(&ctx, &inout) == TEEC_SUCCESS,
	      "register");
	memset(&in_only, 0, sizeof(in_only));
	in_only.buffer = reg_in;
	in_only.size = sizeof(reg_in);
	in_only.flags = TEEC_MEM_INPUT;
	CHECK(TEEC_RegisterSharedMemory(&ctx, &in_only) == TEEC_SUCCESS,
	      "register input");
	memset(&out_only, 0, sizeof(out_only));
	out_only.buffer = reg_out;
	out_only.size = sizeof(reg_out);
	out_only.flags = TEEC_MEM_OUTPUT;
	CHECK(TEEC_RegisterSharedMemory(&ctx, &out_only) == TEEC_SUCCESS,
	      "register output");
	shm_windows(&rnd, &bench, &out_only, &inout, "registered");
	shm_refusals(&rnd, &in_only, &out_only, "registered");

	/* Whole input-only memory reaches random as an input: the TA refuses. */
	{
		TEEC_Operation op = one_param(TEEC_MEMREF_WHOLE);
		uint32_t origin;

		op.params[0].memref.parent = &in_only;
		res = TEEC_InvokeCommand(&rnd, CMD_RANDOM, &op, &origin);
		CHECK_RES(res, origin, TEEC_ERROR_BAD_PARAMETERS,
			  TEEC_ORIGIN_TRUSTED_APP);
	}
	TEEC_ReleaseSharedMemory(&inout);
	TEEC_ReleaseSharedMemory(&in_only);
	TEEC_ReleaseSharedMemory(&out_only);

	/* Flags other than INPUT and OUTPUT are refused. */
	memset(&inout, 0, sizeof(inout));
	inout.size = 8;
	inout.flags = 0x4;
	res = TEEC_AllocateSharedMemory(&ctx, &inout);
	CHECK(res == TEEC_ERROR_BAD_PARAMETERS, "bad flags: 0x%08" PRIx32, res);

	TEEC_CloseSession(&rnd);
	TEEC_CloseSession(&bench);
}

#define THREADS 8
#define ROUNDS 200

struct worker {
	TEEC_Session *shared; /* NULL: open a session of its own */
	int n;
	int errors;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	TEEC_Session own, *s = w->shared;

	if (!s) {
		if (TEEC_OpenSession(&ctx, &own, &uuid_hello, TEEC_LOGIN_PUBLIC,
				     NULL, NULL, NULL) != TEEC_SUCCESS) {
			w->errors++;
			return NULL;
		}
		s = &own;
	}
	for (int i = 0; i < ROUNDS; i++) {
		uint32_t v = (uint32_t)(w->n * 100000 + i);
		TEEC_Operation op = value_op(v, 0);

		if (TEEC_InvokeCommand(s, CMD_INC, &op, NULL) != TEEC_SUCCESS ||
		    op.params[0].value.a != v + 1)
			w->errors++;
	}
	if (s == &own)
		TEEC_CloseSession(&own);
	return NULL;
}

static void run_workers(TEEC_Session *shared, const char *what)
{
	pthread_t t[THREADS];
	struct worker w[THREADS];

	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .shared = shared, .n = i };
		CHECK(pthread_create(&t[i], NULL, work, &w[i]) == 0, "thread");
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		CHECK(w[i].errors == 0, "%s: thread %d had %d errors", what, i,
		      w[i].errors);
	}
}

static void test_threads(void)
{
	TEEC_Session shared;

	begin("threads");
	run_workers(NULL, "own sessions");
	if (open_session(&ctx, &shared, &uuid_hello) == TEEC_SUCCESS) {
		run_workers(&shared, "one session");
		TEEC_CloseSession(&shared);
	}
}

#define MANY 40

static void test_many_sessions(void)
{
	TEEC_Session s[MANY];
	int opened = 0;

	begin("many sessions");
	for (int i = 0; i < MANY; i++) {
		if (open_session(&ctx, &s[i], &uuid_hello) != TEEC_SUCCESS)
			break;
		opened++;
	}
	for (int i = 0; i < opened; i++) {
		TEEC_Operation op = value_op((uint32_t)i, 0);
		uint32_t origin;
		TEEC_Result res = TEEC_InvokeCommand(&s[i], CMD_INC, &op,
						     &origin);

		CHECK(res == TEEC_SUCCESS && op.params[0].value.a == (uint32_t)i + 1,
		      "session %d: 0x%08" PRIx32, i, res);
	}
	for (int i = opened - 1; i >= 0; i--)
		TEEC_CloseSession(&s[i]);
	CHECK(opened == MANY, "opened %d of %d sessions", opened, MANY);
}

struct canceller {
	TEEC_Operation *op;
	volatile int stop;
};

static void *cancel_loop(void *arg)
{
	struct canceller *c = arg;

	while (!c->stop)
		TEEC_RequestCancellation(c->op);
	return NULL;
}

static void test_cancellation(void)
{
	TEEC_Session s;
	TEEC_Operation op;
	struct canceller c;
	pthread_t t;
	uint32_t origin = 0;
	TEEC_Result res;
	int bad = 0;

	begin("cancellation");
	if (open_session(&ctx, &s, &uuid_hello) != TEEC_SUCCESS)
		return;
	/* Before, during and after operations on a TA that never looks at its
	 * cancellation flag: every command completes normally. */
	op = value_op(5, 0);
	TEEC_RequestCancellation(&op);
	op = value_op(5, 0);
	res = TEEC_InvokeCommand(&s, CMD_INC, &op, &origin);
	CHECK(res == TEEC_SUCCESS && op.params[0].value.a == 6,
	      "invoke: 0x%08" PRIx32, res);
	TEEC_RequestCancellation(&op);

	c.op = &op;
	c.stop = 0;
	CHECK(pthread_create(&t, NULL, cancel_loop, &c) == 0, "thread");
	for (int i = 0; i < 100; i++) {
		op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE,
						 TEEC_NONE, TEEC_NONE);
		op.params[0].value.a = (uint32_t)i;
		res = TEEC_InvokeCommand(&s, CMD_INC, &op, &origin);
		if (res != TEEC_SUCCESS || op.params[0].value.a != (uint32_t)i + 1)
			bad++;
	}
	c.stop = 1;
	pthread_join(t, NULL);
	CHECK(bad == 0, "%d invokes failed under cancellation requests", bad);
	TEEC_CloseSession(&s);
}

/* Behaviour GP leaves to the implementation; gotee does what OP-TEE does. */
static void test_implementation(void)
{
	TEEC_Session s;
	TEEC_SharedMemory m;
	TEEC_Operation op;
	uint32_t origin = 0;
	TEEC_Result res;

	begin("implementation-defined behaviour");
	CHECK(TEEC_InitializeContext(NULL, NULL) == TEEC_ERROR_BAD_PARAMETERS,
	      "NULL context");
	res = TEEC_OpenSession(NULL, &s, &uuid_hello, TEEC_LOGIN_PUBLIC, NULL,
			       NULL, &origin);
	CHECK_RES(res, origin, TEEC_ERROR_BAD_PARAMETERS, TEEC_ORIGIN_API);
	res = TEEC_OpenSession(&ctx, NULL, &uuid_hello, TEEC_LOGIN_PUBLIC,
			       NULL, NULL, &origin);
	CHECK_RES(res, origin, TEEC_ERROR_BAD_PARAMETERS, TEEC_ORIGIN_API);
	res = TEEC_OpenSession(&ctx, &s, &uuid_hello, TEEC_LOGIN_GROUP, NULL,
			       NULL, &origin);
	CHECK_RES(res, origin, TEEC_ERROR_BAD_PARAMETERS, TEEC_ORIGIN_API);
	op = value_op(1, 0);
	res = TEEC_InvokeCommand(NULL, CMD_INC, &op, &origin);
	CHECK_RES(res, origin, TEEC_ERROR_BAD_PARAMETERS, TEEC_ORIGIN_API);
	TEEC_CloseSession(NULL);
	TEEC_FinalizeContext(NULL);
	TEEC_ReleaseSharedMemory(NULL);
	TEEC_RequestCancellation(NULL);
	CHECK(TEEC_AllocateSharedMemory(&ctx, NULL) == TEEC_ERROR_BAD_PARAMETERS,
	      "NULL shared memory");

	/* Registering NULL is refused; release resets the structure. */
	memset(&m, 0, sizeof(m));
	m.size = 16;
	m.flags = TEEC_MEM_INPUT;
	CHECK(TEEC_RegisterSharedMemory(&ctx, &m) == TEEC_ERROR_BAD_PARAMETERS,
	      "register NULL buffer");
	memset(&m, 0, sizeof(m));
	m.size = 16;
	m.flags = TEEC_MEM_OUTPUT;
	CHECK(TEEC_AllocateSharedMemory(&ctx, &m) == TEEC_SUCCESS, "allocate");
	TEEC_ReleaseSharedMemory(&m);
	CHECK(m.buffer == NULL, "released memory keeps its buffer");
	TEEC_ReleaseSharedMemory(&m); /* twice is harmless */

	/* A NULL temporary reference with a size (how a client asks for the
	 * size an output needs) reaches the TA. */
	if (open_session(&ctx, &s, &uuid_bench) == TEEC_SUCCESS) {
		op = one_param(TEEC_MEMREF_TEMP_OUTPUT);
		op.params[0].tmpref.size = 32;
		res = TEEC_InvokeCommand(&s, CMD_TOUCH, &op, &origin);
		CHECK(res == TEEC_SUCCESS || res == TEEC_ERROR_SHORT_BUFFER,
		      "NULL tmpref with a size: 0x%08" PRIx32, res);
		TEEC_CloseSession(&s);
	}
}

int main(void)
{
	TEEC_Result res;

	setvbuf(stdout, NULL, _IOLBF, 0);
	res = TEEC_InitializeContext(NULL, &ctx);
	if (res != TEEC_SUCCESS) {
		fprintf(stderr, "TEEC_InitializeContext: 0x%08" PRIx32 "\n", res);
		return 2;
	}
	test_contexts();
	test_sessions();
	test_values();
	test_temp_memory();
	test_shared_memory();
	test_threads();
	test_many_sessions();
	test_cancellation();
	test_implementation();
	TEEC_FinalizeContext(&ctx);

	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

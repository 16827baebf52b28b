/*
 * optee_example_hello_world: the host side of OP-TEE's hello_world example,
 * written against the GlobalPlatform TEE Client API only, so the same source
 * builds for OP-TEE's libteec and for gotee's.
 *
 * It connects to the default TEE, opens a session on the hello_world TA, has
 * the TA increment 42, prints the result and cleans up. On failure it prints
 * the return code and origin in hex and exits with status 1.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tee_client_api.h>

/* 8aaaf200-2450-11e4-abe2-0002a5d5c51b */
static const TEEC_UUID hello_world_ta = {
	0x8aaaf200, 0x2450, 0x11e4,
	{ 0xab, 0xe2, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b }
};

/* The TA's commands, as in the example's hello_world_ta.h. */
enum { CMD_INC_VALUE = 0, CMD_DEC_VALUE = 1 };

static void fail(const char *what, TEEC_Result res, uint32_t origin)
{
	fprintf(stderr, "hello_world: %s failed with code 0x%08" PRIx32
		" origin 0x%08" PRIx32 "\n", what, res, origin);
	exit(1);
}

int main(void)
{
	TEEC_Context ctx;
	TEEC_Session sess;
	TEEC_Operation op;
	TEEC_Result res;
	uint32_t origin = 0;

	res = TEEC_InitializeContext(NULL, &ctx);
	if (res != TEEC_SUCCESS)
		fail("TEEC_InitializeContext", res, TEEC_ORIGIN_API);

	res = TEEC_OpenSession(&ctx, &sess, &hello_world_ta, TEEC_LOGIN_PUBLIC,
			       NULL, NULL, &origin);
	if (res != TEEC_SUCCESS)
		fail("TEEC_OpenSession", res, origin);

	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE,
					 TEEC_NONE, TEEC_NONE);
	op.params[0].value.a = 42;

	printf("Invoking TA to increment %" PRIu32 "\n", op.params[0].value.a);
	res = TEEC_InvokeCommand(&sess, CMD_INC_VALUE, &op, &origin);
	if (res != TEEC_SUCCESS)
		fail("TEEC_InvokeCommand", res, origin);
	printf("TA incremented value to %" PRIu32 "\n", op.params[0].value.a);

	TEEC_CloseSession(&sess);
	TEEC_FinalizeContext(&ctx);
	return 0;
}

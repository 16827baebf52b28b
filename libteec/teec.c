/*
 * The GlobalPlatform TEE Client API entry points of libteec.so.1, with their
 * exact prototypes (checked against include/tee_client_api.h by the compiler).
 * Each one calls the Go function that implements it (abi_unsafe.go); cgo's
 * exports cannot carry const qualifiers, hence this thin layer.
 */
#include <stddef.h>

#include "tee_client_api.h"
#include "_cgo_export.h"

/* The layouts of optee_client's libteec.so.1 on LP64 targets. */
#if defined(__LP64__)
_Static_assert(sizeof(TEEC_Context) == 8, "TEEC_Context layout");
_Static_assert(sizeof(TEEC_Session) == 16, "TEEC_Session layout");
_Static_assert(offsetof(TEEC_SharedMemory, id) == 20, "TEEC_SharedMemory layout");
_Static_assert(offsetof(TEEC_SharedMemory, registered_fd) == 40, "TEEC_SharedMemory layout");
_Static_assert(offsetof(TEEC_SharedMemory, internal) == 44, "TEEC_SharedMemory layout");
_Static_assert(sizeof(TEEC_SharedMemory) == 48, "TEEC_SharedMemory layout");
_Static_assert(sizeof(TEEC_Parameter) == 24, "TEEC_Parameter layout");
_Static_assert(offsetof(TEEC_Operation, params) == 8, "TEEC_Operation layout");
_Static_assert(offsetof(TEEC_Operation, session) == 104, "TEEC_Operation layout");
_Static_assert(sizeof(TEEC_Operation) == 112, "TEEC_Operation layout");
_Static_assert(sizeof(TEEC_UUID) == 16, "TEEC_UUID layout");
#endif

TEEC_Result TEEC_InitializeContext(const char *name, TEEC_Context *context)
{
	return goteeInitializeContext((char *)name, context);
}

void TEEC_FinalizeContext(TEEC_Context *context)
{
	goteeFinalizeContext(context);
}

TEEC_Result TEEC_OpenSession(TEEC_Context *context, TEEC_Session *session,
			     const TEEC_UUID *destination,
			     uint32_t connectionMethod,
			     const void *connectionData,
			     TEEC_Operation *operation, uint32_t *returnOrigin)
{
	return goteeOpenSession(context, session, (TEEC_UUID *)destination,
				connectionMethod, (void *)connectionData,
				operation, returnOrigin);
}

void TEEC_CloseSession(TEEC_Session *session)
{
	goteeCloseSession(session);
}

TEEC_Result TEEC_InvokeCommand(TEEC_Session *session, uint32_t commandID,
			       TEEC_Operation *operation,
			       uint32_t *returnOrigin)
{
	return goteeInvokeCommand(session, commandID, operation, returnOrigin);
}

TEEC_Result TEEC_RegisterSharedMemory(TEEC_Context *context,
				      TEEC_SharedMemory *sharedMem)
{
	return goteeRegisterSharedMemory(context, sharedMem);
}

TEEC_Result TEEC_AllocateSharedMemory(TEEC_Context *context,
				      TEEC_SharedMemory *sharedMem)
{
	return goteeAllocateSharedMemory(context, sharedMem);
}

void TEEC_ReleaseSharedMemory(TEEC_SharedMemory *sharedMemory)
{
	goteeReleaseSharedMemory(sharedMemory);
}

void TEEC_RequestCancellation(TEEC_Operation *operation)
{
	goteeRequestCancellation(operation);
}

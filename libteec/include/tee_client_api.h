/*
 * tee_client_api.h - the GlobalPlatform TEE Client API v1.0, as gotee's
 * libteec.so.1 implements it.
 *
 * Binary compatibility: every type below has the size, alignment and field
 * offsets of the matching type of OP-TEE's optee_client libteec.so.1 (the
 * 3.x series), every constant has its value, and every function has its
 * prototype. A program built against OP-TEE's header therefore runs against
 * gotee's library when only the library search path changes.
 *
 * The fields marked "implementation defined" are the handles gotee's library
 * uses to find its own state (a context number, a session number, a shared
 * memory number). Client applications must not read or write them; they keep
 * OP-TEE's names only so that the layouts line up.
 *
 * Note that optee_client 4.x (libteec.so.2) wrapped these fields in "imp"
 * structures, which moved the fields of TEEC_SharedMemory: programs built
 * against that header need a libteec.so.2, which this is not.
 */
#ifndef TEE_CLIENT_API_H
#define TEE_CLIENT_API_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits of this implementation (Client API section 4.4.1). */
#define TEEC_CONFIG_PAYLOAD_REF_COUNT   4          /* parameters per operation */
#define TEEC_CONFIG_SHAREDMEM_MAX_SIZE  ULONG_MAX  /* no limit beyond memory */

/* Parameter types, one nibble per parameter (section 4.5.x). */
#define TEEC_NONE                   0x00000000
#define TEEC_VALUE_INPUT            0x00000001
#define TEEC_VALUE_OUTPUT           0x00000002
#define TEEC_VALUE_INOUT            0x00000003
#define TEEC_MEMREF_TEMP_INPUT      0x00000005
#define TEEC_MEMREF_TEMP_OUTPUT     0x00000006
#define TEEC_MEMREF_TEMP_INOUT      0x00000007
#define TEEC_MEMREF_WHOLE           0x0000000C
#define TEEC_MEMREF_PARTIAL_INPUT   0x0000000D
#define TEEC_MEMREF_PARTIAL_OUTPUT  0x0000000E
#define TEEC_MEMREF_PARTIAL_INOUT   0x0000000F

/* Directions of a block of shared memory (TEEC_SharedMemory.flags). */
#define TEEC_MEM_INPUT              0x00000001
#define TEEC_MEM_OUTPUT             0x00000002

/* Return codes (section 4.4.2), plus the TEE_ names OP-TEE also defines. */
#define TEEC_SUCCESS                        0x00000000
#define TEEC_ERROR_STORAGE_NOT_AVAILABLE    0xF0100003
#define TEEC_ERROR_GENERIC                  0xFFFF0000
#define TEEC_ERROR_ACCESS_DENIED            0xFFFF0001
#define TEEC_ERROR_CANCEL                   0xFFFF0002
#define TEEC_ERROR_ACCESS_CONFLICT          0xFFFF0003
#define TEEC_ERROR_EXCESS_DATA              0xFFFF0004
#define TEEC_ERROR_BAD_FORMAT               0xFFFF0005
#define TEEC_ERROR_BAD_PARAMETERS           0xFFFF0006
#define TEEC_ERROR_BAD_STATE                0xFFFF0007
#define TEEC_ERROR_ITEM_NOT_FOUND           0xFFFF0008
#define TEEC_ERROR_NOT_IMPLEMENTED          0xFFFF0009
#define TEEC_ERROR_NOT_SUPPORTED            0xFFFF000A
#define TEEC_ERROR_NO_DATA                  0xFFFF000B
#define TEEC_ERROR_OUT_OF_MEMORY            0xFFFF000C
#define TEEC_ERROR_BUSY                     0xFFFF000D
#define TEEC_ERROR_COMMUNICATION            0xFFFF000E
#define TEEC_ERROR_SECURITY                 0xFFFF000F
#define TEEC_ERROR_SHORT_BUFFER             0xFFFF0010
#define TEEC_ERROR_EXTERNAL_CANCEL          0xFFFF0011
#define TEEC_ERROR_TARGET_DEAD              0xFFFF3024
#define TEEC_ERROR_STORAGE_NO_SPACE         0xFFFF3041
#define TEE_ERROR_EXTERNAL_CANCEL           0xFFFF0011
#define TEE_ERROR_OVERFLOW                  0xFFFF300F
#define TEE_ERROR_TARGET_DEAD               0xFFFF3024
#define TEE_ERROR_STORAGE_NO_SPACE          0xFFFF3041
#define TEE_ERROR_MAC_INVALID               0xFFFF3071
#define TEE_ERROR_SIGNATURE_INVALID         0xFFFF3072
#define TEE_ERROR_TIME_NOT_SET              0xFFFF5000
#define TEE_ERROR_TIME_NEEDS_RESET          0xFFFF5001

/* Which layer produced a return code (section 4.4.3). */
#define TEEC_ORIGIN_API             0x00000001  /* this library */
#define TEEC_ORIGIN_COMMS           0x00000002  /* the channel to teed */
#define TEEC_ORIGIN_TEE             0x00000003  /* teed, the trusted OS */
#define TEEC_ORIGIN_TRUSTED_APP     0x00000004  /* the Trusted Application */

/* Login methods for TEEC_OpenSession (section 4.4.4). The two GROUP methods
 * take a pointer to the uint32_t group id as connectionData. */
#define TEEC_LOGIN_PUBLIC               0x00000000
#define TEEC_LOGIN_USER                 0x00000001
#define TEEC_LOGIN_GROUP                0x00000002
#define TEEC_LOGIN_APPLICATION          0x00000004
#define TEEC_LOGIN_USER_APPLICATION     0x00000005
#define TEEC_LOGIN_GROUP_APPLICATION    0x00000006

/* Packs four parameter types into TEEC_Operation.paramTypes. */
#define TEEC_PARAM_TYPES(t0, t1, t2, t3) \
	((t0) | ((t1) << 4) | ((t2) << 8) | ((t3) << 12))

/* Extracts the type of parameter i from a packed paramTypes word. */
#define TEEC_PARAM_TYPE_GET(types, i) (((types) >> (i * 4)) & 0xF)

typedef uint32_t TEEC_Result;

/* A connection to a TEE. */
typedef struct {
	/* implementation defined */
	int fd;             /* the library's number for this context */
	bool reg_mem;       /* always true here */
	bool memref_null;   /* always true here */
} TEEC_Context;

/* A Trusted Application's identity, in the field order of RFC 4122. */
typedef struct {
	uint32_t timeLow;
	uint16_t timeMid;
	uint16_t timeHiAndVersion;
	uint8_t clockSeqAndNode[8];
} TEEC_UUID;

/* A block of memory shared with Trusted Applications: either allocated by the
 * library (TEEC_AllocateSharedMemory) or the caller's own buffer
 * (TEEC_RegisterSharedMemory). */
typedef struct {
	void *buffer;
	size_t size;
	uint32_t flags;     /* TEEC_MEM_INPUT and/or TEEC_MEM_OUTPUT */
	/* implementation defined */
	int id;             /* the library's number for this block; -1 once released */
	size_t alloced_size;
	void *shadow_buffer;
	int registered_fd;
	union {
		bool dummy;
		uint8_t flags;
	} internal;
} TEEC_SharedMemory;

/* Caller memory lent to the TEE for the duration of one operation. */
typedef struct {
	void *buffer;
	size_t size;
} TEEC_TempMemoryReference;

/* A window into a block of shared memory. */
typedef struct {
	TEEC_SharedMemory *parent;
	size_t size;
	size_t offset;
} TEEC_RegisteredMemoryReference;

/* Two 32-bit integers passed by value. */
typedef struct {
	uint32_t a;
	uint32_t b;
} TEEC_Value;

/* One parameter; which member is meant depends on its type in paramTypes. */
typedef union {
	TEEC_TempMemoryReference tmpref;
	TEEC_RegisteredMemoryReference memref;
	TEEC_Value value;
} TEEC_Parameter;

/* An open session with a Trusted Application. */
typedef struct {
	/* implementation defined */
	TEEC_Context *ctx;
	uint32_t session_id;    /* the library's number for this session */
} TEEC_Session;

/* The payload of an open or an invoke. Set started to 0 before passing it,
 * so that TEEC_RequestCancellation may be used on it. */
typedef struct {
	uint32_t started;
	uint32_t paramTypes;
	TEEC_Parameter params[TEEC_CONFIG_PAYLOAD_REF_COUNT];
	/* implementation defined */
	TEEC_Session *session;  /* the session of the last invoke with it */
} TEEC_Operation;

/* Connects to the TEE called name; NULL is the default TEE (teed at
 * $TEE_SOCKET or its standard socket) and an absolute path names the socket
 * of a teed. */
TEEC_Result TEEC_InitializeContext(const char *name, TEEC_Context *context);

/* Ends a context. Its sessions and shared memory should be gone first. */
void TEEC_FinalizeContext(TEEC_Context *context);

/* Opens a session with the Trusted Application destination. */
TEEC_Result TEEC_OpenSession(TEEC_Context *context,
			     TEEC_Session *session,
			     const TEEC_UUID *destination,
			     uint32_t connectionMethod,
			     const void *connectionData,
			     TEEC_Operation *operation,
			     uint32_t *returnOrigin);

/* Closes a session; the Trusted Application's close entry point runs. */
void TEEC_CloseSession(TEEC_Session *session);

/* Runs command commandID of the session's Trusted Application. */
TEEC_Result TEEC_InvokeCommand(TEEC_Session *session,
			       uint32_t commandID,
			       TEEC_Operation *operation,
			       uint32_t *returnOrigin);

/* Shares the caller's buffer sharedMem->buffer of sharedMem->size bytes. */
TEEC_Result TEEC_RegisterSharedMemory(TEEC_Context *context,
				      TEEC_SharedMemory *sharedMem);

/* Allocates sharedMem->size bytes of shared memory into sharedMem->buffer. */
TEEC_Result TEEC_AllocateSharedMemory(TEEC_Context *context,
				      TEEC_SharedMemory *sharedMem);

/* Releases registered or allocated shared memory. */
void TEEC_ReleaseSharedMemory(TEEC_SharedMemory *sharedMemory);

/* Asks for an open or invoke in progress with operation to be cancelled. */
void TEEC_RequestCancellation(TEEC_Operation *operation);

#ifdef __cplusplus
}
#endif

#endif /* TEE_CLIENT_API_H */

/*
 * invoke_bench: K invokes of the hello_world TA (command 0, one VALUE_INOUT)
 * through libteec, and, interleaved with them in chunks, K raw SOCK_SEQPACKET ping-pongs of a
 * similar message between this process and a forked child: the floor the invoke
 * is judged against (docs/benchmarks.md).
 *
 *   invoke_bench K MSG_BYTES [SOCKET]
 *
 * SOCKET is the teed socket (an absolute path); without it libteec uses its
 * default (TEE_SOCKET or the standard place). It prints, one per line,
 *
 *   invoke_ns_per_op N
 *   pingpong_ns_per_op N
 *   ratio R
 *
 * and exits non-zero, with a message on stderr, if anything fails or the TA does
 * not increment the value.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <tee_client_api.h>

#define WARMUP 100
#define CHUNKS 10 /* the two loops alternate in chunks, so drift in the machine's
		     load falls on both alike */

static const TEEC_UUID hello_world_uuid = {
	0x8aaaf200, 0x2450, 0x11e4, {0xab, 0xe2, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b}};

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* invoke runs one hello_world invoke and checks the increment; 0 on success. */
static int invoke(TEEC_Session *sess, TEEC_Operation *op, uint32_t a)
{
	uint32_t origin;
	TEEC_Result res;

	op->params[0].value.a = a;
	res = TEEC_InvokeCommand(sess, 0, op, &origin);
	if (res != TEEC_SUCCESS || op->params[0].value.a != a + 1) {
		fprintf(stderr, "TEEC_InvokeCommand: 0x%x origin 0x%x, value %u after %u\n",
			res, origin, op->params[0].value.a, a);
		return -1;
	}
	return 0;
}

/* pingpong sends msg to the echo child on fd and waits for it back; 0 on success. */
static int pingpong(int fd, char *msg, size_t msg_bytes, char *buf)
{
	ssize_t n;

	if (send(fd, msg, msg_bytes, MSG_NOSIGNAL) != (ssize_t)msg_bytes) {
		perror("send");
		return -1;
	}
	do
		n = recv(fd, buf, 65536, 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)msg_bytes) {
		fprintf(stderr, "recv: %zd bytes, want %zu\n", n, msg_bytes);
		return -1;
	}
	return 0;
}

/* echo is the forked peer: only system calls, then _exit. */
static void echo(int fd, char *buf)
{
	for (;;) {
		ssize_t n = recv(fd, buf, 65536, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(n == 0 ? 0 : 1);
		if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
			_exit(1);
	}
}

int main(int argc, char **argv)
{
	TEEC_Context ctx;
	TEEC_Session sess;
	TEEC_Operation op;
	TEEC_Result res;
	uint32_t origin;
	double t, inv = 0, pp = 0;
	char *msg, *buf;
	long k, msg_bytes, i, c, done, chunk;
	int sv[2], status, rc = 1;
	pid_t pid;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s K MSG_BYTES [SOCKET]\n", argv[0]);
		return 2;
	}
	k = atol(argv[1]);
	msg_bytes = atol(argv[2]);
	if (k < 1 || msg_bytes < 8 || msg_bytes > 65536) {
		fprintf(stderr, "K must be >= 1 and MSG_BYTES in 8..65536\n");
		return 2;
	}
	msg = calloc(1, (size_t)msg_bytes);
	buf = malloc(65536);
	if (msg == NULL || buf == NULL) {
		perror("malloc");
		return 1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("socketpair");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		close(sv[0]);
		echo(sv[1], buf);
	}
	close(sv[1]);

	res = TEEC_InitializeContext(argc == 4 ? argv[3] : NULL, &ctx);
	if (res != TEEC_SUCCESS) {
		fprintf(stderr, "TEEC_InitializeContext: 0x%x\n", res);
		goto out_child;
	}
	res = TEEC_OpenSession(&ctx, &sess, &hello_world_uuid, TEEC_LOGIN_PUBLIC, NULL, NULL, &origin);
	if (res != TEEC_SUCCESS) {
		fprintf(stderr, "TEEC_OpenSession: 0x%x origin 0x%x\n", res, origin);
		goto out_ctx;
	}
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);

	for (i = 0; i < WARMUP; i++)
		if (invoke(&sess, &op, (uint32_t)i) || pingpong(sv[0], msg, (size_t)msg_bytes, buf))
			goto out_sess;
	for (c = 0, done = 0; c < CHUNKS; c++, done += chunk) {
		chunk = (k - done) / (CHUNKS - c);
		t = now_ns();
		for (i = 0; i < chunk; i++)
			if (invoke(&sess, &op, (uint32_t)i))
				goto out_sess;
		inv += now_ns() - t;
		t = now_ns();
		for (i = 0; i < chunk; i++) {
			memcpy(msg, &i, sizeof(i));
			if (pingpong(sv[0], msg, (size_t)msg_bytes, buf))
				goto out_sess;
		}
		pp += now_ns() - t;
	}
	printf("invoke_ns_per_op %.1f\npingpong_ns_per_op %.1f\nratio %.3f\n",
	       inv / (double)k, pp / (double)k, inv / pp);
	rc = 0;
out_sess:
	TEEC_CloseSession(&sess);
out_ctx:
	TEEC_FinalizeContext(&ctx);
out_child:
	close(sv[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "echo child failed\n");
		rc = 1;
	}
	free(msg);
	free(buf);
	return rc;
}

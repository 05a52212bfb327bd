/* The ttrpc server on a real unix socket: the loop runs in a thread, clients
 * are the blocking client and raw sockets. Covers wrong methods, undecodable
 * payloads, even stream ids, malformed and oversized frames (that connection
 * closes, others go on), two clients at once, a client leaving mid-call. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "containerd/task/v2/shim.pb-c.h"
#include "ttrpc-server.h"

#define SVC "containerd.task.v2.Task"

static uv_loop_t loop;
static uv_async_t stop_async;
static struct ttrpc_server *srv;
static char sock_path[108];
static pthread_t thr;

/* State: echo the id back. */
static void on_state(struct ttrpc_call *call)
{
	Containerd__Task__V2__StateRequest *rq = (void *)call->request;
	Containerd__Task__V2__StateResponse rs = CONTAINERD__TASK__V2__STATE_RESPONSE__INIT;

	rs.id = rq->id;
	rs.pid = 42;
	ttrpc_server_reply(call, TTRPC_OK, NULL, &rs.base);
}

static void free_handle(uv_handle_t *h)
{
	free(h);
}

/* Wait: answered 300 ms later, like a Wait held until an exit. */
static void on_timer(uv_timer_t *t)
{
	Containerd__Task__V2__WaitResponse rs = CONTAINERD__TASK__V2__WAIT_RESPONSE__INIT;

	rs.exit_status = 7;
	ttrpc_server_reply(t->data, TTRPC_OK, NULL, &rs.base);
	uv_close((uv_handle_t *)t, free_handle);
}

static void on_wait(struct ttrpc_call *call)
{
	uv_timer_t *t = malloc(sizeof(*t));

	uv_timer_init(&loop, t);
	t->data = call;
	uv_timer_start(t, on_timer, 300, 0);
}

static const struct ttrpc_method table[] = {
	{SVC, "State", &containerd__task__v2__state_request__descriptor, on_state},
	{SVC, "Wait", &containerd__task__v2__wait_request__descriptor, on_wait},
};

static void on_stop(uv_async_t *a)
{
	ttrpc_server_stop(srv);
	uv_close((uv_handle_t *)a, NULL);
}

static void *run_loop(void *arg)
{
	(void)arg;
	uv_run(&loop, UV_RUN_DEFAULT);
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	snprintf(sock_path, sizeof(sock_path), "/tmp/husk-ttrpc-test-%d.sock", (int)getpid());
	unlink(sock_path);
	uv_loop_init(&loop);
	uv_async_init(&loop, &stop_async, on_stop);
	if (ttrpc_server_start(&loop, sock_path, table, 2, NULL, &srv) < 0)
		return -1;
	return pthread_create(&thr, NULL, run_loop, NULL);
}

static int teardown(void **state)
{
	(void)state;
	uv_async_send(&stop_async);
	pthread_join(thr, NULL);
	uv_loop_close(&loop);
	unlink(sock_path);
	return 0;
}

static int raw_connect(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, sock_path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static int state_call(struct ttrpc_client *c, const char *id, int *code)
{
	Containerd__Task__V2__StateRequest rq = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	Containerd__Task__V2__StateResponse *rs;
	struct ttrpc_reply rep;
	int r;

	rq.id = (char *)id;
	r = ttrpc_client_call(c, SVC, "State", &rq.base, 2000, &rep);
	if (r < 0)
		return r;
	*code = rep.code;
	if (rep.code == 0) {
		rs = containerd__task__v2__state_response__unpack(NULL, rep.payload_len, rep.payload);
		assert_non_null(rs);
		assert_string_equal(rs->id, id);
		assert_int_equal(rs->pid, 42);
		containerd__task__v2__state_response__free_unpacked(rs, NULL);
	}
	ttrpc_reply_free(&rep);
	return 0;
}

static void test_socket_mode(void **state)
{
	(void)state;
	struct stat st;

	assert_int_equal(stat(sock_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_calls_and_errors(void **state)
{
	(void)state;
	Containerd__Task__V2__StateRequest rq = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	struct ttrpc_client c;
	struct ttrpc_reply rep;
	int code;

	assert_int_equal(ttrpc_client_connect(&c, sock_path), 0);
	assert_int_equal(state_call(&c, "c1", &code), 0);
	assert_int_equal(code, 0);
	assert_int_equal(ttrpc_client_call(&c, SVC, "Nope", &rq.base, 2000, &rep), 0);
	assert_int_equal(rep.code, TTRPC_UNIMPLEMENTED);
	assert_string_equal(rep.message, "method Nope");
	ttrpc_reply_free(&rep);
	assert_int_equal(ttrpc_client_call(&c, "x.Y", "State", &rq.base, 2000, &rep), 0);
	assert_int_equal(rep.code, TTRPC_UNIMPLEMENTED);
	assert_string_equal(rep.message, "service x.Y");
	ttrpc_reply_free(&rep);
	/* the connection is still fine */
	assert_int_equal(state_call(&c, "c2", &code), 0);
	assert_int_equal(code, 0);
	ttrpc_client_close(&c);
}

/* send raw bytes, read one response frame (or EOF) */
static int raw_exchange(int fd, const void *b, size_t n, struct ttrpc_reply *rep, uint32_t *id)
{
	struct ttrpc_reader rd = {0};
	struct ttrpc_header h;
	const uint8_t *payload;
	uint8_t buf[4096];
	int r = 0;

	assert_int_equal(send(fd, b, n, MSG_NOSIGNAL), (ssize_t)n);
	while ((r = ttrpc_reader_next(&rd, &h, &payload)) == 0) {
		ssize_t got = recv(fd, buf, sizeof(buf), 0);
		if (got <= 0) {
			ttrpc_reader_free(&rd);
			return -ECONNRESET;
		}
		ttrpc_reader_feed(&rd, buf, (size_t)got);
	}
	*id = h.stream_id;
	r = ttrpc_decode_response(payload, h.length, rep);
	ttrpc_reader_free(&rd);
	return r;
}

static void test_bad_frames(void **state)
{
	(void)state;
	Containerd__Task__V2__StateRequest rq = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	struct ttrpc_client good;
	struct ttrpc_frame f;
	struct ttrpc_reply rep;
	uint8_t hdr[TTRPC_HEADER_LEN], junk[TTRPC_HEADER_LEN + 3];
	uint32_t id;
	int fd, code;
	char b;

	assert_int_equal(ttrpc_client_connect(&good, sock_path), 0);
	/* an even stream id */
	fd = raw_connect();
	assert_int_equal(ttrpc_encode_request(2, SVC, "State", &rq.base, 0, &f), 0);
	assert_int_equal(raw_exchange(fd, f.data, f.len, &rep, &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(rep.code, TTRPC_INVALID_ARGUMENT);
	ttrpc_reply_free(&rep);
	ttrpc_frame_free(&f);
	/* a payload that is not the method's input: InvalidArgument, connection kept */
	{
		const uint8_t bad[] = {0x0a, 0x17, 'c', 'o', 'n', 't', 'a', 'i', 'n', 'e', 'r', 'd', '.', 't', 'a', 's',
				       'k', '.', 'v', '2', '.', 'T', 'a', 's', 'k', 0x12, 0x05, 'S', 't', 'a', 't',
				       'e', 0x1a, 0x03, 0x0a, 0x7f, 'x'};
		uint8_t fr[TTRPC_HEADER_LEN + sizeof(bad)];
		ttrpc_header_encode(&(struct ttrpc_header){sizeof(bad), 3, TTRPC_REQUEST, 0}, fr);
		memcpy(fr + TTRPC_HEADER_LEN, bad, sizeof(bad));
		assert_int_equal(raw_exchange(fd, fr, sizeof(fr), &rep, &id), 0);
		assert_int_equal(rep.code, TTRPC_INVALID_ARGUMENT);
		ttrpc_reply_free(&rep);
	}
	/* a malformed Request: InvalidArgument, then that connection closes */
	ttrpc_header_encode(&(struct ttrpc_header){3, 5, TTRPC_REQUEST, 0}, junk);
	memcpy(junk + TTRPC_HEADER_LEN, "\x0a\x7f\x78", 3);
	assert_int_equal(raw_exchange(fd, junk, sizeof(junk), &rep, &id), 0);
	assert_int_equal(rep.code, TTRPC_INVALID_ARGUMENT);
	ttrpc_reply_free(&rep);
	assert_int_equal(recv(fd, &b, 1, 0), 0);
	close(fd);
	/* oversized: ResourceExhausted from the header alone, then closed */
	fd = raw_connect();
	ttrpc_header_encode(&(struct ttrpc_header){TTRPC_MAX_DATA + 1, 7, TTRPC_REQUEST, 0}, hdr);
	assert_int_equal(raw_exchange(fd, hdr, sizeof(hdr), &rep, &id), 0);
	assert_int_equal(rep.code, TTRPC_RESOURCE_EXHAUSTED);
	ttrpc_reply_free(&rep);
	assert_int_equal(recv(fd, &b, 1, 0), 0);
	close(fd);
	/* truncated: half a frame, then the client goes */
	fd = raw_connect();
	assert_int_equal(send(fd, hdr, 5, MSG_NOSIGNAL), 5);
	close(fd);
	/* nothing of that touched the other connection */
	assert_int_equal(state_call(&good, "still", &code), 0);
	assert_int_equal(code, 0);
	ttrpc_client_close(&good);
}

static void test_two_clients_and_leaving(void **state)
{
	(void)state;
	Containerd__Task__V2__WaitRequest wq = CONTAINERD__TASK__V2__WAIT_REQUEST__INIT;
	struct ttrpc_client a, b;
	struct ttrpc_frame f;
	struct ttrpc_reply rep;
	int code, fd;

	assert_int_equal(ttrpc_client_connect(&a, sock_path), 0);
	assert_int_equal(ttrpc_client_connect(&b, sock_path), 0);
	/* a's Wait is pending; b is answered meanwhile */
	assert_int_equal(ttrpc_encode_request(a.next_id, SVC, "Wait", &wq.base, 0, &f), 0);
	assert_int_equal(send(a.fd, f.data, f.len, MSG_NOSIGNAL), (ssize_t)f.len);
	ttrpc_frame_free(&f);
	assert_int_equal(state_call(&b, "b", &code), 0);
	assert_int_equal(code, 0);
	/* b got its answer while a's was still pending: calls do not wait on each other */
	{
		struct pollfd pa = {.fd = a.fd, .events = POLLIN};
		assert_int_equal(poll(&pa, 1, 0), 0);
	}
	{
		/* then a's reply arrives, on the stream id it used */
		struct ttrpc_header h;
		const uint8_t *payload;
		uint8_t buf[256];
		int r;
		while ((r = ttrpc_reader_next(&a.rd, &h, &payload)) == 0) {
			ssize_t n = recv(a.fd, buf, sizeof(buf), 0);
			assert_true(n > 0);
			ttrpc_reader_feed(&a.rd, buf, (size_t)n);
		}
		assert_int_equal(h.stream_id, 1);
		assert_int_equal(ttrpc_decode_response(payload, h.length, &rep), 0);
		assert_int_equal(rep.code, 0);
		ttrpc_reply_free(&rep);
	}
	/* a client that leaves with a Wait in flight: the late reply is dropped */
	fd = raw_connect();
	assert_int_equal(ttrpc_encode_request(1, SVC, "Wait", &wq.base, 0, &f), 0);
	assert_int_equal(send(fd, f.data, f.len, MSG_NOSIGNAL), (ssize_t)f.len);
	ttrpc_frame_free(&f);
	close(fd);
	usleep(500000); /* past the Wait's 300 ms: its late reply has come (or is on its way) */
	assert_int_equal(state_call(&b, "after", &code), 0);
	assert_int_equal(code, 0);
	/* the server sees the leaver's EOF on a turn of its loop of its own: a
	 * count right away races it on a loaded machine (30 s at most) */
	for (int i = 0; i < 3000 && ttrpc_server_connections(srv) != 2; i++)
		usleep(10000);
	assert_int_equal(ttrpc_server_connections(srv), 2);
	ttrpc_client_close(&a);
	ttrpc_client_close(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_mode),
		cmocka_unit_test(test_calls_and_errors),
		cmocka_unit_test(test_bad_frames),
		cmocka_unit_test(test_two_clients_and_leaving),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

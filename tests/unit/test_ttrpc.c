/* The ttrpc codec: frame header layout, reassembly, request/response
 * encoding, and dispatch errors, with byte-exact checks against what
 * containerd's shims put on the wire. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "containerd/task/v2/shim.pb-c.h"
#include "ttrpc.h"

static int handled;
static void on_state(struct ttrpc_call *call)
{
	(void)call;
	handled++;
}

static const struct ttrpc_method table[] = {
	{"containerd.task.v2.Task", "State", &containerd__task__v2__state_request__descriptor, on_state},
};

static void test_header_layout(void **state)
{
	(void)state;
	struct ttrpc_header h = {0x17, 1, TTRPC_RESPONSE, 0}, back;
	uint8_t b[TTRPC_HEADER_LEN];
	const uint8_t want[] = {0, 0, 0, 0x17, 0, 0, 0, 1, 2, 0};

	ttrpc_header_encode(&h, b);
	assert_memory_equal(b, want, sizeof(want));
	ttrpc_header_decode(b, &back);
	assert_int_equal(back.length, 0x17);
	assert_int_equal(back.stream_id, 1);
	assert_int_equal(back.type, TTRPC_RESPONSE);
}

/* The runc-v2 shim's answer to an unknown method, byte for byte. */
static void test_unknown_method_bytes(void **state)
{
	(void)state;
	Containerd__Task__V2__StateRequest sr = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	struct ttrpc_frame req, resp;
	struct ttrpc_header h;
	struct ttrpc_call call;
	char *msg;
	const char want[] = "\x0a\x17\x08\x0c\x12\x13method NoSuchMethod";

	assert_int_equal(ttrpc_encode_request(1, "containerd.task.v2.Task", "NoSuchMethod", &sr.base, 0, &req), 0);
	ttrpc_header_decode(req.data, &h);
	assert_int_equal(h.type, TTRPC_REQUEST);
	assert_int_equal(ttrpc_dispatch(table, 1, req.data + TTRPC_HEADER_LEN, h.length, &call, &msg),
			 TTRPC_UNIMPLEMENTED);
	assert_string_equal(msg, "method NoSuchMethod");
	assert_int_equal(ttrpc_encode_response(1, TTRPC_UNIMPLEMENTED, msg, NULL, &resp), 0);
	assert_int_equal(resp.len, TTRPC_HEADER_LEN + sizeof(want) - 1);
	assert_memory_equal(resp.data + TTRPC_HEADER_LEN, want, sizeof(want) - 1);
	free(msg);
	ttrpc_frame_free(&req);
	ttrpc_frame_free(&resp);
}

static void test_unknown_service(void **state)
{
	(void)state;
	struct ttrpc_frame req;
	struct ttrpc_call call;
	char *msg;

	assert_int_equal(ttrpc_encode_request(3, "no.such.Service", "State", NULL, 0, &req), 0);
	assert_int_equal(ttrpc_dispatch(table, 1, req.data + TTRPC_HEADER_LEN, req.len - TTRPC_HEADER_LEN, &call, &msg),
			 TTRPC_UNIMPLEMENTED);
	assert_string_equal(msg, "service no.such.Service");
	free(msg);
	ttrpc_frame_free(&req);
}

static void test_request_roundtrip(void **state)
{
	(void)state;
	Containerd__Task__V2__StateRequest sr = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	Containerd__Task__V2__StateRequest *got;
	struct ttrpc_frame req;
	struct ttrpc_call call;
	char *msg;

	sr.id = "c1";
	sr.exec_id = "e1";
	assert_int_equal(ttrpc_encode_request(5, "containerd.task.v2.Task", "State", &sr.base, 2000000000, &req), 0);
	assert_int_equal(ttrpc_dispatch(table, 1, req.data + TTRPC_HEADER_LEN, req.len - TTRPC_HEADER_LEN, &call, &msg),
			 TTRPC_OK);
	assert_null(msg);
	assert_ptr_equal(call.method, &table[0]);
	assert_int_equal(call.timeout_ns, 2000000000);
	got = (Containerd__Task__V2__StateRequest *)call.request;
	assert_string_equal(got->id, "c1");
	assert_string_equal(got->exec_id, "e1");
	call.method->handler(&call);
	assert_int_equal(handled, 1);
	ttrpc_call_clear(&call);
	ttrpc_frame_free(&req);
}

static void test_malformed_payloads(void **state)
{
	(void)state;
	const uint8_t junk[] = {0x0a, 0x7f, 'x'}; /* field 1 claims 127 bytes, has 1 */
	const char svc[] = "containerd.task.v2.Task", m[] = "State";
	struct ttrpc_call call;
	uint8_t p[64];
	size_t k = 0;
	char *msg;

	assert_int_equal(ttrpc_dispatch(table, 1, junk, sizeof(junk), &call, &msg), TTRPC_INVALID_ARGUMENT);
	assert_non_null(strstr(msg, "unmarshal request error"));
	free(msg);
	/* a well-formed Request (built by hand) whose payload is not a StateRequest */
	p[k++] = 0x0a, p[k++] = sizeof(svc) - 1, memcpy(p + k, svc, sizeof(svc) - 1), k += sizeof(svc) - 1;
	p[k++] = 0x12, p[k++] = sizeof(m) - 1, memcpy(p + k, m, sizeof(m) - 1), k += sizeof(m) - 1;
	p[k++] = 0x1a, p[k++] = sizeof(junk), memcpy(p + k, junk, sizeof(junk)), k += sizeof(junk);
	assert_int_equal(ttrpc_dispatch(table, 1, p, k, &call, &msg), TTRPC_INVALID_ARGUMENT);
	assert_non_null(strstr(msg, "error unmarshalling payload"));
	free(msg);
}

static void test_reader(void **state)
{
	(void)state;
	struct ttrpc_reader r = {0};
	struct ttrpc_frame a, b;
	struct ttrpc_header h;
	const uint8_t *payload;
	uint8_t big[TTRPC_HEADER_LEN];

	assert_int_equal(ttrpc_encode_response(1, TTRPC_OK, NULL, NULL, &a), 0);
	assert_int_equal(a.len, TTRPC_HEADER_LEN); /* Empty success: no payload at all */
	assert_int_equal(ttrpc_encode_response(3, TTRPC_NOT_FOUND, "no such process", NULL, &b), 0);
	/* byte by byte: nothing until the first frame is whole */
	for (size_t i = 0; i < a.len - 1; i++) {
		ttrpc_reader_feed(&r, a.data + i, 1);
		assert_int_equal(ttrpc_reader_next(&r, &h, &payload), 0);
	}
	ttrpc_reader_feed(&r, a.data + a.len - 1, 1);
	assert_int_equal(ttrpc_reader_next(&r, &h, &payload), 1);
	assert_int_equal(h.stream_id, 1);
	assert_int_equal(h.length, 0);
	/* the second frame and a half in one go */
	ttrpc_reader_feed(&r, b.data, b.len);
	ttrpc_reader_feed(&r, a.data, 4);
	assert_int_equal(ttrpc_reader_next(&r, &h, &payload), 1);
	assert_int_equal(h.stream_id, 3);
	{
		struct ttrpc_reply rep;
		assert_int_equal(ttrpc_decode_response(payload, h.length, &rep), 0);
		assert_int_equal(rep.code, TTRPC_NOT_FOUND);
		assert_string_equal(rep.message, "no such process");
		ttrpc_reply_free(&rep);
	}
	assert_int_equal(ttrpc_reader_next(&r, &h, &payload), 0);
	ttrpc_reader_free(&r);
	/* over 4 MiB: refused from the header alone */
	ttrpc_header_encode(&(struct ttrpc_header){TTRPC_MAX_DATA + 1, 1, TTRPC_REQUEST, 0}, big);
	ttrpc_reader_feed(&r, big, sizeof(big));
	assert_int_equal(ttrpc_reader_next(&r, &h, &payload), -EMSGSIZE);
	ttrpc_reader_free(&r);
	ttrpc_frame_free(&a);
	ttrpc_frame_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_layout),     cmocka_unit_test(test_unknown_method_bytes),
		cmocka_unit_test(test_unknown_service),   cmocka_unit_test(test_request_roundtrip),
		cmocka_unit_test(test_malformed_payloads), cmocka_unit_test(test_reader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* rpc-bench ADDRESS ID N [DEPTH]: N State calls on one connection.
 * Without DEPTH one at a time: prints "p50_us p99_us calls_per_second".
 * With DEPTH, DEPTH requests in flight at once (as containerd's concurrent
 * calls on one connection): prints "calls_per_second". Any v2 shim. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "containerd/task/v2/shim.pb-c.h"
#include "ttrpc.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int pipelined(const char *address, char *id, long n, long depth)
{
	Containerd__Task__V2__StateRequest req = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	struct ttrpc_client c;
	struct ttrpc_frame f;
	uint8_t *batch, buf[65536];
	long done = 0;
	uint32_t id_no = 1;
	double t0;

	if (depth <= 0 || ttrpc_client_connect(&c, address) < 0) {
		fprintf(stderr, "rpc-bench: cannot connect to %s\n", address);
		return 1;
	}
	req.id = id;
	req.exec_id = (char *)"";
	if (ttrpc_encode_request(1, "containerd.task.v2.Task", "State", &req.base, 0, &f) < 0)
		return 1;
	batch = malloc(f.len * (size_t)depth);
	if (!batch)
		return 1;
	t0 = now_us();
	while (done < n) {
		long k = depth < n - done ? depth : n - done, got = 0;
		for (long i = 0; i < k; i++, id_no += 2) {
			struct ttrpc_header h;
			memcpy(batch + i * (long)f.len, f.data, f.len);
			ttrpc_header_decode(batch + i * (long)f.len, &h);
			h.stream_id = id_no;
			ttrpc_header_encode(&h, batch + i * (long)f.len);
		}
		if (write(c.fd, batch, f.len * (size_t)k) != (ssize_t)(f.len * (size_t)k))
			return 1;
		while (got < k) {
			struct ttrpc_header h;
			const uint8_t *payload;
			int r = ttrpc_reader_next(&c.rd, &h, &payload);
			if (r < 0)
				return 1;
			if (r == 1) {
				got++;
				continue;
			}
			ssize_t m = read(c.fd, buf, sizeof(buf));
			if (m <= 0)
				return 1;
			ttrpc_reader_feed(&c.rd, buf, (size_t)m);
		}
		done += k;
	}
	printf("%.0f\n", n / ((now_us() - t0) / 1e6));
	free(batch);
	ttrpc_frame_free(&f);
	ttrpc_client_close(&c);
	return 0;
}

int main(int argc, char **argv)
{
	Containerd__Task__V2__StateRequest req = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	struct ttrpc_client c;
	double *lat, t0, total = 0;
	long n;

	if (argc < 4 || argc > 5 || (n = atol(argv[3])) <= 0) {
		fprintf(stderr, "usage: rpc-bench ADDRESS ID N [DEPTH]\n");
		return 2;
	}
	if (argc == 5)
		return pipelined(argv[1], argv[2], n, atol(argv[4]));
	lat = calloc((size_t)n, sizeof(*lat));
	if (!lat || ttrpc_client_connect(&c, argv[1]) < 0) {
		fprintf(stderr, "rpc-bench: cannot connect to %s\n", argv[1]);
		return 1;
	}
	req.id = argv[2];
	req.exec_id = (char *)"";
	for (long i = 0; i < n; i++) {
		struct ttrpc_reply rep;
		t0 = now_us();
		if (ttrpc_client_call(&c, "containerd.task.v2.Task", "State", &req.base, 5000, &rep) < 0 || rep.code) {
			fprintf(stderr, "rpc-bench: State failed\n");
			return 1;
		}
		lat[i] = now_us() - t0;
		total += lat[i];
		ttrpc_reply_free(&rep);
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp);
	printf("%.1f %.1f %.0f\n", lat[n / 2], lat[(n * 99) / 100], n / (total / 1e6));
	ttrpc_client_close(&c);
	free(lat);
	return 0;
}

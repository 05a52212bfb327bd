/* The publisher follows containerd's own shim publisher: one connection, a
 * 5 s timeout per Forward with the namespace as ttrpc metadata, a reconnect
 * when the connection broke, and a bounded number of retries per event
 * (then it is dropped and logged) with a growing pause between them. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event-envelope.h"
#include "events.h"
#include "husk/log.h"
#include "ttrpc.h"
#include "util.h"

#define QUEUE_MAX 2048
#define FORWARD_TIMEOUT_MS 5000
#define MAX_RETRIES 5

struct item {
	uint8_t *data;
	size_t len;
	struct item *next;
};

struct events {
	char *address, *ns;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv, idle;
	struct item *head, *tail;
	size_t queued;
	bool stop, busy, started;
	unsigned long sent;
	struct ttrpc_client client;
	bool connected;
};

static void item_free(struct item *it)
{
	free(it->data);
	free(it);
}

/* it holds the ForwardRequest packed on the loop; it goes out as it is */
static int forward(struct events *e, const struct item *it)
{
	struct ttrpc_reply rep;
	int r = -ENOTCONN;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (!e->connected) {
			r = ttrpc_client_connect(&e->client, e->address);
			if (r < 0)
				break;
			e->client.md_key = "containerd-namespace-ttrpc";
			e->client.md_value = e->ns;
			e->connected = true;
		}
		r = ttrpc_client_call_raw(&e->client, "containerd.services.events.ttrpc.v1.Events", "Forward", it->data,
					  it->len, FORWARD_TIMEOUT_MS, &rep);
		if (r == 0) {
			if (rep.code != TTRPC_OK) {
				husk_warn("event refused by %s: %s", e->address, rep.message ? rep.message : "");
				r = -EPROTO;
			}
			ttrpc_reply_free(&rep);
			break;
		}
		/* the connection broke (containerd restarted): once more on a new one */
		ttrpc_client_close(&e->client);
		e->connected = false;
	}
	return r;
}

static void *run(void *arg)
{
	struct events *e = arg;

	pthread_mutex_lock(&e->mu);
	for (;;) {
		struct item *it;
		int r = 0;

		while (!e->head && !e->stop)
			pthread_cond_wait(&e->cv, &e->mu);
		if (!e->head)
			break;
		it = e->head;
		e->busy = true;
		pthread_mutex_unlock(&e->mu);
		for (int retry = 0; retry < MAX_RETRIES; retry++) {
			r = forward(e, it);
			if (r == 0 || r == -EPROTO)
				break;
			struct timespec pause = {.tv_sec = retry + 1};
			nanosleep(&pause, NULL);
		}
		if (r < 0 && r != -EPROTO)
			husk_warn("dropping an event for %s after %d tries: %s", e->address, MAX_RETRIES, strerror(-r));
		pthread_mutex_lock(&e->mu);
		e->head = it->next;
		if (!e->head)
			e->tail = NULL;
		e->queued--;
		e->busy = false;
		if (r == 0)
			e->sent++;
		item_free(it);
		pthread_cond_broadcast(&e->idle);
	}
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

int events_open(const char *address, const char *ns, struct events **out)
{
	struct events *e = xcalloc(1, sizeof(*e));

	*out = NULL;
	pthread_mutex_init(&e->mu, NULL);
	pthread_cond_init(&e->cv, NULL);
	pthread_cond_init(&e->idle, NULL);
	e->client.fd = -1;
	if (address && *address) {
		e->address = xstrdup(address);
		e->ns = xstrdup(ns && *ns ? ns : "default");
	}
	*out = e;
	return 0;
}

void events_publish(struct events *e, const ProtobufCMessage *ev)
{
	struct timespec now;
	struct item *it;

	if (!e || !e->address)
		return;
	it = xcalloc(1, sizeof(*it));
	clock_gettime(CLOCK_REALTIME, &now);
	if (event_forward_request(e->ns, ev, &now, &it->data, &it->len) < 0) {
		free(it);
		husk_warn("cannot encode event %s", ev->descriptor->name);
		return;
	}
	pthread_mutex_lock(&e->mu);
	/* the thread starts with the first event: a shim without events has none */
	if (!e->started && pthread_create(&e->thread, NULL, run, e) == 0)
		e->started = true;
	if (e->queued >= QUEUE_MAX) {
		pthread_mutex_unlock(&e->mu);
		husk_warn("event queue full, dropping %s", ev->descriptor->name);
		item_free(it);
		return;
	}
	if (e->tail)
		e->tail->next = it;
	else
		e->head = it;
	e->tail = it;
	e->queued++;
	pthread_cond_signal(&e->cv);
	pthread_mutex_unlock(&e->mu);
}

unsigned long events_sent(struct events *e)
{
	unsigned long n;

	pthread_mutex_lock(&e->mu);
	n = e->sent;
	pthread_mutex_unlock(&e->mu);
	return n;
}

void events_close(struct events *e, int timeout_ms)
{
	struct timespec deadline;
	bool stuck;

	if (!e)
		return;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&e->mu);
	while (e->started && (e->head || e->busy))
		if (pthread_cond_timedwait(&e->idle, &e->mu, &deadline) == ETIMEDOUT)
			break;
	stuck = e->started && (e->head || e->busy);
	e->stop = true;
	pthread_cond_signal(&e->cv);
	pthread_mutex_unlock(&e->mu);
	if (stuck) {
		/* a Forward that does not return: leave it, the process is exiting */
		pthread_detach(e->thread);
		return;
	}
	if (e->started)
		pthread_join(e->thread, NULL);
	ttrpc_client_close(&e->client);
	free(e->address);
	free(e->ns);
	free(e);
}

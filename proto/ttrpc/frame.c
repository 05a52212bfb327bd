/* ttrpc frames: the 10-byte header and reassembly from a byte stream. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ttrpc.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void ttrpc_header_encode(const struct ttrpc_header *h, uint8_t out[TTRPC_HEADER_LEN])
{
	put32(out, h->length);
	put32(out + 4, h->stream_id);
	out[8] = h->type;
	out[9] = h->flags;
}

void ttrpc_header_decode(const uint8_t in[TTRPC_HEADER_LEN], struct ttrpc_header *h)
{
	h->length = get32(in);
	h->stream_id = get32(in + 4);
	h->type = in[8];
	h->flags = in[9];
}

void ttrpc_reader_feed(struct ttrpc_reader *r, const void *data, size_t n)
{
	/* drop what earlier frames used before growing */
	if (r->consumed) {
		memmove(r->buf, r->buf + r->consumed, r->len - r->consumed);
		r->len -= r->consumed;
		r->consumed = 0;
	}
	if (r->len + n > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		while (cap < r->len + n)
			cap *= 2;
		r->buf = realloc(r->buf, cap);
		if (!r->buf)
			abort();
		r->cap = cap;
	}
	memcpy(r->buf + r->len, data, n);
	r->len += n;
}

int ttrpc_reader_next(struct ttrpc_reader *r, struct ttrpc_header *h, const uint8_t **payload)
{
	size_t avail = r->len - r->consumed;
	const uint8_t *p = r->buf + r->consumed;

	if (avail < TTRPC_HEADER_LEN)
		return 0;
	ttrpc_header_decode(p, h);
	if (h->length > TTRPC_MAX_DATA)
		return -EMSGSIZE;
	if (avail < TTRPC_HEADER_LEN + (size_t)h->length)
		return 0;
	*payload = p + TTRPC_HEADER_LEN;
	r->consumed += TTRPC_HEADER_LEN + h->length;
	return 1;
}

void ttrpc_reader_free(struct ttrpc_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

void ttrpc_frame_free(struct ttrpc_frame *f)
{
	free(f->data);
	f->data = NULL;
	f->len = 0;
}

/* A one-way byte relay between two fds on the loop, holding at most one
 * 64 KiB chunk: splice() moves the bytes in the kernel when both ends allow
 * it, read()/write() otherwise. A full destination stops reading the source,
 * so a slow reader slows the writer instead of growing our memory. */
#ifndef HUSK_SHIM_RELAY_H
#define HUSK_SHIM_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

struct relay;
/* Called once the source has reached EOF (or failed) and all it gave has
 * been written, and again if dst is let go later (relay_handed_over); the
 * relay is still valid and the owner frees it. */
typedef void (*relay_done_cb)(struct relay *r, void *arg);

enum {
	RELAY_CLOSE_DST = 1, /* close dst at EOF (stdin: the process sees EOF) */
	/* dst is a fifo we hold read-write (no reader was there when it was
	 * opened): our fd may be all that keeps its bytes, so at EOF it is
	 * closed only once the fifo is empty (a late reader drained it) */
	RELAY_DST_SELF_READ = 2,
};

/* src and dst are taken over (closed by relay_free, dst maybe earlier).
 * dst < 0 discards. Returns NULL only when out of memory. */
struct relay *relay_new(uv_loop_t *loop, int src, int dst, unsigned flags, relay_done_cb done, void *arg);
bool relay_done(const struct relay *r);
/* Done, and no byte is left that only we hold: a fifo we also hold for
 * reading (RELAY_DST_SELF_READ, nobody read it when it was opened) counts
 * once it is empty, i.e. a reader of its own has taken what we wrote. The
 * done callback runs again at that moment. */
bool relay_handed_over(const struct relay *r);
/* Stop reading and close the source (CloseIO on stdin): pending bytes are
 * still written, then dst is closed if RELAY_CLOSE_DST. */
void relay_shutdown(struct relay *r);
/* Bytes moved so far (for tests and benchmarks). */
unsigned long long relay_bytes(const struct relay *r);
void relay_free(struct relay *r);

#endif

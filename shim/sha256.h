/* SHA-256, for the socket address containerd's shims derive from
 * "<containerd address>/<namespace>/<id>" (a fixed-length socket name). */
#ifndef HUSK_SHIM_SHA256_H
#define HUSK_SHIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

void sha256(const void *data, size_t len, uint8_t out[32]);
/* lower-case hex digest into out[65] */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif

/*
 * record.h - what the capture thread hands to the writer thread.
 * Fixed size, no pointers: a record is copied into the ring whole.
 */
#ifndef SW_RECORD_H
#define SW_RECORD_H

#include <assert.h>
#include <stdint.h>

#include "counters.h"

#define SW_REC_SIZE 512

enum sw_rec_type {
	SW_REC_STATS = 1, /* snapshot of the run counters */
	SW_REC_END,       /* the run is over: final counters, mark finished */
};

struct sw_rec {
	uint32_t type;
	uint32_t reserved;
	union {
		struct sw_counters stats;
		unsigned char raw[SW_REC_SIZE - 8];
	} u;
};

static_assert(sizeof(struct sw_rec) == SW_REC_SIZE, "record size");

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The local append-only journal: the default storage class (storage.h).  One file:
 *   DVSJ1 <length> <crc32c as 8 hex digits>\n<JSON of length bytes>\n
 * repeated; the first record is the schema, the second (after compaction) a snapshot, the
 * rest transactions, then zeros up to the end of the file (preallocated; replay stops at
 * them quietly).  Compaction writes FILE.tmp and renames it over FILE. */

#include <stddef.h>
#include <stdint.h>

#include "storage.h"

/* CRC-32C (Castagnoli) of 'size' bytes. */
uint32_t journal_crc32c(const void *data, size_t size);
/* Bytes of records the journal file holds now. */
uint64_t journal_size(const struct ovsdb_storage *st);
/* Bytes of the file: the records, then zeros preallocated for the next ones (the file
 * ends with its last record after a clean close). */
uint64_t journal_allocated(const struct ovsdb_storage *st);
/* Counters for tests and logs. */
uint64_t journal_n_syncs(const struct ovsdb_storage *st);
/* Compaction threshold: compact once the file exceeds max(min_bytes, 4 x its size after
 * the last compaction).  Default 16 MiB. */
void journal_set_compact_min(struct ovsdb_storage *st, uint64_t min_bytes);

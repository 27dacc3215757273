/* SPDX-License-Identifier: Apache-2.0 */
#define DVS_LOG_MODULE "dvs.journal"
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "uuid.h"

#define MAGIC "DVSJ1"
#define HEADER_MAX 48
/* The file is kept zero-filled ahead of its last record, PREALLOC_CHUNK at a time once
 * less than PREALLOC_LOW is left.  A record then overwrites blocks the file already has,
 * so fdatasync() flushes that data alone; an append also has to commit the new size and
 * blocks through the filesystem's journal, which on this project's test VM made each sync
 * 1.4-2x slower (docs/ovsdb.md, "Preallocation").  Blocks fallocate() reserves do not do:
 * the first write into one converts it, which is a metadata change again. */
#define PREALLOC_CHUNK (1u << 20)
#define PREALLOC_LOW (256u << 10)

struct journal {
	struct ovsdb_storage up;
	char *path;
	int fd;
	uint64_t size;       /* bytes of valid records in the file */
	uint64_t alloc;      /* bytes in the file: records, then zeros (preallocated) */
	uint64_t base_size;  /* size right after the last compaction or open */
	uint64_t compact_min;
	uint64_t n_syncs;
	uint64_t n_prealloc; /* preallocations done */
	char *buf;           /* records appended but not yet written */
	size_t buf_len, buf_cap;
	bool dirty;          /* written but not synced */
	bool synced;         /* synced since the last prepare() */
	char *content;       /* file content during open/replay */
	size_t content_size;
	size_t schema_end;   /* offset after the schema record */
};

static struct journal *journal_cast(const struct ovsdb_storage *st)
{
	return (struct journal *)(void *)st;
}

static uint32_t crc_table[256];

static uint32_t crc32c_sw(const unsigned char *p, size_t size, uint32_t crc)
{
	if (!crc_table[1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
			crc_table[i] = c;
		}
	}
	for (size_t i = 0; i < size; i++)
		crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return crc;
}

#if defined(__x86_64__)
/* SSE 4.2's crc32 instruction computes exactly CRC-32C, 8 bytes at a time: every record is
 * checksummed on the commit path, and the table walk was 2.5% of a 16-client run. */
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(const unsigned char *p, size_t size, uint32_t crc)
{
	uint64_t c = crc;
	for (; size >= 8; p += 8, size -= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
	}
	crc = (uint32_t)c;
	for (; size; p++, size--)
		crc = __builtin_ia32_crc32qi(crc, *p);
	return crc;
}
#endif

uint32_t journal_crc32c(const void *data, size_t size)
{
#if defined(__x86_64__)
	static int hw = -1;
	if (hw < 0)
		hw = __builtin_cpu_supports("sse4.2");
	if (hw)
		return crc32c_hw(data, size, 0xffffffffu) ^ 0xffffffffu;
#endif
	return crc32c_sw(data, size, 0xffffffffu) ^ 0xffffffffu;
}

/* Frames one record (JSON text) into 'buf' (grown as needed). */
static int encode_text(char **buf, size_t *len, size_t *cap, const char *body, size_t body_len)
{
	/* MAGIC " %zu %08x\n", formatted by hand: snprintf was 1.5% of a 16-client run. */
	char hdr[HEADER_MAX], digits[24];
	size_t hl = sizeof MAGIC - 1, nd = 0;
	memcpy(hdr, MAGIC " ", hl + 1);
	hl++;
	size_t v = body_len;
	do {
		digits[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (nd)
		hdr[hl++] = digits[--nd];
	hdr[hl++] = ' ';
	hex8(journal_crc32c(body, body_len), hdr + hl);
	hl += 8;
	hdr[hl++] = '\n';
	size_t need = *len + hl + body_len + 1;
	if (need > *cap) {
		size_t ncap = *cap ? *cap : 4096;
		while (ncap < need)
			ncap *= 2;
		char *n = realloc(*buf, ncap);
		if (!n)
			return -ENOMEM;
		*buf = n;
		*cap = ncap;
	}
	memcpy(*buf + *len, hdr, hl);
	memcpy(*buf + *len + hl, body, body_len);
	(*buf)[*len + hl + body_len] = '\n';
	*len = need;
	return 0;
}

static int encode(char **buf, size_t *len, size_t *cap, const json_t *record)
{
	char *body = json_dumps(record, JSON_COMPACT);
	if (!body)
		return -ENOMEM;
	int rc = encode_text(buf, len, cap, body, strlen(body));
	free(body);
	return rc;
}

static int pwrite_all(int fd, const char *p, size_t n, uint64_t off)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		off += (uint64_t)w;
		n -= (size_t)w;
	}
	return 0;
}

static int fsync_dir(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) ? -errno : 0;
	close(fd);
	return rc;
}

/* Writes 'records' to a new file 'path' (through path.tmp and rename), durably. */
static int write_new_file(const char *path, const char *data, size_t size)
{
	char tmp[4096];
	int rc, fd;
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	rc = pwrite_all(fd, data, size, 0);
	if (!rc && fdatasync(fd))
		rc = -errno;
	close(fd);
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (!rc)
		rc = fsync_dir(path);
	if (rc)
		unlink(tmp);
	return rc;
}

static int journal_create(const char *path, const json_t *schema)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	if (!access(path, F_OK))
		return -EEXIST;
	int rc = encode(&buf, &len, &cap, schema);
	if (!rc)
		rc = write_new_file(path, buf, len);
	free(buf);
	return rc;
}

static struct ovsdb_storage *journal_open(const char *path)
{
	struct journal *j = calloc(1, sizeof *j);
	int err = 0;
	if (!j) {
		err = ENOMEM;
		goto out;
	}
	j->up.class_ = &ovsdb_journal_class;
	j->path = strdup(path);
	j->compact_min = 16u << 20;
	j->fd = open(path, O_RDWR | O_CLOEXEC);
	if (j->fd < 0) {
		err = errno;
		goto out;
	}
	struct stat st;
	if (fstat(j->fd, &st)) {
		err = errno;
		goto out;
	}
	j->content_size = (size_t)st.st_size;
	j->content = malloc(j->content_size + 1);
	if (!j->content) {
		err = ENOMEM;
		goto out;
	}
	for (size_t off = 0; off < j->content_size;) {
		ssize_t r = pread(j->fd, j->content + off, j->content_size - off, (off_t)off);
		if (r <= 0) {
			err = r < 0 ? errno : EIO;
			goto out;
		}
		off += (size_t)r;
	}
	j->content[j->content_size] = '\0';
out:
	if (err) {
		if (j) {
			if (j->fd >= 0)
				close(j->fd);
			free(j->content);
			free(j->path);
			free(j);
		}
		errno = err;
		return NULL;
	}
	return &j->up;
}

static bool all_zero(const char *p, size_t n)
{
	for (; n && ((uintptr_t)p & 7); p++, n--)
		if (*p)
			return false;
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		if (v)
			return false;
	}
	for (; n; p++, n--)
		if (*p)
			return false;
	return true;
}

/* Parses the record at 'off'.  Returns 0 with *rec (new) and *next, or a reason. */
static const char *parse_record(const struct journal *j, size_t off, json_t **rec, size_t *next)
{
	const char *p = j->content + off, *end = j->content + j->content_size;
	const char *nl = memchr(p, '\n', (size_t)(end - p) < HEADER_MAX ? (size_t)(end - p) : HEADER_MAX);
	if (!nl)
		return "incomplete header";
	size_t len;
	unsigned crc;
	char magic[8];
	if (sscanf(p, "%7s %zu %8x", magic, &len, &crc) != 3 || strcmp(magic, MAGIC))
		return "bad header";
	const char *body = nl + 1;
	if ((size_t)(end - body) < len + 1)
		return "record extends past end of file";
	if (body[len] != '\n')
		return "record not terminated";
	if (journal_crc32c(body, len) != crc)
		return "checksum mismatch";
	json_error_t jerr;
	*rec = json_loadb(body, len, 0, &jerr);
	if (!*rec)
		return "unparseable JSON";
	*next = (size_t)(body + len + 1 - j->content);
	return NULL;
}

static json_t *journal_read_schema(struct ovsdb_storage *st)
{
	struct journal *j = journal_cast(st);
	json_t *schema = NULL;
	const char *why = parse_record(j, 0, &schema, &j->schema_end);
	if (why) {
		DVS_LOG(ERR, "%s: cannot read the schema record: %s", j->path, why);
		errno = EINVAL;
		return NULL;
	}
	return schema;
}

static int journal_replay(struct ovsdb_storage *st, int (*cb)(void *aux, const json_t *record), void *aux)
{
	struct journal *j = journal_cast(st);
	size_t off = j->schema_end;
	int rc = 0;
	uint64_t n = 0;
	while (off < j->content_size) {
		json_t *rec = NULL;
		size_t next;
		const char *why = parse_record(j, off, &rec, &next);
		if (why && all_zero(j->content + off, j->content_size - off)) {
			/* The preallocated tail: the clean end of the records. */
			DVS_LOG(DEBUG, "%s: %zu bytes preallocated after the last record", j->path,
				j->content_size - off);
			break;
		}
		if (why) {
			/* A crash mid-write leaves a torn record; anything after it was never
			 * acknowledged (acks follow the fsync that covers them).  Preallocated
			 * zeros after it go too; they are made again. */
			DVS_LOG(WARN, "%s: %s at offset %zu: truncating %zu bytes of torn or corrupt tail",
				j->path, why, off, j->content_size - off);
			if (ftruncate(j->fd, (off_t)off) || fdatasync(j->fd)) {
				rc = -errno;
				break;
			}
			j->content_size = off;
			break;
		}
		rc = cb(aux, rec);
		json_decref(rec);
		if (rc)
			break;
		off = next;
		n++;
	}
	j->alloc = j->content_size;
	free(j->content);
	j->content = NULL;
	j->size = j->base_size = off;
	DVS_LOG(INFO, "%s: replayed %llu records, %llu bytes", j->path, (unsigned long long)n,
		(unsigned long long)off);
	return rc;
}

static int journal_append(struct ovsdb_storage *st, const char *record, size_t size)
{
	struct journal *j = journal_cast(st);
	return encode_text(&j->buf, &j->buf_len, &j->buf_cap, record, size);
}

static int journal_commit(struct ovsdb_storage *st, bool sync)
{
	struct journal *j = journal_cast(st);
	if (j->buf_len) {
		int rc = pwrite_all(j->fd, j->buf, j->buf_len, j->size);
		if (rc)
			return rc;
		j->size += j->buf_len;
		if (j->alloc < j->size)
			j->alloc = j->size;
		j->buf_len = 0;
		j->dirty = true;
	}
	if (sync && j->dirty) {
		if (fdatasync(j->fd))
			return -errno;
		j->dirty = false;
		j->synced = true;
		j->n_syncs++;
	}
	return 0;
}

static int journal_compact(struct ovsdb_storage *st, const json_t *schema, const char *snapshot, size_t size)
{
	struct journal *j = journal_cast(st);
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = journal_commit(st, true);
	if (!rc)
		rc = encode(&buf, &len, &cap, schema);
	if (!rc && snapshot)
		rc = encode_text(&buf, &len, &cap, snapshot, size);
	if (!rc)
		rc = write_new_file(j->path, buf, len);
	if (!rc) {
		int fd = open(j->path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			rc = -errno;
		} else {
			close(j->fd);
			j->fd = fd;
			DVS_LOG(INFO, "%s: compacted %llu bytes into %zu", j->path, (unsigned long long)j->size, len);
			j->size = j->base_size = j->alloc = len;
		}
	}
	free(buf);
	return rc;
}

/* Zero-fills the next PREALLOC_CHUNK after the file's end once less than PREALLOC_LOW is
 * left, and syncs it, so that commits after it overwrite blocks the file already has.
 * Called outside the commit path: no reply waits for it.  Only a journal that syncs gains:
 * unsynced, an overwrite is cheaper than an append (1.2-1.3 us against 2.1-2.5 us for a
 * 2.4 KB pwrite here) but writing the zeros ahead costs about the difference, and dvs-db
 * measured no gain (199k against 201k txn/s at 16 non-durable clients).  A failure
 * (a full disk) is not an error: records are then appended past the end as before. */
static void journal_prepare(struct ovsdb_storage *st)
{
	static const char zeros[65536];
	struct journal *j = journal_cast(st);
	if (!j->synced)
		return;
	j->synced = false;
	uint64_t end = j->size + j->buf_len;
	if (j->alloc < end)
		j->alloc = end;
	if (j->alloc - end >= PREALLOC_LOW)
		return;
	uint64_t from = j->alloc;
	for (uint64_t off = 0; off < PREALLOC_CHUNK; off += sizeof zeros) {
		int rc = pwrite_all(j->fd, zeros, sizeof zeros, from + off);
		if (rc) {
			DVS_LOG_RL(WARN, "%s: cannot preallocate: %s", j->path, strerror(-rc));
			return;
		}
		j->alloc = from + off + sizeof zeros;
	}
	if (fdatasync(j->fd))
		DVS_LOG_RL(WARN, "%s: cannot sync the preallocated tail: %s", j->path, strerror(errno));
	j->n_prealloc++;
}

static bool journal_should_compact(const struct ovsdb_storage *st)
{
	const struct journal *j = journal_cast(st);
	uint64_t limit = j->base_size * 4 > j->compact_min ? j->base_size * 4 : j->compact_min;
	return j->size > limit;
}

static void journal_close(struct ovsdb_storage *st)
{
	struct journal *j = journal_cast(st);
	journal_commit(st, true);
	/* A journal closed cleanly ends with its last record. */
	if (j->alloc > j->size && ftruncate(j->fd, (off_t)j->size))
		DVS_LOG(WARN, "%s: cannot drop the preallocated tail: %s", j->path, strerror(errno));
	close(j->fd);
	free(j->buf);
	free(j->content);
	free(j->path);
	free(j);
}

uint64_t journal_size(const struct ovsdb_storage *st)
{
	return journal_cast(st)->size;
}

uint64_t journal_n_syncs(const struct ovsdb_storage *st)
{
	return journal_cast(st)->n_syncs;
}

uint64_t journal_allocated(const struct ovsdb_storage *st)
{
	return journal_cast(st)->alloc;
}

void journal_set_compact_min(struct ovsdb_storage *st, uint64_t min_bytes)
{
	journal_cast(st)->compact_min = min_bytes;
}

const struct ovsdb_storage_class ovsdb_journal_class = {
	.name = "journal",
	.create = journal_create,
	.open = journal_open,
	.close = journal_close,
	.read_schema = journal_read_schema,
	.replay = journal_replay,
	.append = journal_append,
	.commit = journal_commit,
	.compact = journal_compact,
	.should_compact = journal_should_compact,
	.prepare = journal_prepare,
};

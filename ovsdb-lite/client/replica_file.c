/* SPDX-License-Identifier: Apache-2.0 */
/* The replica on disk: dvs_replica_save() writes every table's columns and rows as one JSON
 * document (atomically: a temporary file, fsync, rename), reusing the text of rows unchanged
 * since the last save; dvs_replica_load() reads it back through the same canonical rows and
 * change callbacks as an update from the server. */

#include "replica.h"
#include "replica_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The JSON text of 'rows' (uuid -> row), from each row's cached text where it has one
 * (cached as it goes).  Returns new text, or NULL. */
static char *
rows_text(json_t *rows, json_t *row_text)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char *uuid;
	json_t *row;
	bool ok = f != NULL, first = true;

	if (!f)
		return NULL;
	fputc('{', f);
	json_object_foreach(rows, uuid, row) {
		const json_t *cached = json_object_get(row_text, uuid);

		if (!cached) {
			char *rt = json_dumps(row, JSON_COMPACT);

			if (rt)
				json_object_set_new(row_text, uuid, json_string_nocheck(rt));
			free(rt);
			if (!(cached = json_object_get(row_text, uuid))) {
				ok = false;
				break;
			}
		}
		/* uuids are plain hex and dashes: no escaping */
		fprintf(f, "%s\"%s\":%s", first ? "" : ",", uuid, json_string_value(cached));
		first = false;
	}
	fputc('}', f);
	if (fclose(f) != 0 || !ok) {
		free(text);
		return NULL;
	}
	return text;
}

/* Writes '"name":' and the JSON text of table 't''s schema (rows=false) or rows to 'f'
 * (table names are OVSDB <id>s: no escaping).  Returns 0 or -ENOMEM. */
static int
save_member(FILE *f, struct rtable *t, bool rows, bool first)
{
	char **cache = rows ? &t->text : &t->schema_text;
	char *text = *cache ? *cache : rows ? rows_text(t->rows, t->row_text) : json_dumps(t->schema, JSON_COMPACT);

	if (text)
		fprintf(f, "%s\"%s\":%s", first ? "" : ",", t->name, text);
	*cache = text;
	return text ? 0 : -ENOMEM;
}

int
dvs_replica_save(const struct dvs_replica *r, const char *path)
{
	char tmp[4096] = "", *text = NULL;
	size_t len = 0;
	int fd = -1, ret = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -ENOMEM;
	/* {"format": ..., "schema": {table: columns}, "tables": {table: rows}}, the rows of
	 * tables unchanged since the last save from their cached text. */
	fputs("{\"format\":\"dvs-replica-1\",\"schema\":{", f);
	for (size_t i = 0; i < r->n_tables && !ret; i++)
		ret = save_member(f, &r->tables[i], false, i == 0);
	fputs("},\"tables\":{", f);
	for (size_t i = 0; i < r->n_tables && !ret; i++)
		ret = save_member(f, &r->tables[i], true, i == 0);
	fputs("}}", f);
	if (fclose(f) != 0 && !ret)
		ret = -ENOMEM;
	if (ret < 0)
		goto out;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		tmp[0] = '\0';
		ret = -ENAMETOOLONG;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		tmp[0] = '\0'; /* not ours to remove */
		ret = -errno;
		goto out;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0) {
		ret = -errno;
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		ret = -errno;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		ret = -errno;
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0 && tmp[0])
		unlink(tmp);
	free(text);
	return ret;
}

int
dvs_replica_load(struct dvs_replica *r, const char *path, struct dvs_err *err)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr), *tables, *schema, *fresh = NULL, *rows, *row;
	const char *fmt, *tname, *uuid;
	int ret = 0;

	if (!doc) {
		if (access(path, F_OK) < 0)
			return -ENOENT;
		return dvs_err_set(err, EPROTO, "%s: line %d: %s", path, jerr.line, jerr.text);
	}
	if (json_unpack_ex(doc, &jerr, JSON_STRICT, "{s:s, s:o, s:o}", "format", &fmt, "schema", &schema,
			   "tables", &tables) ||
	    strcmp(fmt, "dvs-replica-1") || !json_is_object(tables) || !json_is_object(schema)) {
		ret = dvs_err_set(err, EPROTO, "%s: not a replica snapshot", path);
		goto out;
	}
	/* A daemon starting without the database learns the tables from the file. */
	json_object_foreach(schema, tname, row) {
		if (replica_find_table(r, tname))
			continue;
		ret = dvs_replica_add_table(r, tname, row, NULL, err);
		if (ret < 0) {
			dvs_err_prefix(err, "%s", path);
			goto out;
		}
	}
	fresh = json_object();
	json_object_foreach(tables, tname, rows) {
		struct rtable *t = replica_find_table(r, tname);
		json_t *dst;

		if (!t || !json_is_object(rows))
			continue;
		dst = json_object();
		json_object_set_new(fresh, tname, dst);
		/* Re-canonicalise: the file may come from an older build or another column set. */
		json_object_foreach(rows, uuid, row) {
			json_t *full = replica_full_row(t, row, NULL, err);

			if (!full) {
				ret = -EPROTO;
				goto out;
			}
			json_object_set_new(dst, uuid, full);
		}
	}
	replica_batch_done(r, replica_apply_fresh(r, fresh));
out:
	json_decref(fresh);
	json_decref(doc);
	return ret;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "input.h"

#include "json_parse.h"

/* The state lives in locals during the loop: it looks at every byte of every request, and
 * as fields of 'in' it was reloaded for each. */
int ovsdb_input_frame(struct ovsdb_input *in)
{
	const char *b = in->buf;
	size_t i = in->scan, len = in->len;
	unsigned depth = in->depth;
	bool in_str = in->in_str, esc = in->esc;
	int rc = 0;
	for (; i < len; i++) {
		char c = b[i];
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (!depth) {
			if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
				in->start = i + 1;
				continue;
			}
			if (c != '{') {
				rc = -1;
				break;
			}
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && !--depth) {
			rc = 1;
			break;
		}
	}
	in->scan = i;
	in->depth = depth;
	in->in_str = in_str;
	in->esc = esc;
	return rc;
}

json_t *ovsdb_input_parse_whole(struct ovsdb_input *in)
{
	if (in->scan != in->start || in->depth || in->in_str)
		return NULL; /* framing has begun on this message: let it finish */
	size_t i = in->start;
	while (i < in->len && (in->buf[i] == ' ' || in->buf[i] == '\n' || in->buf[i] == '\t' || in->buf[i] == '\r'))
		i++;
	in->start = in->scan = i;
	if (i == in->len || in->buf[i] != '{')
		return NULL;
	char err[160];
	size_t used;
	json_t *msg = json_parse_prefix(in->buf + i, in->len - i, &used, err, sizeof err);
	if (msg)
		in->start = in->scan = i + used;
	return msg;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* dvsctl argument parsing and validation: everything a command line can get wrong is caught
 * here, with the argument named and the allowed values spelled out, before any socket is
 * opened. */

#include "dvsctl.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VLAN_MAX 4094
#define PORT_NAME_MAX 31 /* switchd's DVS_PORT_NAME_MAX - 1 */
#define DB_NAME_MAX 63   /* cluster.md: a Port key is the switchd port name, <= 63 */

static void
list_opts(const struct dvsctl_opt *opts, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const struct dvsctl_opt *o = opts; o->name && n < size; o++)
		n += (size_t)snprintf(buf + n, size - n, "%s--%s", n ? ", " : "", o->name);
	if (!opts->name)
		snprintf(buf, size, "none");
}

int
dvsctl_args_parse(const struct dvsctl_ctx *ctx, int argc, char **argv, struct dvsctl_opt *opts,
		  const char **pos, int min_pos, int max_pos, const char *pos_names)
{
	bool only_pos = false;
	int n_pos = 0;

	for (struct dvsctl_opt *o = opts; o->name; o++) {
		o->value = NULL;
		o->n = 0;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		struct dvsctl_opt *o;
		const char *eq;
		size_t len;

		if (only_pos || a[0] != '-' || !a[1] || (isdigit((unsigned char)a[1]))) {
			if (n_pos >= max_pos)
				return max_pos ? dvsctl_usage(ctx, "unexpected argument \"%s\" (takes %s)", a, pos_names)
					       : dvsctl_usage(ctx, "unexpected argument \"%s\" (takes no arguments)", a);
			pos[n_pos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = true;
			continue;
		}
		if (a[1] != '-') {
			char allowed[512];

			list_opts(opts, allowed, sizeof(allowed));
			return dvsctl_usage(ctx, "unknown option \"%s\" (options: %s)", a, allowed);
		}
		eq = strchr(a + 2, '=');
		len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
		for (o = opts; o->name; o++) {
			if (strlen(o->name) == len && !strncmp(o->name, a + 2, len))
				break;
		}
		if (!o->name) {
			char allowed[512];

			list_opts(opts, allowed, sizeof(allowed));
			return dvsctl_usage(ctx, "unknown option \"%.*s\" (options: %s)", (int)len + 2, a,
					    allowed);
		}
		if (o->value && !o->multi)
			return dvsctl_usage(ctx, "--%s given twice", o->name);
		if (o->multi && o->n >= DVSCTL_MULTI_MAX)
			return dvsctl_usage(ctx, "--%s given more than %d times", o->name, DVSCTL_MULTI_MAX);
		if (!o->has_arg) {
			if (eq)
				return dvsctl_usage(ctx, "--%s takes no value", o->name);
			o->value = "";
		} else if (eq) {
			o->value = eq + 1;
		} else if (i + 1 < argc) {
			o->value = argv[++i];
		} else {
			return dvsctl_usage(ctx, "--%s needs a value", o->name);
		}
		if (o->has_arg && !o->value[0])
			return dvsctl_usage(ctx, "--%s: empty value", o->name);
		if (o->multi)
			o->vals[o->n++] = o->value;
	}
	if (n_pos < min_pos)
		return dvsctl_usage(ctx, "missing %s", pos_names);
	for (int i = n_pos; i < max_pos; i++)
		pos[i] = NULL;
	return 0;
}

static int
parse_ulong(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

int
dvsctl_parse_uint(const struct dvsctl_ctx *ctx, const char *what, const char *s, uint64_t min,
		  uint64_t max, uint64_t *out)
{
	unsigned long long v;

	if (parse_ulong(s, &v) < 0)
		return dvsctl_usage(ctx, "%s \"%s\": not a number (allowed %llu..%llu)", what, s,
				    (unsigned long long)min, (unsigned long long)max);
	if (v < min || v > max)
		return dvsctl_usage(ctx, "%s %s: out of range %llu..%llu", what, s,
				    (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

int
dvsctl_parse_vlan(const struct dvsctl_ctx *ctx, const char *what, const char *s, unsigned *out)
{
	unsigned long long v;

	if (parse_ulong(s, &v) < 0)
		return dvsctl_usage(ctx, "%s \"%s\": not a VLAN id (allowed 0..%d)", what, s, VLAN_MAX);
	if (v > VLAN_MAX)
		return dvsctl_usage(ctx, "%s %s: VLAN out of range 0..%d", what, s, VLAN_MAX);
	*out = (unsigned)v;
	return 0;
}

int
dvsctl_parse_vlan_list(const struct dvsctl_ctx *ctx, const char *what, const char *s, char *buf,
		       size_t size)
{
	static uint8_t bm[VLAN_MAX + 1];
	const char *p = s;
	size_t n = 0;

	memset(bm, 0, sizeof(bm));
	while (*p) {
		char item[32];
		size_t len = strcspn(p, ",");
		unsigned long long lo, hi;
		char *dash;

		if (len == 0 || len >= sizeof(item))
			return dvsctl_usage(ctx, "%s \"%s\": empty or overlong item (expected e.g. 10,20-30)",
					    what, s);
		memcpy(item, p, len);
		item[len] = '\0';
		dash = strchr(item, '-');
		if (dash)
			*dash = '\0';
		if (parse_ulong(item, &lo) < 0 || (dash && parse_ulong(dash + 1, &hi) < 0))
			return dvsctl_usage(ctx, "%s \"%s\": \"%.*s\" is not a VLAN or range (expected e.g. 10,20-30)",
					    what, s, (int)len, p);
		if (!dash)
			hi = lo;
		if (lo > VLAN_MAX || hi > VLAN_MAX)
			return dvsctl_usage(ctx, "%s %s: VLAN %llu out of range 0..%d", what, s,
					    lo > VLAN_MAX ? lo : hi, VLAN_MAX);
		if (hi < lo)
			return dvsctl_usage(ctx, "%s %s: range %llu-%llu is backwards", what, s, lo, hi);
		memset(bm + lo, 1, hi - lo + 1);
		p += len;
		if (*p == ',') {
			p++;
			if (!*p)
				return dvsctl_usage(ctx, "%s \"%s\": trailing comma", what, s);
		}
	}
	if (!s[0])
		return dvsctl_usage(ctx, "%s: empty VLAN list", what);
	buf[0] = '\0';
	for (unsigned v = 0; v <= VLAN_MAX; v++) {
		unsigned end = v;

		if (!bm[v])
			continue;
		while (end < VLAN_MAX && bm[end + 1])
			end++;
		if (end > v)
			n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%u-%u", n ? "," : "", v, end);
		else
			n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%u", n ? "," : "", v);
		v = end;
	}
	if (n >= size)
		return dvsctl_usage(ctx, "%s: VLAN list too long", what);
	return 0;
}

int
dvsctl_parse_mac(const struct dvsctl_ctx *ctx, const char *what, const char *s, char *buf18)
{
	unsigned b[6];
	char tail;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return dvsctl_usage(ctx, "%s \"%s\": not a MAC address (expected xx:xx:xx:xx:xx:xx)",
				    what, s);
	if (b[0] & 1)
		return dvsctl_usage(ctx, "%s %s: a multicast MAC cannot be a port's address", what, s);
	snprintf(buf18, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0] & 0xffu, b[1] & 0xffu,
		 b[2] & 0xffu, b[3] & 0xffu, b[4] & 0xffu, b[5] & 0xffu);
	return 0;
}

int
dvsctl_check_port_name(const struct dvsctl_ctx *ctx, const char *what, const char *s)
{
	if (!s[0] || strlen(s) > PORT_NAME_MAX)
		return dvsctl_usage(ctx, "%s \"%s\": length must be 1..%d", what, s, PORT_NAME_MAX);
	for (const char *c = s; *c; c++) {
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
			return dvsctl_usage(ctx, "%s \"%s\": may only contain letters, digits, '-', '_' and '.'",
					    what, s);
	}
	if (s[0] == '-')
		return dvsctl_usage(ctx, "%s \"%s\": must not start with '-'", what, s);
	return 0;
}

int
dvsctl_parse_seconds(const struct dvsctl_ctx *ctx, const char *what, const char *s, int *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0.001 && v <= 3600))
		return dvsctl_usage(ctx, "%s \"%s\": not a number of seconds in 0.001..3600", what, s);
	*ms = (int)(v * 1000 + 0.5);
	return 0;
}

int
dvsctl_check_name(const struct dvsctl_ctx *ctx, const char *what, const char *s)
{
	if (!s[0] || strlen(s) > DB_NAME_MAX)
		return dvsctl_usage(ctx, "%s \"%s\": length must be 1..%d", what, s, DB_NAME_MAX);
	for (const char *c = s; *c; c++) {
		if (!isalnum((unsigned char)*c) && !strchr("-_.:", *c))
			return dvsctl_usage(ctx, "%s \"%s\": may only contain letters, digits, '-', '_', '.' and ':'",
					    what, s);
	}
	if (s[0] == '-')
		return dvsctl_usage(ctx, "%s \"%s\": must not start with '-'", what, s);
	return 0;
}

int
dvsctl_parse_bool(const struct dvsctl_ctx *ctx, const char *what, const char *s, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on"}, *const no[] = {"no", "false", "off"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i]) || !strcmp(s, no[i])) {
			*out = !strcmp(s, yes[i]);
			return 0;
		}
	}
	return dvsctl_usage(ctx, "%s \"%s\": must be yes/on or no/off", what, s);
}

/* "1.5G" -> 1.5e9 with 'base' 1000 or 1024 and the suffixes allowed in 'suffixes' (lower
 * case; upper case accepted too).  Returns 0 or -EINVAL. */
static int
parse_scaled(const char *s, unsigned base, const char *suffixes, uint64_t *out)
{
	static const char order[] = "kmgt";
	char *end;
	double v, mult = 1;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		return -EINVAL;
	if (*end) {
		const char *pos = strchr(order, tolower((unsigned char)*end));

		if (!pos || !strchr(suffixes, *pos) || end[1])
			return -EINVAL;
		for (long i = 0; i <= pos - order; i++)
			mult *= base;
	}
	v *= mult;
	if (v > 1.8e19 || (double)(uint64_t)v != v)
		return -EINVAL; /* too big, or a fraction of a bit or byte ("1.5") */
	*out = (uint64_t)v;
	return 0;
}

/* "8k", "1.5G": a bound for messages, in the unit's own suffixes. */
static const char *
fmt_scaled(uint64_t v, unsigned base, char *buf, size_t size)
{
	static const char *const sfx[2][5] = {{"", "k", "M", "G", "T"}, {"", "K", "M", "G", "T"}};
	int i = 0;

	while (i < 4 && v >= base && v % base == 0) {
		v /= base;
		i++;
	}
	snprintf(buf, size, "%llu%s", (unsigned long long)v, sfx[base == 1024][i]);
	return buf;
}

static int
parse_unit(const struct dvsctl_ctx *ctx, const char *what, const char *s, unsigned base,
	   const char *suffixes, const char *unit, const char *example, const char *zero,
	   uint64_t min, uint64_t max, uint64_t *out)
{
	char lo[32], hi[32];
	uint64_t v;

	fmt_scaled(min, base, lo, sizeof(lo));
	fmt_scaled(max, base, hi, sizeof(hi));
	if (parse_scaled(s, base, suffixes, &v) < 0)
		return dvsctl_usage(ctx, "%s \"%s\": not a number of %s (e.g. %s; allowed 0 or %s..%s)",
				    what, s, unit, example, lo, hi);
	if (v != 0 && (v < min || v > max))
		return dvsctl_usage(ctx, "%s %s: out of range %s..%s %s (0 = %s)", what, s, lo, hi, unit,
				    zero);
	*out = v;
	return 0;
}

int
dvsctl_parse_rate(const struct dvsctl_ctx *ctx, const char *what, const char *s, uint64_t min,
		  uint64_t max, uint64_t *out)
{
	return parse_unit(ctx, what, s, 1000, "kmgt", "bits per second", "500k, 10M, 1G", "unlimited",
			  min, max, out);
}

int
dvsctl_parse_size(const struct dvsctl_ctx *ctx, const char *what, const char *s, uint64_t min,
		  uint64_t max, uint64_t *out)
{
	return parse_unit(ctx, what, s, 1024, "kmg", "bytes", "64K, 1M", "none", min, max, out);
}

int
dvsctl_parse_pps(const struct dvsctl_ctx *ctx, const char *what, const char *s, uint64_t max,
		 uint64_t *out)
{
	return parse_unit(ctx, what, s, 1000, "km", "packets per second", "1000, 10k", "off", 1, max,
			  out);
}

int
dvsctl_parse_ip(const struct dvsctl_ctx *ctx, const char *what, const char *s, char *buf,
		size_t size)
{
	unsigned char addr[16];

	if (inet_pton(AF_INET, s, addr) == 1)
		inet_ntop(AF_INET, addr, buf, (socklen_t)size);
	else if (inet_pton(AF_INET6, s, addr) == 1)
		inet_ntop(AF_INET6, addr, buf, (socklen_t)size);
	else
		return dvsctl_usage(ctx, "%s \"%s\": not an IPv4 or IPv6 address", what, s);
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The value syntaxes of lib/profile.h that users type (dvsctl, Port.overrides): VLAN lists
 * "10,20-30" and MAC addresses.  Split from profile.c, which resolves whole rows. */
#include "profile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
dvs_profile_vlans_parse(const char *s, uint64_t bm[DVS_PROFILE_VLAN_WORDS], struct dvs_err *err)
{
	const char *p = s;

	memset(bm, 0, DVS_PROFILE_VLAN_WORDS * sizeof(bm[0]));
	while (*p) {
		long lo, hi;
		char *end;

		while (isspace((unsigned char)*p))
			p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		lo = hi = strtol(p, &end, 10);
		p = end;
		if (*p == '-') {
			if (!isdigit((unsigned char)p[1]))
				goto bad;
			hi = strtol(p + 1, &end, 10);
			p = end;
		}
		while (isspace((unsigned char)*p))
			p++;
		if (*p && *p != ',')
			goto bad;
		if (*p == ',' && !p[1])
			goto bad;
		if (*p)
			p++;
		if (lo < 1 || lo > DVS_PROFILE_VLAN_MAX || hi < 1 || hi > DVS_PROFILE_VLAN_MAX)
			return dvs_err_set(err, EINVAL, "%ld out of range 1..4094",
					   lo < 1 || lo > DVS_PROFILE_VLAN_MAX ? lo : hi);
		if (hi < lo)
			return dvs_err_set(err, EINVAL, "range %ld-%ld is reversed", lo, hi);
		for (long v = lo; v <= hi; v++)
			bm[v >> 6] |= 1ULL << (v & 63);
	}
	return 0;
bad:
	memset(bm, 0, DVS_PROFILE_VLAN_WORDS * sizeof(bm[0]));
	return dvs_err_set(err, EINVAL, "\"%s\" is not a VLAN list (expected e.g. 10,20-30)", s);
}

char *
dvs_profile_vlans_format(const uint64_t bm[DVS_PROFILE_VLAN_WORDS], char *buf, size_t size)
{
	size_t len = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	for (int v = 0; v <= DVS_PROFILE_VLAN_MAX; v++) {
		int lo = v;
		char item[16];
		size_t n;

		if (!dvs_profile_vlan_test(bm, (uint16_t)v))
			continue;
		while (v + 1 <= DVS_PROFILE_VLAN_MAX && dvs_profile_vlan_test(bm, (uint16_t)(v + 1)))
			v++;
		n = lo == v ? (size_t)snprintf(item, sizeof(item), "%s%d", len ? "," : "", lo)
			    : (size_t)snprintf(item, sizeof(item), "%s%d-%d", len ? "," : "", lo, v);
		if (len + n + 4 > size) {
			snprintf(buf + len, size - len, "...");
			break;
		}
		memcpy(buf + len, item, n + 1);
		len += n;
	}
	return buf;
}

int
dvs_profile_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned b[6];
	int n = 0;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) != 6 ||
	    n != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[i * 3]) || !isxdigit((unsigned char)s[i * 3 + 1]))
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

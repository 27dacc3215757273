/* SPDX-License-Identifier: Apache-2.0 */
/* Stream sockets for JSON-RPC: unix and TCP listen/connect, and the OVS-style addresses
 * ("unix:PATH", "tcp:IP:PORT", "punix:PATH", "ptcp:PORT[:IP]") that users type.
 * Declared in jsonrpc.h.  Every fd returned is O_NONBLOCK and O_CLOEXEC. */

#include "jsonrpc.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LISTEN_BACKLOG 64

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static int
unix_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (!path || !*path)
		return -EINVAL;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

/* A socket file nobody accepts on is left behind by a crash: remove it.  One that answers
 * belongs to a running daemon, and taking it over would orphan that daemon's clients. */
static int
unix_clear_stale(const char *path)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = dvs_unix_connect(path);
	if (fd >= 0) {
		close(fd);
		return -EADDRINUSE;
	}
	if (fd != -ECONNREFUSED && fd != -ENOENT)
		return fd;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
dvs_unix_listen(const char *path)
{
	struct sockaddr_un sun;
	int fd = -1, r;

	r = unix_addr(path, &sun);
	if (r < 0)
		goto out;
	r = unix_clear_stale(path);
	if (r < 0)
		goto out;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(fd, LISTEN_BACKLOG) < 0) {
		r = -errno;
		goto out;
	}
	return fd;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

int
dvs_unix_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd = -1, r;

	r = unix_addr(path, &sun);
	if (r < 0)
		goto out;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		r = -errno;
		goto out;
	}
	r = set_nonblock(fd);
	if (r < 0)
		goto out;
	return fd;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

static int
gai_errno(int gai)
{
	if (gai == EAI_SYSTEM)
		return -errno;
	if (gai == EAI_MEMORY)
		return -ENOMEM;
	return -EINVAL;
}

/* Splits "IP:PORT" (IPv6 as "[::1]:PORT") on its last colon into 'ip' and 'port'. */
static int
split_host_port(const char *s, char *ip, size_t ip_size, char *port, size_t port_size)
{
	const char *colon = strrchr(s, ':');
	size_t ip_len;

	if (!colon || !colon[1])
		return -EINVAL;
	ip_len = (size_t)(colon - s);
	if (ip_len >= 2 && s[0] == '[' && s[ip_len - 1] == ']') {
		s++;
		ip_len -= 2;
	}
	if (ip_len >= ip_size || strlen(colon + 1) >= port_size)
		return -EINVAL;
	memcpy(ip, s, ip_len);
	ip[ip_len] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

int
dvs_tcp_listen(const char *port_ip)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	char port[16], ip[64] = "0.0.0.0";
	const char *colon;
	int fd = -1, r, one = 1;

	if (!port_ip)
		return -EINVAL;
	colon = strchr(port_ip, ':');
	if (colon) {
		size_t plen = (size_t)(colon - port_ip);
		const char *h = colon + 1;
		size_t hlen = strlen(h);

		if (plen == 0 || plen >= sizeof(port) || hlen == 0 || hlen >= sizeof(ip))
			return -EINVAL;
		memcpy(port, port_ip, plen);
		port[plen] = '\0';
		if (h[0] == '[' && h[hlen - 1] == ']') {
			h++;
			hlen -= 2;
		}
		memcpy(ip, h, hlen);
		ip[hlen] = '\0';
	} else {
		if (!*port_ip || strlen(port_ip) >= sizeof(port))
			return -EINVAL;
		strcpy(port, port_ip);
	}
	r = getaddrinfo(ip, port, &hints, &ai);
	if (r) {
		r = gai_errno(r);
		goto out;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
		r = -errno;
		goto out;
	}
	freeaddrinfo(ai);
	return fd;
out:
	if (ai)
		freeaddrinfo(ai);
	if (fd >= 0)
		close(fd);
	return r;
}

int
dvs_tcp_connect(const char *ip, const char *port)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai = NULL;
	int fd = -1, r, one = 1;

	if (!ip || !port)
		return -EINVAL;
	r = getaddrinfo(ip, port, &hints, &ai);
	if (r) {
		r = gai_errno(r);
		goto out;
	}
	r = -ECONNREFUSED;
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			r = -errno;
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		r = -errno;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		goto out;
	/* Requests are small and latency matters more than packing. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	r = set_nonblock(fd);
	if (r < 0)
		goto out;
	freeaddrinfo(ai);
	return fd;
out:
	if (ai)
		freeaddrinfo(ai);
	if (fd >= 0)
		close(fd);
	return r;
}

int
dvs_stream_connect(const char *addr)
{
	char ip[64], port[16];
	int r;

	if (!addr)
		return -EINVAL;
	/* A passive address names where a server listens, so a client given the server's own
	 * setting connects there. */
	if (!strncmp(addr, "unix:", 5))
		return dvs_unix_connect(addr + 5);
	if (!strncmp(addr, "punix:", 6))
		return dvs_unix_connect(addr + 6);
	if (!strncmp(addr, "tcp:", 4)) {
		r = split_host_port(addr + 4, ip, sizeof(ip), port, sizeof(port));
		return r < 0 ? r : dvs_tcp_connect(ip, port);
	}
	if (!strncmp(addr, "ptcp:", 5)) {
		const char *p = addr + 5, *colon = strchr(p, ':');
		size_t plen = colon ? (size_t)(colon - p) : strlen(p);

		if (plen == 0 || plen >= sizeof(port))
			return -EINVAL;
		memcpy(port, p, plen);
		port[plen] = '\0';
		snprintf(ip, sizeof(ip), "%s", colon && colon[1] ? colon + 1 : "127.0.0.1");
		if (!strcmp(ip, "0.0.0.0"))
			strcpy(ip, "127.0.0.1");
		return dvs_tcp_connect(ip, port);
	}
	if (addr[0] == '/' || addr[0] == '.')
		return dvs_unix_connect(addr);
	return -EINVAL;
}

int
dvs_stream_listen(const char *addr)
{
	if (!addr)
		return -EINVAL;
	if (!strncmp(addr, "punix:", 6))
		return dvs_unix_listen(addr + 6);
	if (!strncmp(addr, "unix:", 5))
		return dvs_unix_listen(addr + 5);
	if (!strncmp(addr, "ptcp:", 5))
		return dvs_tcp_listen(addr + 5);
	if (addr[0] == '/' || addr[0] == '.')
		return dvs_unix_listen(addr);
	return -EINVAL;
}

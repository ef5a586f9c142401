// SPDX-License-Identifier: GPL-2.0
/*
 * gen - send N UDP datagrams of SIZE payload bytes to DST:PORT as fast as
 * sendmmsg() allows, with DF (IP_PMTUDISC_DO).  Prints
 * "sent N cpu_ns NS wall_ns NS" at the end.
 *
 * usage: gen DST PORT SIZE COUNT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static long long ns(struct timeval tv)
{
	return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
}

int main(int argc, char **argv)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	static char buf[65536];
	long count, sent = 0;
	struct timespec t0, t1;
	struct rusage ru;
	int fd, size, i, n, pmtu = IP_PMTUDISC_DO;

	if (argc != 5) {
		fprintf(stderr, "usage: gen DST PORT SIZE COUNT\n");
		return 2;
	}
	dst.sin_port = htons(atoi(argv[2]));
	size = atoi(argv[3]);
	count = atol(argv[4]);
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1 || size < 1 ||
	    size > 65000 || count < 1) {
		fprintf(stderr, "gen: bad arguments\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
				 sizeof(pmtu)) ||
	    connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		perror("gen");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf;
		iov[i].iov_len = size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (sent < count) {
		n = count - sent < BATCH ? count - sent : BATCH;
		n = sendmmsg(fd, msgs, n, 0);
		if (n < 0)
			continue;	/* ENOBUFS: the queue is full, try again */
		sent += n;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &ru);
	printf("sent %ld cpu_ns %lld wall_ns %lld\n", sent,
	       ns(ru.ru_utime) + ns(ru.ru_stime),
	       (t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec - t0.tv_nsec);
	return 0;
}

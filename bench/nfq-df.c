// SPDX-License-Identifier: GPL-2.0
/*
 * nfq-df - the userspace approach tunfix replaces, for comparison: take
 * packets from NFQUEUE 0, clear DF, write a random IP ID, fix the header
 * checksum and accept them.  Prints the number of packets handled on SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <netinet/ip.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <libnfnetlink/libnfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

static volatile sig_atomic_t stop;
static unsigned long handled;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static unsigned short csum(const unsigned short *p, int words)
{
	unsigned long s = 0;

	while (words--)
		s += *p++;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

static int cb(struct nfq_q_handle *qh, struct nfgenmsg *m,
	      struct nfq_data *nfa, void *data)
{
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	unsigned char *pkt;
	struct iphdr *iph;
	int len;

	(void)m;
	(void)data;
	len = nfq_get_payload(nfa, &pkt);
	if (len >= (int)sizeof(*iph)) {
		iph = (struct iphdr *)pkt;
		if (iph->version == 4 && iph->ihl >= 5 &&
		    len >= iph->ihl * 4 && (iph->frag_off & htons(IP_DF))) {
			iph->frag_off &= ~htons(IP_DF);
			iph->id = htons(rand() & 0xffff);
			iph->check = 0;
			iph->check = csum((unsigned short *)iph, iph->ihl * 2);
		}
	}
	handled++;
	return nfq_set_verdict(qh, ntohl(ph->packet_id), NF_ACCEPT,
			       len > 0 ? len : 0, pkt);
}

int main(void)
{
	struct nfq_handle *h = nfq_open();
	struct nfq_q_handle *qh;
	char buf[65536] __attribute__((aligned));
	int fd, rv;

	if (!h || nfq_bind_pf(h, AF_INET) < 0) {
		perror("nfq-df: nfq_open");
		return 1;
	}
	qh = nfq_create_queue(h, 0, cb, NULL);
	if (!qh || nfq_set_mode(qh, NFQNL_COPY_PACKET, 0xffff) < 0) {
		perror("nfq-df: queue 0");
		return 1;
	}
	/*
	 * As a careful deployment would: a big socket buffer, no ENOBUFS,
	 * a long queue, and fail-open (accept unmodified when the queue is
	 * full) so the sender is never stuck on packets without a verdict.
	 */
	nfnl_rcvbufsiz(nfq_nfnlh(h), 8 << 20);
	rv = 1;
	setsockopt(nfq_fd(h), SOL_NETLINK, NETLINK_NO_ENOBUFS, &rv, sizeof(rv));
	nfq_set_queue_maxlen(qh, 8192);
	nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
	struct sigaction sa = { .sa_handler = on_term };	/* no SA_RESTART */

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = nfq_fd(h);
	printf("nfq-df: ready\n");
	fflush(stdout);
	while (!stop) {
		rv = recv(fd, buf, sizeof(buf), 0);
		if (rv >= 0)
			nfq_handle_packet(h, buf, rv);
		else if (errno != EINTR && errno != ENOBUFS)
			break;
	}
	printf("nfq-df: handled %lu\n", handled);
	nfq_destroy_queue(qh);
	nfq_close(h);
	return 0;
}

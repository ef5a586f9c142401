/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tunfix - DF clearing / IP ID regeneration on tunnel egress and DHCP reply
 * re-marking for policy routing.
 *
 * This header is the whole userspace interface of the tunfix module.  Every
 * name below is used by the module and by tunfixctl; nothing is spelled twice.
 *
 * Settings (one per file, per network namespace):
 *   /proc/sys/net/tunfix/<knob>	read: current value and a newline
 *					write: a new value; a bad value fails
 *					with EINVAL and changes nothing
 * Module parameters of the same names (/sys/module/tunfix/parameters/<knob>)
 * give the values every new network namespace starts with.
 *
 * The knobs are listed in <linux/tunfix_knobs.h> (TUNFIX_KNOB_LIST), the
 * counters in <linux/tunfix_counters.h> (TUNFIX_COUNTER_LIST).
 *
 * Knob types:
 *   TUNFIX_KT_BOOL	"0" or "1"
 *   TUNFIX_KT_U32	decimal, or hex with 0x; within [min, max]
 *   TUNFIX_KT_HEX	as U32, shown as 0x... on read
 *   TUNFIX_KT_PROTOS	comma-separated IP protocol numbers 1-255 except 51
 *			(AH), e.g. "47,50"; "" for none; read back sorted
 *   TUNFIX_KT_IFNAME	an interface name, or "" for any
 *   TUNFIX_KT_PORTS	comma-separated UDP ports 1-65535, at most
 *			TUNFIX_PORTS_MAX of them, e.g. "4500,1194"; "" for
 *			none; read back sorted
 *
 * Counters:
 *   /proc/net/tunfix	one "<name> <value>" line per counter, in the order
 *			of <linux/tunfix_counters.h>; writing "0" resets them
 *			(needs CAP_NET_ADMIN in the namespace's user namespace)
 */
#ifndef _UAPI_LINUX_TUNFIX_H
#define _UAPI_LINUX_TUNFIX_H

#define TUNFIX_VERSION		"0.1.0"
#define TUNFIX_SYSCTL_PATH	"net/tunfix"	/* under /proc/sys */
#define TUNFIX_PROC_NAME	"tunfix"	/* under /proc/net */
#define TUNFIX_PROC_RESET	"0"		/* write to reset counters */

#define TUNFIX_KNOB_MAXLEN	128	/* longest value a knob accepts */
#define TUNFIX_IFNAMSIZ		16	/* IFNAMSIZ, with the NUL */
#define TUNFIX_PROTO_AH		51	/* never accepted in df_protocols */
#define TUNFIX_PORTS_MAX	16	/* most ports in df_udp_ports */
#define TUNFIX_DHCP_SERVER_PORT	67
#define TUNFIX_DHCP_CLIENT_PORT	68

#include <linux/tunfix_knobs.h>
#include <linux/tunfix_counters.h>

enum tunfix_knob_type {
	TUNFIX_KT_BOOL,
	TUNFIX_KT_U32,
	TUNFIX_KT_HEX,
	TUNFIX_KT_PROTOS,
	TUNFIX_KT_IFNAME,
	TUNFIX_KT_PORTS,
};

#define __TUNFIX_KNOB_ID(id, name, type, min, max, def, desc) TUNFIX_KNOB_##id,
enum tunfix_knob {
	TUNFIX_KNOB_LIST(__TUNFIX_KNOB_ID)
	__TUNFIX_KNOB_MAX
};

#undef __TUNFIX_KNOB_ID

#define __TUNFIX_CNT_ID(id, name, desc) TUNFIX_CNT_##id,
enum tunfix_counter {
	TUNFIX_COUNTER_LIST(__TUNFIX_CNT_ID)
	__TUNFIX_CNT_MAX
};

#undef __TUNFIX_CNT_ID

#endif /* _UAPI_LINUX_TUNFIX_H */

/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The tunfix counters, in the order /proc/net/tunfix lists them, one X()
 * entry each:
 *   X(ID, name, description)
 */
#ifndef _UAPI_LINUX_TUNFIX_COUNTERS_H
#define _UAPI_LINUX_TUNFIX_COUNTERS_H

#define TUNFIX_COUNTER_LIST(X)						\
	X(DF_SEEN, df_seen,						\
	  "Packets of a selected protocol that reached a DF hook")	\
	X(DF_CLEARED_EGRESS, df_cleared_egress,				\
	  "DF cleared on locally sent packets")				\
	X(DF_CLEARED_TRANSIT, df_cleared_transit,			\
	  "DF cleared on forwarded packets")				\
	X(DF_CLEARED_BRIDGE, df_cleared_bridge,				\
	  "DF cleared in bridged frames")				\
	X(ID_REWRITTEN, id_rewritten,					\
	  "IP IDs written from the kernel's ID generator")		\
	X(SKIP_NO_DF, skip_no_df,					\
	  "Left alone: DF was not set")					\
	X(SKIP_FRAGMENT, skip_fragment,					\
	  "Left alone: a fragment")					\
	X(SKIP_AH, skip_ah,						\
	  "Left alone: AH (the IP ID is authenticated)")		\
	X(SKIP_OPTIONS, skip_options,					\
	  "Left alone: IP header with options")				\
	X(SKIP_MALFORMED, skip_malformed,				\
	  "Left alone: inconsistent header or too short payload")	\
	X(SKIP_SHORT, skip_short,					\
	  "Left alone: shorter than df_min_len")			\
	X(SKIP_UNWRITABLE, skip_unwritable,				\
	  "Left alone: header could not be made writable")		\
	X(SKIP_MARK, skip_mark,						\
	  "Left alone: mark not chosen by df_mark and df_mask")	\
	X(SKIP_UDP_PORT, skip_udp_port,					\
	  "UDP left alone: neither port in df_udp_ports")		\
	X(DHCP_SEEN, dhcp_seen,						\
	  "Locally sent DHCP replies seen")				\
	X(DHCP_SKIP_NOT_IPSEC, dhcp_skip_not_ipsec,			\
	  "DHCP replies left alone: not about to enter IPsec")		\
	X(DHCP_REMARKED, dhcp_remarked,					\
	  "DHCP replies whose mark was changed")			\
	X(DHCP_REROUTED, dhcp_rerouted,					\
	  "DHCP replies routed again after the mark change")		\
	X(DHCP_BYPASSED, dhcp_bypassed,					\
	  "DHCP replies routed without an IPsec policy lookup")		\
	X(DHCP_SKIP_MALFORMED, dhcp_skip_malformed,			\
	  "UDP 67 to 68 left alone: not a well-formed DHCP reply")	\
	X(DHCP_ERRORS, dhcp_errors,					\
	  "DHCP replies dropped because routing them again failed")

#endif /* _UAPI_LINUX_TUNFIX_COUNTERS_H */

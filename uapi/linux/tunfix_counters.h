/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The tunfix counters, in the order /proc/net/tunfix lists them:
 *   TUNFIX_COUNTER(ID, name, description)
 *
 * This file must be included with TUNFIX_COUNTER() defined.
 */
TUNFIX_COUNTER(DF_SEEN, df_seen,
	       "Packets of a selected protocol that reached a DF hook")
TUNFIX_COUNTER(DF_CLEARED_EGRESS, df_cleared_egress,
	       "DF cleared on locally sent packets")
TUNFIX_COUNTER(DF_CLEARED_TRANSIT, df_cleared_transit,
	       "DF cleared on forwarded packets")
TUNFIX_COUNTER(DF_CLEARED_BRIDGE, df_cleared_bridge,
	       "DF cleared in bridged frames")
TUNFIX_COUNTER(ID_REWRITTEN, id_rewritten,
	       "IP IDs written from the kernel's ID generator")
TUNFIX_COUNTER(SKIP_NO_DF, skip_no_df,
	       "Left alone: DF was not set")
TUNFIX_COUNTER(SKIP_FRAGMENT, skip_fragment,
	       "Left alone: a fragment")
TUNFIX_COUNTER(SKIP_AH, skip_ah,
	       "Left alone: AH (the IP ID is authenticated)")
TUNFIX_COUNTER(SKIP_OPTIONS, skip_options,
	       "Left alone: IP header with options")
TUNFIX_COUNTER(SKIP_MALFORMED, skip_malformed,
	       "Left alone: inconsistent header or too short payload")
TUNFIX_COUNTER(SKIP_SHORT, skip_short,
	       "Left alone: shorter than df_min_len")
TUNFIX_COUNTER(SKIP_UNWRITABLE, skip_unwritable,
	       "Left alone: header could not be made writable")
TUNFIX_COUNTER(DHCP_SEEN, dhcp_seen,
	       "Locally sent DHCP replies seen")
TUNFIX_COUNTER(DHCP_SKIP_NOT_IPSEC, dhcp_skip_not_ipsec,
	       "DHCP replies left alone: not about to enter IPsec")
TUNFIX_COUNTER(DHCP_REMARKED, dhcp_remarked,
	       "DHCP replies whose mark was changed")
TUNFIX_COUNTER(DHCP_REROUTED, dhcp_rerouted,
	       "DHCP replies routed again after the mark change")
TUNFIX_COUNTER(DHCP_BYPASSED, dhcp_bypassed,
	       "DHCP replies routed without an IPsec policy lookup")
TUNFIX_COUNTER(DHCP_SKIP_MALFORMED, dhcp_skip_malformed,
	       "UDP 67 to 68 left alone: not a well-formed DHCP reply")
TUNFIX_COUNTER(DHCP_ERRORS, dhcp_errors,
	       "DHCP replies dropped because routing them again failed")

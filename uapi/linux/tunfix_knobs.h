/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The tunfix knobs, one X() entry each:
 *   X(ID, name, type, min, max, default, description)
 * min and max apply to the numeric types only.  A knob is a sysctl
 * (/proc/sys/net/tunfix/<name>) and a module parameter of the same name.
 * The description is the one the module parameters, tunfixctl and the
 * documentation give.  Expand the list with a macro of seven arguments:
 *   #define KNOB_NAME(id, name, type, min, max, def, desc) #name,
 *   static const char *const names[] = { TUNFIX_KNOB_LIST(KNOB_NAME) };
 */
#ifndef _UAPI_LINUX_TUNFIX_KNOBS_H
#define _UAPI_LINUX_TUNFIX_KNOBS_H

#define TUNFIX_KNOB_LIST(X)									\
	X(DF_EGRESS, df_egress, TUNFIX_KT_BOOL, 0, 1, "0",					\
	  "Clear DF and write a new IP ID on locally sent tunnel packets")			\
	X(DF_TRANSIT, df_transit, TUNFIX_KT_BOOL, 0, 1, "0",					\
	  "Clear DF and write a new IP ID on forwarded tunnel packets")				\
	X(DF_BRIDGE, df_bridge, TUNFIX_KT_BOOL, 0, 1, "0",					\
	  "Clear DF in IPv4 frames leaving a bridge through a tunnel port")			\
	X(DF_PROTOCOLS, df_protocols, TUNFIX_KT_PROTOS, 0, 0, "47,50",				\
	  "IP protocols handled by df_egress and df_transit")					\
	X(DF_UDP_PORTS, df_udp_ports, TUNFIX_KT_PORTS, 0, 0, "",				\
	  "UDP ports, either end, handled like the protocols of df_protocols")			\
	X(DF_MARK, df_mark, TUNFIX_KT_HEX, 0, 0xffffffff, "0",					\
	  "Fwmark selector: only packets whose mark & df_mask equals df_mark")			\
	X(DF_MASK, df_mask, TUNFIX_KT_HEX, 0, 0xffffffff, "0",					\
	  "Mark bits the fwmark selector compares; 0 turns the selector off")			\
	X(DF_MIN_LEN, df_min_len, TUNFIX_KT_U32, 0, 65535, "0",					\
	  "Leave packets shorter than this many bytes alone")					\
	X(DF_DEV, df_dev, TUNFIX_KT_IFNAME, 0, 0, "",						\
	  "df_egress: only packets leaving through this device")				\
	X(DF_BRIDGE_DEV, df_bridge_dev, TUNFIX_KT_IFNAME, 0, 0, "",				\
	  "df_bridge: only this bridge port (default: gretap ports)")				\
	X(DHCP_REMARK, dhcp_remark, TUNFIX_KT_BOOL, 0, 1, "0",					\
	  "Mark and re-route locally sent DHCP replies (UDP 67 to 68) about to enter IPsec")	\
	X(DHCP_REMARK_ALL, dhcp_remark_all, TUNFIX_KT_BOOL, 0, 1, "0",				\
	  "dhcp_remark: every DHCP reply, not only those about to enter IPsec")			\
	X(DHCP_MARK, dhcp_mark, TUNFIX_KT_HEX, 0, 0xffffffff, "0x800",				\
	  "Mark value: mark = (mark & ~dhcp_mask) ^ dhcp_mark")					\
	X(DHCP_MASK, dhcp_mask, TUNFIX_KT_HEX, 0, 0xffffffff, "0xffffffff",			\
	  "Mark bits cleared before dhcp_mark is applied")					\
	X(DHCP_DEV, dhcp_dev, TUNFIX_KT_IFNAME, 0, 0, "",					\
	  "Only replies whose route leaves through this device")				\
	X(DHCP_XFRM_BYPASS, dhcp_xfrm_bypass, TUNFIX_KT_BOOL, 0, 1, "0",			\
	  "Route re-marked DHCP replies without an IPsec policy lookup")

#endif /* _UAPI_LINUX_TUNFIX_KNOBS_H */

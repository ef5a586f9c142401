#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the namespaces the doctor unit tests are made of and record, in
# each, what tunfixctl doctor reads from the kernel: the netlink replies
# (tools/tests/doctor-record writes them as CASE/*.nl, and the knobs as
# CASE/knobs) and doctor's own answer (CASE/doctor.txt, doctor.json,
# doctor.rc).  Run it in the test guest, from the top directory:
#
#   make && make -C tools tests/doctor-record &&
#	tests/qemu/run.sh --cmd 'bash tools/tests/record.sh'
#
# and the new data is tests/.build/results/cmd/: it replaces
# tools/tests/data/ (make -C tools check tells what changed).
#
# Every case is a namespace of its own, R, on an underlay that is always up:
#
#        R
#   u0 (dummy) 198.51.100.1/24, 2001:db8:1::1/64
#    |
#    +-- gre1   gre       198.51.100.1 -> 198.51.100.2
#    +-- gt0    gretap    198.51.100.1 -> 198.51.100.2   [br0]
#    +-- gt6    ip6gretap 2001:db8:1::1 -> ::2           [br0]
#    +-- gt6ref ip6gretap 2001:db8:1::1 -> ::3  (not bridged, MTU the
#                                                kernel's default)
#
# with the devices, knobs, ip rules, xfrm policies/states and nft rules
# each case names.  The "40-*" cases are the doctor situations of
# tests/netns/40-tunfixctl.sh, in its order.

source "$TUNFIX_ROOT/tests/lib.sh"

require_cmd ip nft iptables sysctl
trap 'tunfix_unload; cleanup_all_ns' EXIT
RECORDER=${DOCTOR_RECORD:-$TUNFIX_ROOT/tools/tests/doctor-record}
OUT=$TUNFIX_RESULTS

# new_case - a fresh namespace R with u0
new_case()
{
	setup_ns R
	must ip -n "$R" -batch - <<EOF
link add u0 type dummy
addr add 198.51.100.1/24 dev u0
addr add 2001:db8:1::1/64 dev u0 nodad
link set u0 up
EOF
}

# knobs KNOB=VALUE... - set tunfix knobs in R
knobs()
{
	local kv

	for kv in "$@"; do
		must ip netns exec "$R" sysctl -q -w "net.tunfix.$kv"
	done
}

# snap NAME - doctor's answer in R, and (if built) the recording
snap()
{
	local d=$OUT/$1

	mkdir -p "$d"
	"$TUNFIXCTL" -n "$R" doctor >"$d/doctor.txt" 2>&1
	echo $? >"$d/doctor.rc"
	"$TUNFIXCTL" -n "$R" -j doctor >"$d/doctor.json" 2>&1
	if [ -x "$RECORDER" ]; then
		ip netns exec "$R" "$RECORDER" "$d" ||
			check_result 1 "$1: doctor-record"
	fi
	echo "== $1 (exit $(cat "$d/doctor.rc"))"
	cat "$d/doctor.txt"
}

gretap_bridged()
{
	must ip -n "$R" -batch - <<EOF
link add gt0 type gretap local 198.51.100.1 remote 198.51.100.2 $1
link set gt0 mtu 1500
link add br0 type bridge
link set gt0 master br0
link set gt0 up
link set br0 up
EOF
}

# --- tests/netns/40-tunfixctl.sh
tunfix_unload
new_case
snap 40-notloaded
tunfix_load
knobs df_egress=1 df_protocols=50,47 dhcp_mark=0x10
knobs df_egress=0 df_bridge=0
must ip -n "$R" link add gt0 type gretap local 198.51.100.1 remote 198.51.100.2
snap 40-gretap
must ip -n "$R" link set gt0 type gretap nopmtudisc ignore-df
snap 40-gretap-ignoredf
must ip -n "$R" link del gt0
must ip -n "$R" link add gt0 type gretap local 198.51.100.1 remote 198.51.100.2
knobs df_bridge=1 df_egress=1
snap 40-gretap-knobs
knobs df_egress=0 df_bridge=0
must ip -n "$R" link set gt0 type gretap nopmtudisc ignore-df
N1=$R
new_case
must ip -n "$R" link add g6 type ip6gretap local fd00::2 remote fd00::1
snap 40-ip6gretap
R=$N1
knobs dhcp_remark=1 dhcp_mark=0x800
snap 40-dhcp-norule
must ip -n "$R" rule add fwmark 0x800 table 20
snap 40-dhcp-rule
must ip -n "$R" xfrm policy add src 198.51.100.1/32 dst 198.51.100.0/24 dir out \
	priority 2000 tmpl src 198.51.100.1 dst 198.51.100.2 proto esp mode tunnel
snap 40-dhcp-policy
knobs dhcp_xfrm_bypass=1
snap 40-dhcp-bypass-knob
knobs dhcp_xfrm_bypass=0
must ip -n "$R" xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 proto udp sport 67 dport 68 \
	dir out priority 1999 action allow
snap 40-dhcp-bypass-policy

# --- the unit tests' cases
# not loaded: the tunnels are still checked
tunfix_unload
new_case
must ip -n "$R" link add gre1 type gre local 198.51.100.1 remote 198.51.100.2
snap notloaded
tunfix_load

# a bridged ip6gretap wider than its path, found by route (gt6) and by
# its device (gt6k, with key and checksum); the references gt6ref and
# gt6kref, same flags, not bridged, have the MTU the kernel computes
new_case
must ip -n "$R" -batch - <<EOF
link add br0 type bridge
link add gt6 type ip6gretap local 2001:db8:1::1 remote 2001:db8:1::2
link add gt6ref type ip6gretap local 2001:db8:1::1 remote 2001:db8:1::3
link add gt6k type ip6gretap local 2001:db8:1::1 remote 2001:db8:1::2 dev u0 key 5 csum
link add gt6kref type ip6gretap local 2001:db8:1::1 remote 2001:db8:1::3 dev u0 key 5 csum
link set gt6 mtu 1500
link set gt6k mtu 1500
link set gt6 master br0
link set gt6k master br0
EOF
snap ip6gretap-wide

# IPv6 frames over a bridged gretap in pmtudisc mode, tunfix on
new_case
gretap_bridged
knobs df_bridge=1 df_egress=1
snap gretap-ipv6

# the fwmark selector on, nothing marks; then an nft rule, an iptables
# MARK target, an SA output mark
new_case
must ip -n "$R" link add gre1 type gre local 198.51.100.1 remote 198.51.100.2
knobs df_egress=1 df_mark=0x10 df_mask=0xff
snap selector-unmarked
must ip netns exec "$R" nft add table ip t
must ip netns exec "$R" nft add chain ip t o '{ type filter hook output priority mangle; }'
must ip netns exec "$R" nft add rule ip t o ip protocol gre meta mark set 0x10
snap selector-nft
must ip netns exec "$R" nft delete table ip t
must ip netns exec "$R" iptables -t mangle -A OUTPUT -p gre -j MARK --set-mark 0x10
snap selector-iptables
must ip netns exec "$R" iptables -t mangle -F OUTPUT
must ip -n "$R" xfrm state add src 198.51.100.1 dst 198.51.100.2 proto esp spi 0x100 \
	mode tunnel aead 'rfc4106(gcm(aes))' "$ESP_KEY" 128 output-mark 0x10
snap selector-sa

# df_mark with bits outside df_mask
knobs df_mark=0x100
snap mark-outside

# a DHCP server behind an IKE-style covering policy, the ip rule there
new_case
knobs dhcp_remark=1
must ip -n "$R" rule add fwmark 0x800 table 20
must ip -n "$R" xfrm policy add src 198.51.100.1/32 dst 198.51.100.0/24 dir out \
	priority 2000 tmpl src 198.51.100.1 dst 198.51.100.2 proto esp mode tunnel
snap dhcp-policy

# a rule that looks at fewer bits than tunfix sets: it matches
new_case
knobs dhcp_remark=1 dhcp_mark=0x900 dhcp_mask=0xf00
must ip -n "$R" rule add fwmark 0x800/0x800 table 20
snap dhcp-rule-masked

# strongSwan's bypass-lan: a passthrough for the whole LAN ahead of a
# CHILD_SA's policy that covers a client (the priorities charon gave them
# in tests/netns/38-ike-dhcp-policy-based.sh): DHCP replies leave in clear
# without tunfix, and doctor says it is not needed
new_case
knobs dhcp_remark=1
must ip -n "$R" rule add fwmark 0x800 table 20
must ip -n "$R" xfrm policy add src 198.51.100.1/32 dst 198.51.100.2/32 dir out \
	priority 367231 tmpl src 198.51.100.1 dst 198.51.100.2 proto esp mode tunnel
must ip -n "$R" xfrm policy add src 198.51.100.0/24 dst 198.51.100.0/24 dir out \
	priority 175423 action allow
snap dhcp-bypass-lan

# clean: every area has something to look at, and nothing is wrong
new_case
gretap_bridged "nopmtudisc ignore-df"
must ip -n "$R" -batch - <<EOF
link add gt6 type ip6gretap local 2001:db8:1::1 remote 2001:db8:1::2
link set gt6 master br0
link add gre1 type gre local 198.51.100.1 remote 198.51.100.2
rule add fwmark 0x800 table 20
EOF
must ip -n "$R" xfrm policy add src 198.51.100.1/32 dst 198.51.100.0/24 dir out \
	priority 2000 tmpl src 198.51.100.1 dst 198.51.100.2 proto esp mode tunnel
must ip -n "$R" xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 proto udp sport 67 dport 68 \
	dir out priority 1999 action allow
must ip netns exec "$R" nft add table ip t
must ip netns exec "$R" nft add chain ip t o '{ type filter hook output priority mangle; }'
must ip netns exec "$R" nft add rule ip t o ip protocol gre meta mark set 0x10
knobs df_egress=1 df_bridge=1 df_mark=0x10 df_mask=0xff dhcp_remark=1 df_dev=gre1
snap clean

exit_with_result

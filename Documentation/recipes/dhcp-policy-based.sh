# SPDX-License-Identifier: GPL-2.0
#
# Recipe: a DHCP server with an IPsec policy (no xfrm interface) whose
# selectors cover a client.  Run the functions on the DHCP server (as
# root); the guest test suite runs exactly these functions.
#
#   DHCP server                                          client
#   192.0.2.1 eth0 ------------ LAN ------------ eth0 192.0.2.10 (leased)
#   policy: 192.0.2.1 -> 192.0.2.10, any protocol: ESP (tunnel mode)
#
# The client's DHCP software listens on its raw interface (eth0).  Its
# renewals are unicast to the server, which answers through its UDP socket;
# the IPsec policy captures that reply like any other packet to the client
# and it leaves as ESP, which the client's DHCP software never sees.
#
# Routing is not the problem here: the route to the client already leaves
# through eth0.  The reply has to get around the IPsec policy.  Three ways:
#   1. dhcp_bypass_mark_setup: tunfix marks DHCP replies, and an allow
#      policy keyed on that mark (and on the DHCP ports) outranks the IPsec
#      policy;
#   2. tunfix_xfrm_bypass_setup: tunfix routes its marked DHCP replies
#      without any IPsec policy lookup (dhcp_xfrm_bypass), no policy needed;
#   3. plain_bypass_setup: without tunfix, an allow policy on the DHCP
#      ports alone (any process's UDP 67 -> 68 datagram then leaves in
#      clear).

# ipsec_policy_setup SERVER_IP CLIENT_IP SPI KEY
#   Not part of the fix: what an IKE daemon installs on the server in this
#   scenario, here with static keys (KEY: 0x and 40 hex digits).  IKE
#   daemons give their policies large priority numbers; the lower number
#   wins, so an administrator's bypass with a small number outranks them.
ipsec_policy_setup()
{
	local server=$1 client=$2 spi=$3 key=$4

	ip xfrm state add src "$server" dst "$client" proto esp spi "$spi" \
		mode tunnel aead 'rfc4106(gcm(aes))' "$key" 128
	ip xfrm policy add src "$server/32" dst "$client/32" dir out \
		priority 2000 \
		tmpl src "$server" dst "$client" proto esp mode tunnel
}

# dhcp_bypass_mark_setup SERVER_IP LAN_NET
#   tunfix marks DHCP replies 0x800 and routes them again; the IPsec lookup
#   after that re-route finds this allow policy (no template: the packet
#   leaves in clear), which only packets with mark 0x800 match.
dhcp_bypass_mark_setup()
{
	local server=$1 net=$2

	modprobe tunfix 2>/dev/null || true
	sysctl -w net.tunfix.dhcp_mark=0x800 net.tunfix.dhcp_remark=1
	ip xfrm policy add src "$server/32" dst "$net" \
		proto udp sport 67 dport 68 dir out \
		mark 0x800 mask 0xffffffff priority 10
}

# dhcp_bypass_mark_teardown SERVER_IP LAN_NET
#   Undo dhcp_bypass_mark_setup.
dhcp_bypass_mark_teardown()
{
	local server=$1 net=$2

	sysctl -w net.tunfix.dhcp_remark=0
	ip xfrm policy del src "$server/32" dst "$net" \
		proto udp sport 67 dport 68 dir out mark 0x800 mask 0xffffffff
}

# tunfix_xfrm_bypass_setup LAN_DEV
#   tunfix marks DHCP replies whose route leaves through LAN_DEV and routes
#   them again without an IPsec policy lookup.  No policy to manage; only
#   well-formed DHCP replies (BOOTREPLY with the magic cookie, UDP 67 to
#   68, not fragmented) sent by this host qualify.
tunfix_xfrm_bypass_setup()
{
	local lan=$1

	modprobe tunfix 2>/dev/null || true
	sysctl -w net.tunfix.dhcp_dev="$lan" net.tunfix.dhcp_xfrm_bypass=1 \
		net.tunfix.dhcp_remark=1
}

# tunfix_xfrm_bypass_teardown
#   Undo tunfix_xfrm_bypass_setup.
tunfix_xfrm_bypass_teardown()
{
	sysctl -w net.tunfix.dhcp_remark=0 net.tunfix.dhcp_xfrm_bypass=0 \
		net.tunfix.dhcp_dev=
}

# plain_bypass_setup SERVER_IP LAN_NET
#   Without tunfix: an allow policy on the DHCP ports alone.  Enough for
#   this scenario, but it lets any local UDP 67 -> 68 datagram out in
#   clear, DHCP or not, and it does not help the route-based scenario.
plain_bypass_setup()
{
	local server=$1 net=$2

	ip xfrm policy add src "$server/32" dst "$net" \
		proto udp sport 67 dport 68 dir out priority 10
}

# plain_bypass_teardown SERVER_IP LAN_NET
#   Undo plain_bypass_setup.
plain_bypass_teardown()
{
	local server=$1 net=$2

	ip xfrm policy del src "$server/32" dst "$net" \
		proto udp sport 67 dport 68 dir out
}

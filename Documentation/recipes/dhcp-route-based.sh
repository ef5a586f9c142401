# SPDX-License-Identifier: GPL-2.0
#
# Recipe: a DHCP server whose route to its clients goes through an xfrm
# interface (route-based IPsec).  Run the functions on the DHCP server (as
# root); the guest test suite runs exactly these functions.
#
#   DHCP server                                          client
#   192.0.2.1 eth0 ------------ LAN ------------ eth0 192.0.2.10 (leased)
#             ipsec0 (xfrm, if_id 42): the host route to 192.0.2.10
#
# The client's DHCP software listens on its raw interface (eth0).  Its
# renewals are unicast to the server, which answers through its UDP socket;
# that reply is routed like any other packet to 192.0.2.10: into ipsec0,
# where the client never sees it.  The lease runs out.
#
# tunfix marks the server's DHCP replies (UDP 67 to 68) whose route leaves
# through ipsec0 and routes them again; an "ip rule" sends the mark to a
# table with a route out of the LAN device.  Everything else to the client
# still goes through ipsec0.

# ipsec_xfrmi_setup LAN_DEV LAN_NET SERVER_IP CLIENT_IP IF_ID SPI KEY
#   Not part of the fix: what an IKE daemon and the network scripts set up
#   on the server in this scenario, here with static keys.  ipsec0 on
#   LAN_DEV, an ESP tunnel-mode SA to the client (KEY: 0x and 40 hex
#   digits) and its policy, then the routes of xfrmi_route_setup.  An IKE
#   daemon installs the SA and the policy itself (strongSwan:
#   recipes/strongswan/swanctl-dhcp-route.conf, with xfrmi_link_setup
#   before and xfrmi_route_setup after it).
ipsec_xfrmi_setup()
{
	local lan=$1 net=$2 server=$3 client=$4 if_id=$5 spi=$6 key=$7

	xfrmi_link_setup "$lan" "$if_id"
	ip xfrm state add src "$server" dst "$client" proto esp spi "$spi" \
		mode tunnel if_id "$if_id" output-mark 0x1 \
		aead 'rfc4106(gcm(aes))' "$key" 128
	ip xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir out if_id "$if_id" \
		tmpl src "$server" dst "$client" proto esp mode tunnel
	xfrmi_route_setup "$lan" "$net" "$client"
}

# xfrmi_link_setup LAN_DEV IF_ID
#   The xfrm interface ipsec0 on LAN_DEV, for the SAs and policies whose
#   interface ID is IF_ID.
xfrmi_link_setup()
{
	local lan=$1 if_id=$2

	ip link add ipsec0 type xfrm dev "$lan" if_id "$if_id"
	ip link set ipsec0 up
}

# xfrmi_route_setup LAN_DEV LAN_NET CLIENT_IP [XFRM_DEV]
#   The host route to the client through XFRM_DEV (default ipsec0).  The
#   ESP packets go to the client's address as well: the SA's output mark
#   0x1 ("output-mark 0x1", swanctl's set_mark_out; Libreswan gives its SAs
#   the interface ID as output mark, 1 for ipsec-interface=1) and table 30
#   send them out of LAN_DEV instead of back into XFRM_DEV.
xfrmi_route_setup()
{
	local lan=$1 net=$2 client=$3 xfrm=${4:-ipsec0}

	ip rule add fwmark 0x1 table 30
	ip route add "$net" dev "$lan" table 30
	ip route add "$client/32" dev "$xfrm"
}

# tunfix_dhcp_route_setup LAN_DEV LAN_NET [XFRM_DEV]
#   The fix.  DHCP replies that would leave through XFRM_DEV (default
#   ipsec0) get mark 0x800 (the whole mark: dhcp_mask is 0xffffffff by
#   default) and are routed again; mark 0x800 selects table 20, which
#   reaches the LAN directly.
tunfix_dhcp_route_setup()
{
	local lan=$1 net=$2 xfrm=${3:-ipsec0}

	modprobe tunfix 2>/dev/null || true
	sysctl -w net.tunfix.dhcp_mark=0x800 net.tunfix.dhcp_dev="$xfrm" \
		net.tunfix.dhcp_remark=1
	ip rule add fwmark 0x800 table 20
	ip route add "$net" dev "$lan" table 20
}

# tunfix_dhcp_route_teardown LAN_NET
#   Undo tunfix_dhcp_route_setup.
tunfix_dhcp_route_teardown()
{
	local net=$1

	sysctl -w net.tunfix.dhcp_remark=0
	ip rule del fwmark 0x800 table 20
	ip route del "$net" table 20
}

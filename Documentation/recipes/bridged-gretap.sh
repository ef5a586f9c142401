# SPDX-License-Identifier: GPL-2.0
#
# Recipe: two sites bridged at layer 2 over gretap, optionally with ESP
# transport mode protecting the GRE packets.  Run the functions on each
# router (as root); the guest test suite runs exactly these functions.
#
#   host A --- [LAN] br0 [gt0] ~~~ underlay ~~~ [gt0] br0 [LAN] --- host B
#
# Without tunfix, a full-size frame with DF set in its IPv4 header is
# dropped by the tunnel driver (it does not fit once the GRE and outer IP
# headers are added, and nobody receives the ICMP "fragmentation needed"),
# and a full-size frame without DF leaves as an outer packet with DF that
# does not fit the underlay.  tunfix clears DF in frames leaving the bridge
# through gt0 (df_bridge) and on the outer GRE/ESP packets, with a fresh IP
# ID from the kernel's ID generator (df_egress): the outer packets are
# fragmented and reassembled by the peer.

# gretap_bridge_setup LAN_DEV LOCAL_IP REMOTE_IP
#   Bridge LAN_DEV with a gretap to the peer router.  The gretap keeps the
#   default flags (pmtudisc); its MTU is raised to 1500 so the bridge
#   passes full-size frames into the tunnel.
gretap_bridge_setup()
{
	local lan=$1 local_ip=$2 remote_ip=$3

	ip link add gt0 type gretap local "$local_ip" remote "$remote_ip"
	ip link set gt0 mtu 1500
	ip link add br0 type bridge
	ip link set "$lan" master br0
	ip link set gt0 master br0
	ip link set "$lan" up
	ip link set gt0 up
	ip link set br0 up
}

# esp_transport_setup LOCAL_IP REMOTE_IP OUT_SPI IN_SPI KEY
#   ESP in transport mode for the GRE packets between the two routers,
#   with static keys (KEY: 0x and 40 hex digits, the same on both routers;
#   the SPIs swapped on the peer).  Use an IKE daemon in production.
esp_transport_setup()
{
	local l=$1 r=$2 out_spi=$3 in_spi=$4 key=$5

	ip xfrm state add src "$l" dst "$r" proto esp spi "$out_spi" \
		mode transport aead 'rfc4106(gcm(aes))' "$key" 128
	ip xfrm state add src "$r" dst "$l" proto esp spi "$in_spi" \
		mode transport aead 'rfc4106(gcm(aes))' "$key" 128
	ip xfrm policy add src "$l" dst "$r" proto gre dir out \
		tmpl src "$l" dst "$r" proto esp mode transport
	ip xfrm policy add src "$r" dst "$l" proto gre dir in \
		tmpl src "$r" dst "$l" proto esp mode transport
}

# tunfix_bridged_enable
#   Load tunfix and turn on what this scenario needs in this namespace.
tunfix_bridged_enable()
{
	modprobe tunfix 2>/dev/null || true
	sysctl -q -w net.tunfix.df_bridge=1
	sysctl -q -w net.tunfix.df_egress=1
}

# tunfix_nat_t_enable
#   With a NAT between the routers, the IKE daemon puts ESP into UDP
#   (NAT-T, port 4500).  In transport mode the ESP-in-UDP packet keeps
#   the IP header of the GRE packet, which df_egress has already fixed
#   before IPsec (GRE is in df_protocols by default): nothing more is
#   needed.  Where GRE is left out of df_protocols (df_protocols=50, to
#   leave plain GRE tunnels alone), list port 4500, so that the
#   ESP-in-UDP packets are fixed.
tunfix_nat_t_enable()
{
	sysctl -q -w net.tunfix.df_udp_ports=4500
}

# native_ignore_df_setup
#   The alternative without tunfix: let gt0 ignore the inner DF and leave
#   DF off the outer header (Linux 4.8+).  The outer packets then get
#   their IDs from the kernel as usual.
native_ignore_df_setup()
{
	ip link set gt0 type gretap nopmtudisc ignore-df
}

# SPDX-License-Identifier: GPL-2.0
#
# Recipe: the mark that ipsec-per-sa-mark.conf's "marked" connection
# matches (mark-out=0x10/0xff), given to the packets that belong in it.
# Run the function on each host (as root) before the connection is up; the
# guest test suite (tests/netns/29-lswan-per-sa-mark.sh) runs exactly this
# function on both, then recipes/strongswan/per-sa-mark.sh's
# tunfix_per_sa_enable on the sending host: tunfix selects the same mark.

# lswan_icmp_mark_setup PEER
#   An nft table tunfix_per_sa: ICMP to PEER gets mark 0x10 in a "route"
#   output chain, so the kernel looks the route and the IPsec policy up
#   again with the mark.  Undo: nft delete table ip tunfix_per_sa.
lswan_icmp_mark_setup()
{
	nft -f - <<-NFT
	table ip tunfix_per_sa {
		chain out {
			type route hook output priority mangle;
			ip daddr $1 meta l4proto icmp meta mark set mark and 0xffffff00 or 0x10
		}
	}
	NFT
}

# SPDX-License-Identifier: GPL-2.0
#
# Recipe: tunfix on the ESP packets of one CHILD_SA only, the one that
# swanctl-per-sa-mark.conf gives an output mark (set_mark_out = 0x10).
# Run the function on the host that sends (as root); the guest test suite
# (tests/netns/29-ike-per-sa-mark.sh) runs exactly this function.

# tunfix_per_sa_enable
#   df_egress on the output hook, for ESP, and only for packets whose mark
#   has 0x10 in its low byte.  Other SAs' packets (and GRE, and the rest)
#   are left alone.
tunfix_per_sa_enable()
{
	modprobe tunfix 2>/dev/null || true
	sysctl -w net.tunfix.df_protocols=50 net.tunfix.df_mark=0x10 \
		net.tunfix.df_mask=0xff net.tunfix.df_egress=1
}

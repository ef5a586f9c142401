/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tunfix: every difference between kernel versions lives here, so the rest
 * of the module reads as if written for one kernel.  Kbuild probes the
 * kernel headers and defines TUNFIX_HAVE_* for what it finds.
 */
#ifndef _TUNFIX_COMPAT_H
#define _TUNFIX_COMPAT_H

#include <linux/proc_fs.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

/* Sysctl handlers take a const table since 6.11. */
#ifdef TUNFIX_HAVE_CONST_CTL_TABLE
#define TUNFIX_CTL_TABLE const struct ctl_table
#else
#define TUNFIX_CTL_TABLE struct ctl_table
#endif

/* register_net_sysctl_sz() since 6.5, register_net_sysctl() before. */
#ifdef TUNFIX_HAVE_REGISTER_NET_SYSCTL_SZ
#define tunfix_register_net_sysctl(net, path, table, n) \
	register_net_sysctl_sz(net, path, table, n)
#else
#define tunfix_register_net_sysctl(net, path, table, n) \
	register_net_sysctl(net, path, table)
#endif

/* pde_data() since 5.17, PDE_DATA() before. */
#ifdef TUNFIX_HAVE_PDE_DATA
#define tunfix_pde_data(inode) pde_data(inode)
#else
#define tunfix_pde_data(inode) PDE_DATA(inode)
#endif

#endif /* _TUNFIX_COMPAT_H */

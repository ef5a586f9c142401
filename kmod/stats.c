// SPDX-License-Identifier: GPL-2.0
/*
 * tunfix: per-netns counters in /proc/net/tunfix.
 *
 * Counters are per CPU and summed when the file is read.  Writing "0"
 * resets them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/seq_file_net.h>
#include <linux/string.h>

#include "core.h"

#define TUNFIX_COUNTER_NAME(id, name, desc)				\
	[TUNFIX_CNT_##id] = #name,
static const char *const tunfix_counter_names[] = {
	TUNFIX_COUNTER_LIST(TUNFIX_COUNTER_NAME)
};

static int tunfix_proc_show(struct seq_file *seq, void *v)
{
	struct tunfix_net *tn = tunfix_pernet(seq_file_single_net(seq));
	u64 sum[__TUNFIX_CNT_MAX] = {};
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct tunfix_stats *s = per_cpu_ptr(tn->stats, cpu);

		for (i = 0; i < __TUNFIX_CNT_MAX; i++)
			sum[i] += READ_ONCE(s->cnt[i]);
	}
	for (i = 0; i < __TUNFIX_CNT_MAX; i++)
		seq_printf(seq, "%s %llu\n", tunfix_counter_names[i], sum[i]);
	return 0;
}

static int tunfix_proc_write(struct file *file, char *buf, size_t size)
{
	struct net *net = seq_file_single_net(file->private_data);
	struct tunfix_net *tn = tunfix_pernet(net);
	int cpu, i;

	if (!ns_capable(net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (strcmp(strim(buf), TUNFIX_PROC_RESET))
		return -EINVAL;

	for_each_possible_cpu(cpu) {
		struct tunfix_stats *s = per_cpu_ptr(tn->stats, cpu);

		for (i = 0; i < __TUNFIX_CNT_MAX; i++)
			WRITE_ONCE(s->cnt[i], 0);
	}
	return 0;
}

int tunfix_proc_init(struct tunfix_net *tn)
{
	if (!proc_create_net_single_write(TUNFIX_PROC_NAME, 0644,
					  tn->net->proc_net, tunfix_proc_show,
					  tunfix_proc_write, NULL))
		return -ENOMEM;
	return 0;
}

void tunfix_proc_exit(struct tunfix_net *tn)
{
	remove_proc_entry(TUNFIX_PROC_NAME, tn->net->proc_net);
}

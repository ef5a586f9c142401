// SPDX-License-Identifier: GPL-2.0
/*
 * tunfix: per-netns counters in /proc/net/tunfix.
 *
 * Counters are per CPU and summed when the file is read.  Writing "0"
 * resets them.  A namespace gets them when a feature is first turned on
 * (tunfix_cfg_set()); until then every counter reads 0.  The file's proc
 * entry carries its namespace's state, as each sysctl table does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "core.h"

#define TUNFIX_COUNTER_NAME(id, name, desc)				\
	[TUNFIX_CNT_##id] = #name,
static const char *const tunfix_counter_names[] = {
	TUNFIX_COUNTER_LIST(TUNFIX_COUNTER_NAME)
};

/*
 * The sums over all CPUs, u64_stats_fetch_begin() for whole values; all 0
 * if the namespace has no counters yet.  Called with @tn->lock held.
 */
static void tunfix_stats_sum(struct tunfix_net *tn, u64 *sum)
{
	u64 v[__TUNFIX_CNT_MAX];
	unsigned int start;
	int cpu, i;

	lockdep_assert_held(&tn->lock);
	memset(sum, 0, __TUNFIX_CNT_MAX * sizeof(*sum));
	if (!tn->stats)
		return;
	for_each_possible_cpu(cpu) {
		const struct tunfix_stats *s = per_cpu_ptr(tn->stats, cpu);

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < __TUNFIX_CNT_MAX; i++)
				v[i] = u64_stats_read(&s->cnt[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < __TUNFIX_CNT_MAX; i++)
			sum[i] += v[i];
	}
}

/* The namespace of a /proc/net/tunfix file: its entry's data. */
static struct tunfix_net *tunfix_proc_tn(const struct file *file)
{
	return tunfix_pde_data(file_inode(file));
}

static int tunfix_proc_show(struct seq_file *seq, void *v)
{
	struct tunfix_net *tn = tunfix_proc_tn(seq->file);
	u64 sum[__TUNFIX_CNT_MAX];
	int i;

	mutex_lock(&tn->lock);
	tunfix_stats_sum(tn, sum);
	for (i = 0; i < __TUNFIX_CNT_MAX; i++)
		seq_printf(seq, "%s %llu\n", tunfix_counter_names[i],
			   sum[i] - tn->stats_base[i]);
	mutex_unlock(&tn->lock);
	return 0;
}

/*
 * A reset does not write other CPUs' counters (that would race with their
 * updates): it remembers the sums, and reads subtract them.
 */
static int tunfix_proc_write(struct file *file, char *buf, size_t size)
{
	struct tunfix_net *tn = tunfix_proc_tn(file);
	u64 sum[__TUNFIX_CNT_MAX];

	if (!ns_capable(tn->net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (strcmp(strim(buf), TUNFIX_PROC_RESET))
		return -EINVAL;

	mutex_lock(&tn->lock);
	tunfix_stats_sum(tn, sum);
	memcpy(tn->stats_base, sum, sizeof(sum));
	mutex_unlock(&tn->lock);
	return 0;
}

/**
 * tunfix_stats_init - allocate the per-CPU counters of a namespace
 * @tn: the namespace, its lock held
 *
 * Return: 0, or -ENOMEM.
 */
int tunfix_stats_init(struct tunfix_net *tn)
{
	int cpu;

	tn->stats = alloc_percpu(struct tunfix_stats);
	if (!tn->stats)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(tn->stats, cpu)->syncp);
	return 0;
}

int tunfix_proc_init(struct tunfix_net *tn)
{
	if (!proc_create_net_single_write(TUNFIX_PROC_NAME, 0644,
					  tn->net->proc_net, tunfix_proc_show,
					  tunfix_proc_write, tn))
		return -ENOMEM;
	return 0;
}

void tunfix_proc_exit(struct tunfix_net *tn)
{
	remove_proc_entry(TUNFIX_PROC_NAME, tn->net->proc_net);
}

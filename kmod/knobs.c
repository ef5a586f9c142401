// SPDX-License-Identifier: GPL-2.0
/*
 * tunfix: knobs - parsing and formatting of settings, the module parameters
 * that seed every new network namespace, and the per-netns sysctl table.
 * Every knob comes from <linux/tunfix_knobs.h>.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysctl.h>

#include "core.h"

const struct tunfix_knob_desc tunfix_knobs[__TUNFIX_KNOB_MAX] = {
#define TUNFIX_KNOB(id, name_, type_, min_, max_, def_, desc_)		\
	[TUNFIX_KNOB_##id] = {						\
		.name = #name_,						\
		.def = def_,						\
		.type = type_,						\
		.min = min_,						\
		.max = max_,						\
	},
#include <linux/tunfix_knobs.h>
#undef TUNFIX_KNOB
};

static int tunfix_parse_u32(const struct tunfix_knob_desc *desc,
			    const char *str, u32 *val)
{
	u32 v;

	if (kstrtou32(str, 0, &v))
		return -EINVAL;
	if (v < desc->min || v > desc->max)
		return -EINVAL;
	*val = v;
	return 0;
}

/* "47,50" (commas and/or blanks between numbers) into a bitmap. */
static int tunfix_parse_protos(const char *str, unsigned long *protos)
{
	DECLARE_BITMAP(set, 256);
	char num[4];
	size_t n;
	u8 proto;

	bitmap_zero(set, 256);
	for (;;) {
		str = skip_spaces(str);
		while (*str == ',')
			str = skip_spaces(str + 1);
		if (!*str)
			break;
		n = strspn(str, "0123456789");
		if (n == 0 || n >= sizeof(num))
			return -EINVAL;
		memcpy(num, str, n);
		num[n] = '\0';
		if (kstrtou8(num, 10, &proto) || proto == 0 ||
		    proto == TUNFIX_PROTO_AH)
			return -EINVAL;
		__set_bit(proto, set);
		str += n;
		if (*str && *str != ',' && !isspace(*str))
			return -EINVAL;
	}
	bitmap_copy(protos, set, 256);
	return 0;
}

static int tunfix_parse_ifname(const char *str, char *ifname)
{
	const char *c;

	if (*str && !dev_valid_name(str))
		return -EINVAL;
	/* dev_valid_name() lets control characters through: not here. */
	for (c = str; *c; c++)
		if (*c < 0x21 || *c > 0x7e)
			return -EINVAL;
	strscpy(ifname, str, IFNAMSIZ);
	return 0;
}

/**
 * tunfix_knob_parse - parse a knob value into a settings block
 * @knob: which knob
 * @str: the value, NUL terminated, without a trailing newline
 * @cfg: settings to change; left untouched on error
 *
 * Return: 0, or -EINVAL if @str is not a valid value for @knob.
 */
int tunfix_knob_parse(enum tunfix_knob knob, const char *str,
		      struct tunfix_cfg *cfg)
{
	const struct tunfix_knob_desc *desc = &tunfix_knobs[knob];

	switch (desc->type) {
	case TUNFIX_KT_BOOL:
	case TUNFIX_KT_U32:
	case TUNFIX_KT_HEX:
		return tunfix_parse_u32(desc, str, &cfg->val[knob]);
	case TUNFIX_KT_PROTOS:
		return tunfix_parse_protos(str, cfg->protos);
	case TUNFIX_KT_IFNAME:
		return tunfix_parse_ifname(str, cfg->ifname[knob]);
	}
	return -EINVAL;
}

/**
 * tunfix_knob_format - print a knob's value the way it is read back
 * @knob: which knob
 * @cfg: the settings
 * @buf: output buffer
 * @len: size of @buf
 *
 * Return: the number of characters written, as scnprintf().
 */
int tunfix_knob_format(enum tunfix_knob knob, const struct tunfix_cfg *cfg,
		       char *buf, size_t len)
{
	const struct tunfix_knob_desc *desc = &tunfix_knobs[knob];
	unsigned int proto;
	int n = 0;

	switch (desc->type) {
	case TUNFIX_KT_BOOL:
	case TUNFIX_KT_U32:
		return scnprintf(buf, len, "%u", cfg->val[knob]);
	case TUNFIX_KT_HEX:
		return scnprintf(buf, len, "%#x", cfg->val[knob]);
	case TUNFIX_KT_PROTOS:
		buf[0] = '\0';
		for_each_set_bit(proto, cfg->protos, 256)
			n += scnprintf(buf + n, len - n, "%s%u",
				       n ? "," : "", proto);
		return n;
	case TUNFIX_KT_IFNAME:
		return scnprintf(buf, len, "%s", cfg->ifname[knob]);
	}
	return 0;
}

/*
 * Module parameters: the values a new network namespace starts with.  They
 * are read-only once the module is loaded; each is checked by the same
 * parser as the sysctls, so a bad one makes the load fail with EINVAL.
 */
static char tunfix_param_val[__TUNFIX_KNOB_MAX][TUNFIX_KNOB_MAXLEN] = {
#define TUNFIX_KNOB(id, name, type, min, max, def, desc)		\
	[TUNFIX_KNOB_##id] = def,
#include <linux/tunfix_knobs.h>
#undef TUNFIX_KNOB
};

static int tunfix_param_set(const char *val, const struct kernel_param *kp)
{
	const struct tunfix_knob_desc *desc = kp->arg;
	enum tunfix_knob knob = desc - tunfix_knobs;
	char buf[TUNFIX_KNOB_MAXLEN];
	struct tunfix_cfg *scratch;
	size_t len = strlen(val);
	int err;

	if (len && val[len - 1] == '\n')
		len--;
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, val, len);
	buf[len] = '\0';

	scratch = kzalloc(sizeof(*scratch), GFP_KERNEL);
	if (!scratch)
		return -ENOMEM;
	err = tunfix_knob_parse(knob, buf, scratch);
	kfree(scratch);
	if (err) {
		pr_err("invalid value \"%s\" for parameter %s\n", buf,
		       desc->name);
		return err;
	}
	strscpy(tunfix_param_val[knob], buf, TUNFIX_KNOB_MAXLEN);
	return 0;
}

static int tunfix_param_get(char *buffer, const struct kernel_param *kp)
{
	const struct tunfix_knob_desc *desc = kp->arg;

	return sysfs_emit(buffer, "%s\n",
			  tunfix_param_val[desc - tunfix_knobs]);
}

static const struct kernel_param_ops tunfix_param_ops = {
	.set = tunfix_param_set,
	.get = tunfix_param_get,
};

/*
 * One parameter per knob, of the same name.  Parameter names must be
 * identifiers here; the guest suite checks this list against the knobs.
 */
#define TUNFIX_PARAM(name, id)						\
	module_param_cb(name, &tunfix_param_ops,			\
			(void *)&tunfix_knobs[TUNFIX_KNOB_##id], 0444)

TUNFIX_PARAM(df_egress, DF_EGRESS);
MODULE_PARM_DESC(df_egress, "Default of net.tunfix.df_egress (0|1)");
TUNFIX_PARAM(df_transit, DF_TRANSIT);
MODULE_PARM_DESC(df_transit, "Default of net.tunfix.df_transit (0|1)");
TUNFIX_PARAM(df_bridge, DF_BRIDGE);
MODULE_PARM_DESC(df_bridge, "Default of net.tunfix.df_bridge (0|1)");
TUNFIX_PARAM(df_protocols, DF_PROTOCOLS);
MODULE_PARM_DESC(df_protocols, "Default of net.tunfix.df_protocols (list of IP protocols)");
TUNFIX_PARAM(df_esp_in_udp, DF_ESP_IN_UDP);
MODULE_PARM_DESC(df_esp_in_udp, "Default of net.tunfix.df_esp_in_udp (0|1)");
TUNFIX_PARAM(df_min_len, DF_MIN_LEN);
MODULE_PARM_DESC(df_min_len, "Default of net.tunfix.df_min_len (bytes)");
TUNFIX_PARAM(df_dev, DF_DEV);
MODULE_PARM_DESC(df_dev, "Default of net.tunfix.df_dev (device name)");
TUNFIX_PARAM(df_bridge_dev, DF_BRIDGE_DEV);
MODULE_PARM_DESC(df_bridge_dev, "Default of net.tunfix.df_bridge_dev (device name)");
TUNFIX_PARAM(dhcp_remark, DHCP_REMARK);
MODULE_PARM_DESC(dhcp_remark, "Default of net.tunfix.dhcp_remark (0|1)");
TUNFIX_PARAM(dhcp_remark_all, DHCP_REMARK_ALL);
MODULE_PARM_DESC(dhcp_remark_all, "Default of net.tunfix.dhcp_remark_all (0|1)");
TUNFIX_PARAM(dhcp_mark, DHCP_MARK);
MODULE_PARM_DESC(dhcp_mark, "Default of net.tunfix.dhcp_mark (u32)");
TUNFIX_PARAM(dhcp_mask, DHCP_MASK);
MODULE_PARM_DESC(dhcp_mask, "Default of net.tunfix.dhcp_mask (u32)");
TUNFIX_PARAM(dhcp_dev, DHCP_DEV);
MODULE_PARM_DESC(dhcp_dev, "Default of net.tunfix.dhcp_dev (device name)");
TUNFIX_PARAM(dhcp_xfrm_bypass, DHCP_XFRM_BYPASS);
MODULE_PARM_DESC(dhcp_xfrm_bypass, "Default of net.tunfix.dhcp_xfrm_bypass (0|1)");

/**
 * tunfix_cfg_new_default - settings for a new network namespace
 *
 * Return: a new settings block from the module parameters, or NULL.
 */
struct tunfix_cfg *tunfix_cfg_new_default(void)
{
	struct tunfix_cfg *cfg;
	int knob;

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return NULL;
	for (knob = 0; knob < __TUNFIX_KNOB_MAX; knob++) {
		if (tunfix_knob_parse(knob, tunfix_param_val[knob], cfg)) {
			/* only if a default in the uapi header is wrong */
			pr_err("bad default for %s\n", tunfix_knobs[knob].name);
			kfree(cfg);
			return NULL;
		}
	}
	return cfg;
}

static int tunfix_sysctl_handler(TUNFIX_CTL_TABLE *table, int write,
				 void *buffer, size_t *lenp, loff_t *ppos)
{
	const struct tunfix_knob_desc *desc = table->extra1;
	enum tunfix_knob knob = desc - tunfix_knobs;
	struct tunfix_net *tn = table->data;
	char buf[TUNFIX_KNOB_MAXLEN];
	struct ctl_table tmp = {
		.data = buf,
		.maxlen = sizeof(buf),
	};
	struct tunfix_cfg *new;
	size_t len = *lenp;
	int err;

	if (!write) {
		rcu_read_lock();
		tunfix_knob_format(knob, rcu_dereference(tn->cfg), buf,
				   sizeof(buf));
		rcu_read_unlock();
		return proc_dostring(&tmp, 0, buffer, lenp, ppos);
	}

	/* A value is written whole, at offset 0, or not at all. */
	if (*ppos)
		return -EINVAL;
	if (len && ((char *)buffer)[len - 1] == '\n')
		len--;
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, buffer, len);
	buf[len] = '\0';
	if (strlen(buf) != len)
		return -EINVAL;

	mutex_lock(&tn->lock);
	new = kmemdup(rcu_dereference_protected(tn->cfg,
						lockdep_is_held(&tn->lock)),
		      sizeof(*new), GFP_KERNEL);
	if (!new) {
		err = -ENOMEM;
	} else {
		err = tunfix_knob_parse(knob, buf, new);
		if (err)
			kfree(new);
		else
			err = tunfix_cfg_set(tn, new);
	}
	mutex_unlock(&tn->lock);

	if (!err)
		*ppos += *lenp;
	return err;
}

static const struct ctl_table tunfix_sysctl_template[] = {
#define TUNFIX_KNOB(id, name_, type, min, max, def, desc)		\
	{								\
		.procname = #name_,					\
		.maxlen = TUNFIX_KNOB_MAXLEN,				\
		.mode = 0644,						\
		.proc_handler = tunfix_sysctl_handler,			\
		.extra1 = (void *)&tunfix_knobs[TUNFIX_KNOB_##id],	\
	},
#include <linux/tunfix_knobs.h>
#undef TUNFIX_KNOB
	{ }
};

int tunfix_sysctl_register(struct tunfix_net *tn)
{
	struct ctl_table *table;
	int i;

	table = kmemdup(tunfix_sysctl_template, sizeof(tunfix_sysctl_template),
			GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	for (i = 0; i < __TUNFIX_KNOB_MAX; i++) {
		table[i].data = tn;
		/* Only the initial user namespace may change settings. */
		if (tn->net->user_ns != &init_user_ns)
			table[i].mode &= ~0222;
	}

	tn->sysctl_hdr = tunfix_register_net_sysctl(tn->net,
						    TUNFIX_SYSCTL_PATH, table,
						    __TUNFIX_KNOB_MAX);
	if (!tn->sysctl_hdr) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

void tunfix_sysctl_unregister(struct tunfix_net *tn)
{
	const struct ctl_table *table = tn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(tn->sysctl_hdr);
	kfree(table);
}

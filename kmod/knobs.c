// SPDX-License-Identifier: GPL-2.0
/*
 * tunfix: knobs - the knob table, and parsing and formatting of values.
 * Every knob comes from TUNFIX_KNOB_LIST in <linux/tunfix_knobs.h>.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/sysctl.h>

#include "core.h"

#define TUNFIX_KNOB_DESC(id, name_, type_, min_, max_, def_, desc_)	\
	[TUNFIX_KNOB_##id] = {						\
		.name = #name_,						\
		.def = def_,						\
		.type = type_,						\
		.min = min_,						\
		.max = max_,						\
	},
const struct tunfix_knob_desc tunfix_knobs[__TUNFIX_KNOB_MAX] = {
	TUNFIX_KNOB_LIST(TUNFIX_KNOB_DESC)
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

/* A list has at most one number per two characters: "1,2,3". */
#define TUNFIX_LIST_MAX		(TUNFIX_KNOB_MAXLEN / 2)

/*
 * "47,50" (commas and/or blanks between decimal numbers, each 1 to @max)
 * into @vals.  Return: how many numbers, or -EINVAL.
 */
static int tunfix_parse_list(const char *str, u32 max, u32 *vals)
{
	char num[11];
	int count = 0;
	size_t n;

	for (;;) {
		str = skip_spaces(str);
		while (*str == ',')
			str = skip_spaces(str + 1);
		if (!*str)
			return count;
		n = strspn(str, "0123456789");
		if (n == 0 || n >= sizeof(num) || count == TUNFIX_LIST_MAX)
			return -EINVAL;
		memcpy(num, str, n);
		num[n] = '\0';
		if (kstrtou32(num, 10, &vals[count]) || !vals[count] ||
		    vals[count] > max)
			return -EINVAL;
		count++;
		str += n;
		if (*str && *str != ',' && !isspace(*str))
			return -EINVAL;
	}
}

/* df_protocols: IP protocol numbers, AH never (see df.c). */
static int tunfix_parse_protos(const char *str, unsigned long *protos)
{
	u32 vals[TUNFIX_LIST_MAX];
	int i, n;

	n = tunfix_parse_list(str, U8_MAX, vals);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		if (vals[i] == TUNFIX_PROTO_AH)
			return -EINVAL;
	bitmap_zero(protos, 256);
	for (i = 0; i < n; i++)
		__set_bit(vals[i], protos);
	return 0;
}

static int tunfix_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* df_udp_ports: at most TUNFIX_PORTS_MAX different ports, kept sorted. */
static int tunfix_parse_ports(const char *str, struct tunfix_cfg *cfg)
{
	u32 vals[TUNFIX_LIST_MAX];
	int i, n, nports = 0;

	n = tunfix_parse_list(str, U16_MAX, vals);
	if (n < 0)
		return n;
	sort(vals, n, sizeof(vals[0]), tunfix_cmp_u32, NULL);
	for (i = 0; i < n; i++) {
		if (i && vals[i] == vals[i - 1])
			continue;
		if (nports == TUNFIX_PORTS_MAX)
			return -EINVAL;
		vals[nports++] = vals[i];
	}
	for (i = 0; i < nports; i++)
		cfg->ports[i] = htons(vals[i]);
	cfg->nports = nports;
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
 * tunfix_knob_copy - a written value as a string, without its newline
 * @buf: output, TUNFIX_KNOB_MAXLEN bytes
 * @val: what was written (not NUL terminated)
 * @len: its length in bytes
 *
 * Return: 0, or -EINVAL if the value is too long or holds a NUL.
 */
int tunfix_knob_copy(char *buf, const char *val, size_t len)
{
	if (len && val[len - 1] == '\n')
		len--;
	if (len >= TUNFIX_KNOB_MAXLEN || memchr(val, '\0', len))
		return -EINVAL;
	memcpy(buf, val, len);
	buf[len] = '\0';
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
	case TUNFIX_KT_PORTS:
		return tunfix_parse_ports(str, cfg);
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
	unsigned int proto, i;
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
	case TUNFIX_KT_PORTS:
		buf[0] = '\0';
		for (i = 0; i < cfg->nports; i++)
			n += scnprintf(buf + n, len - n, "%s%u", n ? "," : "",
				       ntohs(cfg->ports[i]));
		return n;
	}
	return 0;
}

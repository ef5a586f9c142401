// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl: errors and exit statuses, files under /proc and /sys, the
 * module's presence.
 *
 * For tests, TUNFIXCTL_PROC and TUNFIXCTL_SYS replace /proc and /sys.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tunfixctl.h"

/* One line on stderr, "tunfixctl: " first. */
void err(const char *fmt, ...)
{
	va_list ap;

	fputs("tunfixctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * The exit status for an error of the kernel or of I/O, given its errno
 * value e (positive), as tunfixctl(8) lists them.  EINVAL is what a sysctl
 * answers to a value it does not take (uapi/linux/tunfix.h).
 */
int exit_status(int e)
{
	switch (e) {
	case EINVAL:
		return EXIT_USAGE;
	case EACCES:
	case EPERM:
		return EXIT_PERM;
	default:
		return EXIT_IO;
	}
}

/* The value of environment variable env if set and not empty, else def. */
const char *path_root(const char *env, const char *def)
{
	const char *r = getenv(env);

	return r && *r ? r : def;
}

/* /proc/sys/net/tunfix/<knob>; knob "" gives the directory. */
void path_sysctl(char *buf, size_t len, const char *knob)
{
	snprintf(buf, len, "%s/sys/" TUNFIX_SYSCTL_PATH "/%s",
		 path_root("TUNFIXCTL_PROC", "/proc"), knob);
}

/*
 * Read a file into buf (len bytes with the NUL), without the trailing
 * newline.  Return: 0, or -errno.
 */
int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/*
 * Write val to a file in one write(), as sysctls and /proc/net/tunfix want
 * it (a write at an offset or in pieces is refused).
 * Return: 0, or -errno (-EIO for a short write).
 */
int write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, e;

	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	e = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) && !e)
		e = -errno;
	return e;
}

/* tunfix is loaded in a network namespace if it has /proc/sys/net/tunfix. */
bool module_loaded(void)
{
	char p[PATH_MAX];
	struct stat st;

	path_sysctl(p, sizeof(p), "");
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Return: EXIT_OK if the module is loaded, else says so: EXIT_NOT_LOADED. */
int require_module(void)
{
	if (module_loaded())
		return EXIT_OK;
	err("tunfix is not loaded%s%s (try: " MODPROBE_HINT ")",
	    netns_name ? " in netns " : "", netns_name ? netns_name : "");
	return EXIT_NOT_LOADED;
}

/* The loaded module's version (/sys/module/tunfix/version). -errno if none. */
int module_version(char *buf, size_t len)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/module/tunfix/version",
		 path_root("TUNFIXCTL_SYS", "/sys"));
	return read_file(p, buf, len);
}

/*
 * procmon: process starts from the kernel's netlink process connector, as JSON lines on stdout.
 *
 * Palisade's sensor (src/sensor/collectors/process.ts) runs this helper as root. It subscribes to
 * the process connector (NETLINK_CONNECTOR, CN_IDX_PROC) and, at every exec event, reads
 * /proc/PID/{exe,cmdline,status,stat} at once — before a short-lived process can exit — plus the
 * same of its parent, and writes one JSON object per line:
 *
 *   {"type":"exec","ts":<epoch µs>,"pid":N,"ppid":N,"uid":N,"start":<epoch µs>,"exe":"…",
 *    "dev":N,"ino":N,"size":N,"mtime":<epoch ns>,"cmdline":["…",…],"comm":"…",
 *    "parent":{"pid":N,"ppid":N,"uid":N,"start":…,"exe":"…","cmdline":[…],"comm":"…","dev":N,…}}
 *
 * The image's identity (dev, ino, size, mtime of /proc/PID/exe) comes with the child and the parent.
 * What a process that was already gone took with it is filled in from its execve, captured in the
 * kernel (exec-args.h: command line, uid, image; then "recovered":true, and "cmdlineTruncated":true
 * when the capture cut it); fields nothing could give are absent. The parent comes from the
 * fork event recorded for the child when there was one, else from the child's status. When the
 * kernel dropped events (the socket overflowed) it writes {"type":"lost"}. On start it writes
 * {"type":"ready","execArgs":true} once subscribed ("execArgs":false and a "reason" when the kernel
 * refused the execve capture). It raises its own scheduling priority (SCHED_FIFO when allowed)
 * so it reads /proc before the processes it watches finish, and it never waits on its reader: lines
 * go to a memory buffer (up to 256 MiB) written to stdout without blocking, so a reader that falls
 * behind delays the lines, never the reads of /proc. Exits when stdout closes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exec-args.h"

#define MAX_CMDLINE 8192
#define MAX_ARGS 256
#define FORK_SLOTS 65536
#define MAX_PENDING_OUTPUT (256u << 20)

/* pid → parent pid, from fork events: an open table keyed by pid, newest wins. */
static struct { int pid; int ppid; unsigned long long ts_ns; } forks[FORK_SLOTS];

/*
 * pid → the JSON of that process as a parent, so a shell starting a thousand commands is read once,
 * not once per command: set when the process is first seen as a parent or when it execs, dropped
 * when a fork makes a new process with that pid.
 */
static struct { int pid; char *json; } parents[FORK_SLOTS];

/*
 * tgid → what its latest execve carried, from the kernel (exec-args.h): used for what /proc no
 * longer holds when the exec event is handled. Dropped when used, and when a later fork reuses the
 * pid (the records of a batch are taken before its events, so a record can be newer than a fork
 * handled after it).
 */
static struct { int pid; long uid; uint64_t ts_ns; int truncated; char *args; size_t args_len; char *filename; } execs[FORK_SLOTS];
static struct exec_ring ring;

static void forget_exec(int slot) {
  free(execs[slot].args);
  free(execs[slot].filename);
  execs[slot].args = execs[slot].filename = NULL;
  execs[slot].pid = 0;
}

static void on_exec_record(const struct exec_record *r) {
  int tgid = (int)(r->pid_tgid >> 32);
  int slot = tgid % FORK_SLOTS;
  forget_exec(slot);
  size_t len = 0, need = 0;
  uint32_t argc = r->argc < EXEC_ARGS_MAX ? r->argc : EXEC_ARGS_MAX;
  for (uint32_t i = 0; i < argc; i++) need += strnlen(r->args[i], EXEC_ARG_LEN - 1) + 1;
  char *args = malloc(need ? need : 1);
  if (!args) return;
  for (uint32_t i = 0; i < argc; i++) {
    size_t n = strnlen(r->args[i], EXEC_ARG_LEN - 1);
    memcpy(args + len, r->args[i], n);
    len += n;
    args[len++] = 0;
  }
  execs[slot].pid = tgid;
  execs[slot].uid = (long)(uint32_t)r->uid_gid;
  execs[slot].ts_ns = r->ts_ns;
  execs[slot].truncated = r->truncated != 0;
  execs[slot].args = args;
  execs[slot].args_len = len;
  execs[slot].filename = strndup(r->filename, EXEC_NAME_LEN - 1);
}

/* Output written by stdio (stdout is pointed at it) and not yet on fd 1: obuf[ooff..olen). */
static char *obuf;
static size_t olen, ocap, ooff;
static int overflowed;

static ssize_t obuf_write(void *cookie, const char *b, size_t n) {
  (void)cookie;
  if (olen + n > ocap) {
    size_t want = ocap ? ocap : 1 << 20;
    while (want < olen + n) want *= 2;
    if (want > MAX_PENDING_OUTPUT) { overflowed = 1; return (ssize_t)n; }
    char *grown = realloc(obuf, want);
    if (!grown) { overflowed = 1; return (ssize_t)n; }
    obuf = grown;
    ocap = want;
  }
  memcpy(obuf + olen, b, n);
  olen += n;
  return (ssize_t)n;
}

/* Writes what fd 1 takes now; 0 when all was written or it would block, -1 when stdout is gone. */
static int drain(void) {
  fflush(stdout);
  while (ooff < olen) {
    ssize_t w = write(STDOUT_FILENO, obuf + ooff, olen - ooff);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
    ooff += (size_t)w;
  }
  olen = ooff = 0;
  if (overflowed) {
    overflowed = 0;
    fputs("{\"type\":\"lost\"}\n", stdout);
  }
  return 0;
}

static long clock_ticks;
static double boot_epoch_us; /* wall-clock time of boot, in µs since the epoch */
static double mono_offset_us; /* realtime − monotonic, in µs */

static double now_us(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void out_str(const char *s, size_t n) {
  putchar('"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') { putchar('\\'); putchar(c); }
    else if (c == '\n') fputs("\\n", stdout);
    else if (c == '\t') fputs("\\t", stdout);
    else if (c == '\r') fputs("\\r", stdout);
    else if (c < 0x20 || c == 0x7f) printf("\\u%04x", c);
    else putchar(c); /* bytes ≥ 0x80 pass through; Node decodes them as UTF-8 */
  }
  putchar('"');
}

static ssize_t read_file(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t total = 0;
  while ((size_t)total < cap) {
    ssize_t r = read(fd, buf + total, cap - (size_t)total);
    if (r < 0) { if (errno == EINTR) continue; close(fd); return -1; }
    if (r == 0) break;
    total += r;
  }
  close(fd);
  return total;
}

/* What procmon reads of one process. */
struct proc_info {
  int have_exe, have_cmd, have_status, have_stat, have_stat_file;
  char exe[4096];
  char cmd[MAX_CMDLINE];
  ssize_t cmd_len;
  char comm[64];
  int ppid;
  long uid;
  double start_us;
  struct stat st;
};

static void read_proc(int pid, struct proc_info *p) {
  char path[64], buf[4096];
  memset(p, 0, sizeof *p);
  p->ppid = -1;
  p->uid = -1;
  snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
  p->cmd_len = read_file(path, p->cmd, sizeof p->cmd - 1);
  p->have_cmd = p->cmd_len > 0;
  snprintf(path, sizeof path, "/proc/%d/exe", pid);
  ssize_t n = readlink(path, p->exe, sizeof p->exe - 1);
  if (n > 0) { p->exe[n] = 0; p->have_exe = 1; }
  if (stat(path, &p->st) == 0) p->have_stat_file = 1;
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  ssize_t sn = read_file(path, buf, sizeof buf - 1);
  if (sn > 0) {
    buf[sn] = 0;
    p->have_status = 1;
    for (char *line = buf; line && *line; ) {
      char *next = strchr(line, '\n');
      if (next) *next++ = 0;
      if (strncmp(line, "Name:\t", 6) == 0) snprintf(p->comm, sizeof p->comm, "%s", line + 6);
      else if (strncmp(line, "PPid:\t", 6) == 0) p->ppid = atoi(line + 6);
      else if (strncmp(line, "Uid:\t", 5) == 0) p->uid = strtol(line + 5, NULL, 10);
      line = next;
    }
  }
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  sn = read_file(path, buf, sizeof buf - 1);
  if (sn > 0) {
    buf[sn] = 0;
    /* field 22 (starttime) counts from after the ')' closing comm, which may itself hold spaces */
    char *s = strrchr(buf, ')');
    if (s) {
      int field = 2;
      for (char *q = s + 1; *q; q++) {
        if (*q == ' ') {
          field++;
          if (field == 22) {
            unsigned long long ticks = strtoull(q + 1, NULL, 10);
            p->start_us = boot_epoch_us + (double)ticks * 1e6 / (double)clock_ticks;
            p->have_stat = 1;
            break;
          }
        }
      }
    }
  }
}

static void out_cmdline(const struct proc_info *p) {
  fputs("[", stdout);
  int argc = 0;
  ssize_t i = 0;
  while (i < p->cmd_len && argc < MAX_ARGS) {
    size_t len = strnlen(p->cmd + i, (size_t)(p->cmd_len - i));
    if (argc++) putchar(',');
    out_str(p->cmd + i, len);
    i += (ssize_t)len + 1;
  }
  fputs("]", stdout);
}

static void out_common(int pid, const struct proc_info *p) {
  printf("\"pid\":%d", pid);
  if (p->ppid >= 0) printf(",\"ppid\":%d", p->ppid);
  if (p->uid >= 0) printf(",\"uid\":%ld", p->uid);
  if (p->have_stat) printf(",\"start\":%.0f", p->start_us);
  if (p->have_exe) { fputs(",\"exe\":", stdout); out_str(p->exe, strlen(p->exe)); }
  if (p->have_cmd) { fputs(",\"cmdline\":", stdout); out_cmdline(p); }
  if (p->comm[0]) { fputs(",\"comm\":", stdout); out_str(p->comm, strlen(p->comm)); }
  /* the image's identity: the sensor hashes the file only when what it opens is this file */
  if (p->have_stat_file) {
    printf(",\"dev\":%llu,\"ino\":%llu,\"size\":%lld,\"mtime\":%lld",
           (unsigned long long)p->st.st_dev, (unsigned long long)p->st.st_ino, (long long)p->st.st_size,
           (long long)p->st.st_mtim.tv_sec * 1000000000LL + p->st.st_mtim.tv_nsec);
  }
}

/* The JSON object of a process as a parent ({"pid":…,…}), written through a memory stream. */
static char *parent_json(int pid, const struct proc_info *p) {
  char *mem = NULL;
  size_t len = 0;
  FILE *saved = stdout;
  FILE *m = open_memstream(&mem, &len);
  if (!m) return NULL;
  stdout = m;
  putchar('{');
  out_common(pid, p);
  putchar('}');
  stdout = saved;
  fclose(m);
  return mem;
}

static void remember_parent(int pid, char *json) {
  int slot = pid % FORK_SLOTS;
  free(parents[slot].json);
  parents[slot].pid = pid;
  parents[slot].json = json;
}

/* procmon's own mount namespace and root, to compare a process's with */
static char own_mnt_ns[64];
static struct stat own_root;

/* Whether `pid` has procmon's mount namespace and root, so a path it used names the same file here. */
static int sees_our_files(int pid) {
  char path[64], ns[64];
  struct stat root;
  snprintf(path, sizeof path, "/proc/%d/ns/mnt", pid);
  ssize_t n = readlink(path, ns, sizeof ns - 1);
  if (n <= 0 || !own_mnt_ns[0]) return 0;
  ns[n] = 0;
  snprintf(path, sizeof path, "/proc/%d/root", pid);
  return strcmp(ns, own_mnt_ns) == 0 && stat(path, &root) == 0 && root.st_dev == own_root.st_dev && root.st_ino == own_root.st_ino;
}

static void on_exec(int pid, unsigned long long ts_ns) {
  static struct proc_info child, parent;
  read_proc(pid, &child);
  int slot = pid % FORK_SLOTS;
  int ppid = forks[slot].pid == pid ? forks[slot].ppid : child.ppid;
  if (child.ppid < 0 && ppid >= 0) child.ppid = ppid;
  /* what the process took with it when it ended before these reads, from its execve */
  int recovered = 0, cut = 0;
  if (execs[slot].pid == pid) {
    if (!child.have_cmd && execs[slot].args_len > 0) {
      size_t n = execs[slot].args_len < sizeof child.cmd - 1 ? execs[slot].args_len : sizeof child.cmd - 1;
      memcpy(child.cmd, execs[slot].args, n);
      child.cmd_len = (ssize_t)n;
      child.have_cmd = recovered = 1;
      cut = execs[slot].truncated;
    }
    if (child.uid < 0) { child.uid = execs[slot].uid; recovered = 1; }
    const char *name = execs[slot].filename;
    /* the file name is the caller's: it names our file only when the caller saw our file system */
    if (!child.have_exe && name && name[0] == '/' && ppid > 0 && sees_our_files(ppid) && realpath(name, child.exe)) {
      child.have_exe = recovered = 1;
      child.have_stat_file = stat(child.exe, &child.st) == 0;
    }
    /* the kernel names a process after the last part of the file name it ran (up to 15 bytes) */
    if (!child.comm[0] && name && name[0]) {
      const char *base = strrchr(name, '/');
      snprintf(child.comm, 16, "%s", base ? base + 1 : name);
      recovered = 1;
    }
    forget_exec(slot);
  }
  /* a process's start is its fork */
  if (!child.have_stat && forks[slot].pid == pid) {
    child.start_us = (double)forks[slot].ts_ns / 1e3 + mono_offset_us;
    child.have_stat = 1;
  }
  printf("{\"type\":\"exec\",\"ts\":%.0f,", (double)ts_ns / 1e3 + mono_offset_us);
  out_common(pid, &child);
  if (recovered) fputs(",\"recovered\":true", stdout);
  if (cut) fputs(",\"cmdlineTruncated\":true", stdout);
  if (ppid > 0) {
    int pslot = ppid % FORK_SLOTS;
    if (parents[pslot].pid != ppid || !parents[pslot].json) {
      read_proc(ppid, &parent);
      remember_parent(ppid, parent.have_status || parent.have_cmd ? parent_json(ppid, &parent) : NULL);
    }
    if (parents[pslot].pid == ppid && parents[pslot].json) printf(",\"parent\":%s", parents[pslot].json);
    else printf(",\"parent\":{\"pid\":%d}", ppid);
  }
  fputs("}\n", stdout);
  /* this process as the parent of what it starts next */
  if (child.have_status || child.have_cmd) remember_parent(pid, parent_json(pid, &child));
}

static int subscribe(int sock, enum proc_cn_mcast_op op) {
  char buf[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(enum proc_cn_mcast_op))];
  memset(buf, 0, sizeof buf);
  struct nlmsghdr *nl = (struct nlmsghdr *)buf;
  struct cn_msg *cn = (struct cn_msg *)NLMSG_DATA(nl);
  nl->nlmsg_len = sizeof buf;
  nl->nlmsg_type = NLMSG_DONE;
  nl->nlmsg_pid = (unsigned)getpid();
  cn->id.idx = CN_IDX_PROC;
  cn->id.val = CN_VAL_PROC;
  cn->len = sizeof(enum proc_cn_mcast_op);
  memcpy(cn->data, &op, sizeof op);
  return send(sock, buf, sizeof buf, 0) < 0 ? -1 : 0;
}

int main(void) {
  signal(SIGPIPE, SIG_DFL);
  clock_ticks = sysconf(_SC_CLK_TCK);
  mono_offset_us = now_us(CLOCK_REALTIME) - now_us(CLOCK_MONOTONIC);
  boot_epoch_us = now_us(CLOCK_REALTIME) - now_us(CLOCK_BOOTTIME);
  /* lines go to obuf through stdio; fd 1 is written without blocking (see drain) */
  fcntl(STDOUT_FILENO, F_SETFL, fcntl(STDOUT_FILENO, F_GETFL) | O_NONBLOCK);
  FILE *out = fopencookie(NULL, "w", (cookie_io_functions_t){ .write = obuf_write });
  if (!out) { fprintf(stderr, "procmon: fopencookie: %s\n", strerror(errno)); return 2; }
  setvbuf(out, NULL, _IOFBF, 1 << 16);
  stdout = out;

  struct sched_param sp = { .sched_priority = 10 };
  if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) != 0) setpriority(PRIO_PROCESS, 0, -15);

  int sock = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (sock < 0) { fprintf(stderr, "procmon: netlink socket: %s\n", strerror(errno)); return 2; }
  int rcv = 16 << 20;
  if (setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) != 0) setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC, .nl_pid = (unsigned)getpid() };
  if (bind(sock, (struct sockaddr *)&sa, sizeof sa) != 0) { fprintf(stderr, "procmon: bind: %s\n", strerror(errno)); return 2; }
  ssize_t nsl = readlink("/proc/self/ns/mnt", own_mnt_ns, sizeof own_mnt_ns - 1);
  own_mnt_ns[nsl > 0 ? nsl : 0] = 0;
  if (stat("/", &own_root) != 0) own_mnt_ns[0] = 0;
  const char *why = NULL;
  int have_ring = exec_args_open(&ring, &why) == 0;
  if (subscribe(sock, PROC_CN_MCAST_LISTEN) != 0) { fprintf(stderr, "procmon: subscribe: %s\n", strerror(errno)); return 2; }
  if (have_ring) fputs("{\"type\":\"ready\",\"execArgs\":true}\n", stdout);
  else {
    fputs("{\"type\":\"ready\",\"execArgs\":false,\"reason\":", stdout);
    out_str(why, strlen(why));
    fputs("}\n", stdout);
  }
  if (drain() != 0) return 0;

  char buf[1 << 16] __attribute__((aligned(NLMSG_ALIGNTO)));
  for (;;) {
    ssize_t n = recv(sock, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) { fputs("{\"type\":\"lost\"}\n", stdout); continue; }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        /* the socket is drained: now write out, waiting for whichever comes first */
        if (drain() != 0) return 0;
        struct pollfd pfd[2] = { { .fd = sock, .events = POLLIN }, { .fd = STDOUT_FILENO, .events = POLLOUT } };
        if (poll(pfd, olen > ooff ? 2 : 1, -1) < 0 && errno != EINTR) return 1;
        if (pfd[1].revents & (POLLERR | POLLHUP)) return 0;
        continue;
      }
      fprintf(stderr, "procmon: recv: %s\n", strerror(errno));
      return 1;
    }
    /* every exec in this batch made its execve record before its event: take the records first */
    exec_args_drain(&ring, on_exec_record);
    for (struct nlmsghdr *nl = (struct nlmsghdr *)buf; NLMSG_OK(nl, (unsigned)n); nl = NLMSG_NEXT(nl, n)) {
      if (nl->nlmsg_type == NLMSG_ERROR || nl->nlmsg_type == NLMSG_NOOP) continue;
      struct cn_msg *cn = (struct cn_msg *)NLMSG_DATA(nl);
      if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC) continue;
      struct proc_event *ev = (struct proc_event *)cn->data;
      if (ev->what == PROC_EVENT_FORK) {
        int child = ev->event_data.fork.child_tgid;
        if (child == ev->event_data.fork.child_pid) { /* a new process, not a thread */
          forks[child % FORK_SLOTS].pid = child;
          forks[child % FORK_SLOTS].ppid = ev->event_data.fork.parent_tgid;
          forks[child % FORK_SLOTS].ts_ns = ev->timestamp_ns;
          if (parents[child % FORK_SLOTS].pid == child) remember_parent(child, NULL);
          /* an execve from before this fork was an earlier process's with the same pid */
          if (execs[child % FORK_SLOTS].pid == child && execs[child % FORK_SLOTS].ts_ns < ev->timestamp_ns) forget_exec(child % FORK_SLOTS);
        }
      } else if (ev->what == PROC_EVENT_EXIT) {
        /* a process whose execve failed leaves its record behind: drop it when the process ends */
        int gone = ev->event_data.exit.process_tgid;
        if (gone == ev->event_data.exit.process_pid && execs[gone % FORK_SLOTS].pid == gone && execs[gone % FORK_SLOTS].ts_ns < ev->timestamp_ns)
          forget_exec(gone % FORK_SLOTS);
      } else if (ev->what == PROC_EVENT_EXEC) {
        on_exec(ev->event_data.exec.process_tgid, (unsigned long long)ev->timestamp_ns);
      }
    }
  }
}

/*
 * exec-args: the arguments of every execve, captured in the kernel as the call is made, for procmon.
 *
 * procmon reads a new process's command line from /proc at the exec event. A process that is done
 * in well under a millisecond (`/bin/true`) can be gone by then whenever procmon's CPU is held up —
 * on a virtual machine, by the host taking the vCPU away for a few milliseconds. So procmon also
 * loads a small eBPF program on the raw tracepoint `sys_enter`: at each execve/execveat it copies
 * the caller's tgid, uid, the file name and up to EXEC_ARGS_MAX arguments (EXEC_ARG_LEN bytes
 * each) into a ring buffer. procmon drains that ring before it handles exec events, and fills in
 * what /proc no longer has from the latest record of that tgid.
 *
 * The program is written here as instructions (no compiler for BPF is needed to build the sensor).
 * It needs CAP_BPF and CAP_PERFMON (root) and a kernel with BPF ring buffers (5.8 or later); where
 * loading fails, exec_args_open returns -1 with the reason, and procmon runs from /proc alone.
 * Only x86-64 and arm64 are supported (their pt_regs layouts are fixed here).
 */
#ifndef PALISADE_EXEC_ARGS_H
#define PALISADE_EXEC_ARGS_H

#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXEC_ARGS_MAX 48
#define EXEC_ARG_LEN 256
#define EXEC_NAME_LEN 256
#define EXEC_RING_SIZE (16u << 20)

/* One record as the program writes it. */
struct exec_record {
  uint64_t ts_ns; /* CLOCK_MONOTONIC, as the process connector's timestamps */
  uint64_t pid_tgid;
  uint64_t uid_gid;
  uint32_t argc;      /* arguments copied */
  uint32_t truncated; /* 1 when an argument was longer than its slot or there were more arguments */
  char filename[EXEC_NAME_LEN];
  char args[EXEC_ARGS_MAX][EXEC_ARG_LEN];
};

#if defined(__x86_64__)
/* struct pt_regs: di at 112, si at 104, dx at 96 */
#define EXEC_REG_ARG0 112
#define EXEC_REG_ARG1 104
#define EXEC_REG_ARG2 96
#define EXEC_ARGS_SUPPORTED 1
#elif defined(__aarch64__)
/* struct pt_regs: regs[0..30] first */
#define EXEC_REG_ARG0 0
#define EXEC_REG_ARG1 8
#define EXEC_REG_ARG2 16
#define EXEC_ARGS_SUPPORTED 1
#else
#define EXEC_ARGS_SUPPORTED 0
#endif

/* The consumer side of the ring buffer. */
struct exec_ring {
  int map_fd, link_fd;
  size_t page;
  unsigned long *consumer; /* consumer position (read-write page) */
  unsigned long *producer; /* producer position, followed by the data mapped twice */
  char *data;
};

static long bpf_call(int cmd, union bpf_attr *attr) {
  return syscall(__NR_bpf, cmd, attr, sizeof *attr);
}

#if EXEC_ARGS_SUPPORTED
/* A growing program: instructions plus the jumps to patch once their targets are known. */
#define PROG_CAP (128 + 32 * EXEC_ARGS_MAX)
struct prog {
  struct bpf_insn insn[PROG_CAP];
  int n;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  if (p->n >= PROG_CAP) abort(); /* PROG_CAP is too small for the program built below */
  p->insn[p->n++] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}
#define MOV_REG(p, d, s) emit(p, BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_IMM(p, d, i) emit(p, BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD_IMM(p, d, i) emit(p, BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ADD_REG(p, d, s) emit(p, BPF_ALU64 | BPF_ADD | BPF_X, d, s, 0, 0)
#define LOAD64(p, d, s, o) emit(p, BPF_LDX | BPF_DW | BPF_MEM, d, s, o, 0)
#define STORE64(p, d, o, s) emit(p, BPF_STX | BPF_DW | BPF_MEM, d, s, o, 0)
#define STORE32_IMM(p, d, o, i) emit(p, BPF_ST | BPF_W | BPF_MEM, d, 0, o, i)
#define CALL(p, f) emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT(p) emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* conditional jump with the offset patched later; returns its index */
static int jump_imm(struct prog *p, uint8_t op, uint8_t d, int32_t imm) {
  emit(p, BPF_JMP | op | BPF_K, d, 0, 0, imm);
  return p->n - 1;
}
static void land(struct prog *p, int at) { p->insn[at].off = (int16_t)(p->n - at - 1); }

enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };

/* r0 = helper(fp + stack, len, base + add): one of the probe-read helpers into the stack */
static void read_to_stack(struct prog *p, int helper, int16_t stack, int32_t len, uint8_t base, int32_t add) {
  MOV_REG(p, R1, R10);
  ADD_IMM(p, R1, stack);
  MOV_IMM(p, R2, len);
  MOV_REG(p, R3, base);
  if (add) ADD_IMM(p, R3, add);
  CALL(p, helper);
}

/* The program; `ring` is the ring buffer map's fd. */
static void build_program(struct prog *p, int ring) {
  p->n = 0;
  /* r6 = ctx (u64 args[]: the user pt_regs, the syscall number) */
  MOV_REG(p, R6, R1);
  LOAD64(p, R2, R6, 8);
  int to_execve = jump_imm(p, BPF_JEQ, R2, __NR_execve);
  int to_execveat = jump_imm(p, BPF_JEQ, R2, __NR_execveat);
  MOV_IMM(p, R0, 0);
  EXIT(p);
  /* execve(filename, argv, envp): r9 = &filename, r8 = &argv (offsets into pt_regs, for now) */
  land(p, to_execve);
  MOV_IMM(p, R9, EXEC_REG_ARG0);
  MOV_IMM(p, R8, EXEC_REG_ARG1);
  int to_common = jump_imm(p, BPF_JA, 0, 0);
  /* execveat(dirfd, filename, argv, envp, flags) */
  land(p, to_execveat);
  MOV_IMM(p, R9, EXEC_REG_ARG1);
  MOV_IMM(p, R8, EXEC_REG_ARG2);
  land(p, to_common);
  LOAD64(p, R7, R6, 0);
  ADD_REG(p, R9, R7);
  ADD_REG(p, R8, R7);
  /* r6 = bpf_ringbuf_reserve(ring, sizeof record, 0) */
  emit(p, BPF_LD | BPF_DW | BPF_IMM, R1, BPF_PSEUDO_MAP_FD, 0, ring);
  emit(p, 0, 0, 0, 0, 0);
  MOV_IMM(p, R2, (int32_t)sizeof(struct exec_record));
  MOV_IMM(p, R3, 0);
  CALL(p, BPF_FUNC_ringbuf_reserve);
  int reserved = jump_imm(p, BPF_JNE, R0, 0);
  MOV_IMM(p, R0, 0);
  EXIT(p);
  land(p, reserved);
  MOV_REG(p, R6, R0);
  CALL(p, BPF_FUNC_ktime_get_ns);
  STORE64(p, R6, offsetof(struct exec_record, ts_ns), R0);
  CALL(p, BPF_FUNC_get_current_pid_tgid);
  STORE64(p, R6, offsetof(struct exec_record, pid_tgid), R0);
  CALL(p, BPF_FUNC_get_current_uid_gid);
  STORE64(p, R6, offsetof(struct exec_record, uid_gid), R0);
  STORE32_IMM(p, R6, offsetof(struct exec_record, argc), 0);
  STORE32_IMM(p, R6, offsetof(struct exec_record, truncated), 0);
  /* fp-8 = the filename pointer; the name itself into the record */
  read_to_stack(p, BPF_FUNC_probe_read_kernel, -8, 8, R9, 0);
  MOV_REG(p, R1, R6);
  ADD_IMM(p, R1, offsetof(struct exec_record, filename));
  MOV_IMM(p, R2, EXEC_NAME_LEN);
  LOAD64(p, R3, R10, -8);
  CALL(p, BPF_FUNC_probe_read_user_str);
  /* r7 = argv (a user pointer) */
  read_to_stack(p, BPF_FUNC_probe_read_kernel, -16, 8, R8, 0);
  LOAD64(p, R7, R10, -16);
  int done[2 * EXEC_ARGS_MAX];
  int nd = 0;
  for (int i = 0; i < EXEC_ARGS_MAX; i++) {
    /* fp-24 = argv[i]; stop at the NULL that ends argv or at memory that cannot be read */
    read_to_stack(p, BPF_FUNC_probe_read_user, -24, 8, R7, i * 8);
    done[nd++] = jump_imm(p, BPF_JNE, R0, 0);
    LOAD64(p, R3, R10, -24);
    done[nd++] = jump_imm(p, BPF_JEQ, R3, 0);
    MOV_REG(p, R1, R6);
    ADD_IMM(p, R1, (int32_t)(offsetof(struct exec_record, args) + (size_t)i * EXEC_ARG_LEN));
    MOV_IMM(p, R2, EXEC_ARG_LEN);
    CALL(p, BPF_FUNC_probe_read_user_str);
    STORE32_IMM(p, R6, offsetof(struct exec_record, argc), i + 1);
    /* the slot filled up: was there more of this argument? */
    int fits = jump_imm(p, BPF_JNE, R0, EXEC_ARG_LEN);
    LOAD64(p, R4, R10, -24);
    read_to_stack(p, BPF_FUNC_probe_read_user, -32, 1, R4, EXEC_ARG_LEN - 1);
    int unread = jump_imm(p, BPF_JNE, R0, 0);
    emit(p, BPF_LDX | BPF_B | BPF_MEM, R3, R10, -32, 0);
    int ended = jump_imm(p, BPF_JEQ, R3, 0);
    STORE32_IMM(p, R6, offsetof(struct exec_record, truncated), 1);
    land(p, fits);
    land(p, unread);
    land(p, ended);
  }
  /* all EXEC_ARGS_MAX slots used: is there more? */
  read_to_stack(p, BPF_FUNC_probe_read_user, -24, 8, R7, EXEC_ARGS_MAX * 8);
  int unreadable = jump_imm(p, BPF_JNE, R0, 0);
  LOAD64(p, R3, R10, -24);
  int no_more = jump_imm(p, BPF_JEQ, R3, 0);
  STORE32_IMM(p, R6, offsetof(struct exec_record, truncated), 1);
  land(p, unreadable);
  land(p, no_more);
  for (int i = 0; i < nd; i++) land(p, done[i]);
  MOV_REG(p, R1, R6);
  MOV_IMM(p, R2, 0);
  CALL(p, BPF_FUNC_ringbuf_submit);
  MOV_IMM(p, R0, 0);
  EXIT(p);
}
#endif

/* Loads and attaches the program; 0 on success, else -1 with `why` set. */
static int exec_args_open(struct exec_ring *r, const char **why) {
  memset(r, 0, sizeof *r);
  r->map_fd = r->link_fd = -1;
#if !EXEC_ARGS_SUPPORTED
  *why = "argument capture is not built for this architecture";
  return -1;
#else
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.map_type = BPF_MAP_TYPE_RINGBUF;
  a.max_entries = EXEC_RING_SIZE;
  memcpy(a.map_name, "palisade_exec", 14);
  r->map_fd = (int)bpf_call(BPF_MAP_CREATE, &a);
  if (r->map_fd < 0) { *why = "the kernel refused a BPF ring buffer"; return -1; }

  static struct prog p;
  build_program(&p, r->map_fd);
  static char verifier_log[1 << 16];
  memset(&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
  a.insns = (uint64_t)(uintptr_t)p.insn;
  a.insn_cnt = (uint32_t)p.n;
  /* the kernel's probe-read helpers are offered to GPL-compatible programs; this one is dual-licensed */
  a.license = (uint64_t)(uintptr_t)"Dual MIT/GPL";
  memcpy(a.prog_name, "palisade_exec", 14);
  int prog_fd = (int)bpf_call(BPF_PROG_LOAD, &a);
  if (prog_fd < 0) {
    /* again with the verifier's log, to say why */
    int err = errno;
    a.log_buf = (uint64_t)(uintptr_t)verifier_log;
    a.log_size = sizeof verifier_log;
    a.log_level = 1;
    if (bpf_call(BPF_PROG_LOAD, &a) < 0 && errno == ENOSPC) verifier_log[0] = 0;
    errno = err;
    /* the verifier's complaint ends its log */
    static char reason[300];
    size_t loglen = strlen(verifier_log);
    snprintf(reason, sizeof reason, "the kernel refused the BPF program (%s)%s%s", strerror(errno),
             loglen ? ": " : "", verifier_log + (loglen > 200 ? loglen - 200 : 0));
    for (char *c = reason; *c; c++) if (*c == '\n' || *c == '"' || *c == '\\') *c = ' ';
    *why = reason;
    goto fail;
  }
  memset(&a, 0, sizeof a);
  a.raw_tracepoint.name = (uint64_t)(uintptr_t)"sys_enter";
  a.raw_tracepoint.prog_fd = (uint32_t)prog_fd;
  r->link_fd = (int)bpf_call(BPF_RAW_TRACEPOINT_OPEN, &a);
  close(prog_fd); /* the attachment holds the program */
  if (r->link_fd < 0) { *why = "the kernel refused to attach to the sys_enter tracepoint"; goto fail; }

  r->page = (size_t)sysconf(_SC_PAGESIZE);
  void *cons = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, r->map_fd, 0);
  void *prod = mmap(NULL, r->page + 2 * (size_t)EXEC_RING_SIZE, PROT_READ, MAP_SHARED, r->map_fd, (off_t)r->page);
  if (cons == MAP_FAILED || prod == MAP_FAILED) { *why = "the BPF ring buffer could not be mapped"; goto fail; }
  r->consumer = cons;
  r->producer = prod;
  r->data = (char *)prod + r->page;
  return 0;
fail:
  if (r->link_fd >= 0) close(r->link_fd);
  if (r->map_fd >= 0) close(r->map_fd);
  r->map_fd = r->link_fd = -1;
  return -1;
#endif
}

/* Hands each record written since the last call to `fn`, oldest first. */
static void exec_args_drain(struct exec_ring *r, void (*fn)(const struct exec_record *)) {
  if (!r->data) return;
  unsigned long cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
  for (;;) {
    unsigned long prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
    if (cons >= prod) break;
    uint32_t *hdr = (uint32_t *)(r->data + (cons & (EXEC_RING_SIZE - 1)));
    uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
    if (len & BPF_RINGBUF_BUSY_BIT) break; /* still being written */
    uint32_t size = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
    if (!(len & BPF_RINGBUF_DISCARD_BIT) && size >= sizeof(struct exec_record)) fn((const struct exec_record *)(hdr + 2));
    cons += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
    __atomic_store_n(r->consumer, cons, __ATOMIC_RELEASE);
  }
}

#endif

/*
 * execguard: restricts code execution on the file systems it is given (Palisade's
 * RestrictCodeExecution). Usage: execguard [--save FILE | --load FILE] MOUNT_PATH...
 *
 * At start it walks each MOUNT_PATH (staying on that file system) and records every regular file
 * with an execute bit by (device, inode, size, mtime): the allow list. `--save FILE` writes that
 * list to FILE (so a restart can keep it); `--load FILE` reads it from FILE instead of walking, so
 * what appeared meanwhile stays denied. It then marks each file
 * system with fanotify FAN_OPEN_EXEC_PERM and answers every exec permission event: allowed when the
 * file is on the list unchanged, denied otherwise. Each denial is printed on stdout as one JSON line
 * {"denied":{"pid":N,"path":"...","dev":N,"ino":N}}; readiness as {"ready":{"allowed":N,"marks":N}}.
 *
 * It stops when its standard input reaches end of file (its parent, the sensor, closed it or died)
 * or on SIGTERM/SIGINT; closing the fanotify descriptor removes the marks and allows every pending
 * event, so a dead guard never leaves anything blocked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

struct entry {
    uint64_t dev, ino, size;
    int64_t mtime_sec, mtime_nsec;
    int used;
};

static struct entry *table;
static size_t table_cap, table_len;

static uint64_t mix(uint64_t dev, uint64_t ino) {
    uint64_t h = dev * 0x9E3779B97F4A7C15ULL ^ ino;
    h ^= h >> 33; h *= 0xff51afd7ed558ccdULL; h ^= h >> 33;
    return h;
}

static void put(const struct stat *st);

static void grow(void) {
    struct entry *old = table;
    size_t old_cap = table_cap;
    table_cap = old_cap ? old_cap * 2 : 1 << 16;
    table = calloc(table_cap, sizeof *table);
    if (!table) { perror("execguard: calloc"); exit(1); }
    table_len = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].used) continue;
        struct stat st = {0};
        st.st_dev = old[i].dev; st.st_ino = old[i].ino; st.st_size = (off_t)old[i].size;
        st.st_mtim.tv_sec = old[i].mtime_sec; st.st_mtim.tv_nsec = old[i].mtime_nsec;
        put(&st);
    }
    free(old);
}

static void put(const struct stat *st) {
    if ((table_len + 1) * 2 > table_cap) grow();
    size_t i = mix(st->st_dev, st->st_ino) & (table_cap - 1);
    while (table[i].used && !(table[i].dev == st->st_dev && table[i].ino == st->st_ino)) i = (i + 1) & (table_cap - 1);
    if (!table[i].used) table_len++;
    table[i] = (struct entry){ st->st_dev, st->st_ino, (uint64_t)st->st_size, st->st_mtim.tv_sec, st->st_mtim.tv_nsec, 1 };
}

static int allowed(const struct stat *st) {
    if (!table_cap) return 0;
    size_t i = mix(st->st_dev, st->st_ino) & (table_cap - 1);
    while (table[i].used) {
        struct entry *e = &table[i];
        if (e->dev == st->st_dev && e->ino == st->st_ino)
            return e->size == (uint64_t)st->st_size && e->mtime_sec == st->st_mtim.tv_sec && e->mtime_nsec == st->st_mtim.tv_nsec;
        i = (i + 1) & (table_cap - 1);
    }
    return 0;
}

static int visit(const char *path, const struct stat *st, int kind, struct FTW *ftw) {
    (void)path; (void)ftw;
    if (kind == FTW_F && S_ISREG(st->st_mode) && (st->st_mode & 0111)) put(st);
    return 0;
}

/* The allow list on disk: one record of five native-endian 64-bit numbers per file. */
static int save_list(const char *path) {
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) return -1;
    fchmod(fileno(f), 0600);
    for (size_t i = 0; i < table_cap; i++) {
        if (!table[i].used) continue;
        uint64_t rec[5] = { table[i].dev, table[i].ino, table[i].size, (uint64_t)table[i].mtime_sec, (uint64_t)table[i].mtime_nsec };
        if (fwrite(rec, sizeof rec, 1, f) != 1) { fclose(f); return -1; }
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) { fclose(f); return -1; }
    if (fclose(f) != 0) return -1;
    return rename(tmp, path);
}

static int load_list(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    uint64_t rec[5];
    while (fread(rec, sizeof rec, 1, f) == 1) {
        struct stat st = {0};
        st.st_dev = rec[0]; st.st_ino = rec[1]; st.st_size = (off_t)rec[2];
        st.st_mtim.tv_sec = (time_t)rec[3]; st.st_mtim.tv_nsec = (long)rec[4];
        put(&st);
    }
    int bad = ferror(f);
    fclose(f);
    return bad ? -1 : 0;
}

static volatile sig_atomic_t stopping;
static void on_signal(int sig) { (void)sig; stopping = 1; }

/*
 * Denials are reported without ever blocking: stdout is non-blocking once the guard is ready, and a
 * line that does not fit in the pipe is dropped and counted (the next line that fits carries the
 * count), so a sensor that reads slowly can never hold up the permission answers, and with them every
 * exec on the guarded file systems.
 */
static unsigned long long dropped;

static void emit_line(const char *line, size_t len) {
    ssize_t n = write(STDOUT_FILENO, line, len);
    if (n != (ssize_t)len) dropped++; /* a short write cannot happen below PIPE_BUF; a full pipe refuses it whole */
}

/* Appends s as a JSON string to buf (at most cap bytes in all); returns the new length. */
static size_t json_string(char *buf, size_t len, size_t cap, const char *s) {
    if (len < cap) buf[len++] = '"';
    for (; *s && len + 8 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { buf[len++] = '\\'; buf[len++] = (char)c; }
        else if (c < 0x20) len += (size_t)snprintf(buf + len, cap - len, "\\u%04x", c);
        else buf[len++] = (char)c;
    }
    if (len < cap) buf[len++] = '"';
    return len;
}

int main(int argc, char **argv) {
    const char *save = NULL, *load = NULL;
    int first = 1;
    while (first + 1 < argc && (!strcmp(argv[first], "--save") || !strcmp(argv[first], "--load"))) {
        if (!strcmp(argv[first], "--save")) save = argv[first + 1]; else load = argv[first + 1];
        first += 2;
    }
    if (first >= argc || (save && load)) {
        fprintf(stderr, "usage: execguard [--save FILE | --load FILE] MOUNT_PATH...\n");
        return 2;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (load) {
        if (load_list(load) != 0) {
            fprintf(stderr, "execguard: reading the allow list %s: %s\n", load, strerror(errno));
            return 1;
        }
    } else {
        for (int i = first; i < argc; i++) {
            if (nftw(argv[i], visit, 64, FTW_PHYS | FTW_MOUNT) != 0) {
                fprintf(stderr, "execguard: walking %s: %s\n", argv[i], strerror(errno));
                return 1;
            }
        }
    }
    if (save && save_list(save) != 0) {
        fprintf(stderr, "execguard: writing the allow list %s: %s\n", save, strerror(errno));
        return 1;
    }

    int fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
    if (fan < 0) {
        fprintf(stderr, "execguard: fanotify_init: %s\n", strerror(errno));
        return 1;
    }
    int marks = 0;
    for (int i = first; i < argc; i++) {
        /* the whole file system (every mount of it); a single mount where that is refused */
        if (fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN_EXEC_PERM, AT_FDCWD, argv[i]) != 0 &&
            fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_OPEN_EXEC_PERM, AT_FDCWD, argv[i]) != 0) {
            fprintf(stderr, "execguard: fanotify_mark %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        marks++;
    }
    printf("{\"ready\":{\"allowed\":%zu,\"marks\":%d}}\n", table_len, marks);
    fflush(stdout);
    fcntl(STDOUT_FILENO, F_SETFL, fcntl(STDOUT_FILENO, F_GETFL) | O_NONBLOCK);

    char buf[8192] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
    struct pollfd fds[2] = { { .fd = fan, .events = POLLIN }, { .fd = STDIN_FILENO, .events = POLLIN } };
    while (!stopping) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            char junk[256];
            ssize_t n = read(STDIN_FILENO, junk, sizeof junk);
            if (n <= 0) break;
        }
        if (!(fds[0].revents & POLLIN)) continue;
        for (;;) {
            ssize_t len = read(fan, buf, sizeof buf);
            if (len <= 0) break;
            struct fanotify_event_metadata *m = (struct fanotify_event_metadata *)buf;
            for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
                if (m->vers != FANOTIFY_METADATA_VERSION) { fprintf(stderr, "execguard: fanotify version mismatch\n"); return 1; }
                if (m->fd < 0) continue;
                struct stat st = {0};
                int ok = fstat(m->fd, &st) == 0 && allowed(&st);
                struct fanotify_response r = { .fd = m->fd, .response = ok ? FAN_ALLOW : FAN_DENY };
                if (write(fan, &r, sizeof r) != sizeof r) fprintf(stderr, "execguard: response: %s\n", strerror(errno));
                if (!ok) {
                    char link[64], path[PATH_MAX];
                    snprintf(link, sizeof link, "/proc/self/fd/%d", m->fd);
                    ssize_t n = readlink(link, path, sizeof path - 1);
                    path[n < 0 ? 0 : n] = 0;
                    /* one line, well under PIPE_BUF so the pipe takes it whole or not at all */
                    char line[3072];
                    size_t len = (size_t)snprintf(line, sizeof line, "{\"denied\":{\"pid\":%d,\"path\":", (int)m->pid);
                    len = json_string(line, len, 2048, path);
                    len += (size_t)snprintf(line + len, sizeof line - len, ",\"dev\":%llu,\"ino\":%llu,\"dropped\":%llu}}\n",
                                            (unsigned long long)st.st_dev, (unsigned long long)st.st_ino, dropped);
                    unsigned long long before = dropped;
                    emit_line(line, len);
                    if (dropped == before) dropped = 0;
                }
                close(m->fd);
            }
        }
    }
    close(fan);
    return 0;
}

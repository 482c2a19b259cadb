/*
 * The physical limit for `npm run bench`: blocking flock(2) from C, on the same lock file and with the
 * same read-increment-write of the JSON counter as every other subject. Same command line and JSON-lines
 * protocol as bench/worker.ts:  flock-bench TASK TARGET [N]   (the lock file is TARGET.lock)
 *   uncontended TARGET MS  acquire+release in a loop for MS ms on one open descriptor -> {"usPerOp"}
 *   contended TARGET N     "ready", wait for "go" on stdin, N locked increments -> {"start","end","waits"}
 *   hold TARGET            lock, "held", keep it until a line or EOF on stdin
 *   wait TARGET            "waiting", lock, {"acquired","at"} (epoch ms), exit
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static double now_ms(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void say(const char *line) {
  fputs(line, stdout);
  fputc('\n', stdout);
  fflush(stdout);
}

static int open_lock(const char *target) {
  char path[4096];
  snprintf(path, sizeof path, "%s.lock", target);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    perror(path);
    exit(2);
  }
  return fd;
}

static void lock_ex(int fd) {
  if (flock(fd, LOCK_EX) != 0) {
    perror("flock");
    exit(2);
  }
}

static int increment(const char *target) {
  char buf[256];
  int fd = open(target, O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
  if (fd >= 0) close(fd);
  long count;
  if (n <= 0) return 1;
  buf[n] = 0;
  if (sscanf(buf, "{\"count\":%ld}", &count) != 1) return 1; /* a torn read */
  fd = open(target, O_WRONLY | O_TRUNC);
  if (fd < 0) return 1;
  int len = snprintf(buf, sizeof buf, "{\"count\":%ld}", count + 1);
  if (write(fd, buf, len) != len) perror("write");
  close(fd);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: flock-bench TASK TARGET [N]\n");
    return 2;
  }
  const char *task = argv[1], *target = argv[2];
  long n = argc > 3 ? atol(argv[3]) : 0;
  int fd = open_lock(target);
  char line[64];
  if (strcmp(task, "uncontended") == 0) {
    for (int i = 0; i < 1000; i++) { lock_ex(fd); flock(fd, LOCK_UN); }
    long ops = 0;
    double start = now_ms(CLOCK_MONOTONIC), end;
    do {
      for (int i = 0; i < 1000; i++) { lock_ex(fd); flock(fd, LOCK_UN); }
      ops += 1000;
      end = now_ms(CLOCK_MONOTONIC);
    } while (end - start < n);
    printf("{\"type\":\"result\",\"usPerOp\":%.4f,\"ops\":%ld}\n", (end - start) * 1e3 / ops, ops);
  } else if (strcmp(task, "contended") == 0) {
    double *waits = calloc(n > 0 ? n : 1, sizeof *waits);
    int torn = 0;
    say("{\"type\":\"ready\"}");
    if (!fgets(line, sizeof line, stdin)) return 2;
    double start = now_ms(CLOCK_REALTIME);
    for (long i = 0; i < n; i++) {
      double t0 = now_ms(CLOCK_MONOTONIC);
      lock_ex(fd);
      waits[i] = now_ms(CLOCK_MONOTONIC) - t0;
      torn += increment(target);
      flock(fd, LOCK_UN);
    }
    double end = now_ms(CLOCK_REALTIME);
    printf("{\"type\":\"result\",\"start\":%.4f,\"end\":%.4f,\"torn\":%d,\"waits\":[", start, end, torn);
    for (long i = 0; i < n; i++) printf(i ? ",%.4f" : "%.4f", waits[i]);
    printf("]}\n");
  } else if (strcmp(task, "hold") == 0) {
    lock_ex(fd);
    say("{\"type\":\"held\"}");
    if (!fgets(line, sizeof line, stdin)) { /* EOF: release too */ }
    flock(fd, LOCK_UN);
    say("{\"type\":\"released\"}");
  } else if (strcmp(task, "wait") == 0) {
    say("{\"type\":\"waiting\"}");
    lock_ex(fd);
    printf("{\"type\":\"acquired\",\"at\":%.4f}\n", now_ms(CLOCK_REALTIME));
    flock(fd, LOCK_UN);
  } else {
    fprintf(stderr, "unknown task %s\n", task);
    return 2;
  }
  fflush(stdout);
  return 0;
}

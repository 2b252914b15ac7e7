/*
 * The load client of the echo benchmark (scripts/bench/echo.ts). One client for every server,
 * so the figures compare servers, not clients.
 *
 * Load mode: opens N connections; each sends one message of SIZE bytes, waits for the whole echo,
 * checks every byte, and repeats. After --warmup seconds it counts round trips for --duration
 * seconds (or until --count round trips). Each message is a different slice of a fixed pattern
 * (chosen by connection and round), so a byte from another connection or another round shows as
 * a mismatch.
 *
 *   load_client --port P [--host 127.0.0.1] --connections N --size BYTES
 *               [--duration SECONDS | --count ROUND_TRIPS] [--warmup SECONDS] [--timeout SECONDS]
 *               [--pid SERVER_PID]
 *
 * With --pid it also reports CPU use over the measured time, in percent of one core: the server's,
 * its own, and the user time of every other program on the machine (otherUserCpuPercent), which
 * tells a run disturbed by a neighbour on a shared machine. -1 means unknown.
 *
 * Hold mode: opens N connections (at most --window connecting or waiting for their echo at a
 * time), pings each once, keeps them all open and idle for --settle seconds, and reads the server's
 * resident memory (VmRSS of /proc/PID/status) before the first connection and after the settle.
 *
 *   load_client --port P --hold N --pid SERVER_PID [--size BYTES] [--window W] [--settle SECONDS]
 *
 * Prints one JSON object on stdout. Exits 0 when it measured something (failures are in the JSON),
 * 1 when it could not run, 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum state { CONNECTING, ACTIVE, IDLE, CLOSED };

struct connection {
  int fd;
  unsigned id;
  enum state state;
  uint64_t round;
  size_t sent;
  size_t received;
  uint64_t started_ns;
  int want_out; /* EPOLLOUT is in the interest set */
  unsigned char *inbox;
};

struct options {
  const char *host;
  int port;
  unsigned connections;
  size_t size;
  double duration;
  uint64_t count;
  double warmup;
  double timeout;
  unsigned hold;
  int pid;
  unsigned window;
  double settle;
};

static struct options opt = {
    .host = "127.0.0.1", .port = -1, .connections = 1, .size = 64, .duration = 5, .count = 0,
    .warmup = 1, .timeout = 10, .hold = 0, .pid = 0, .window = 128, .settle = 2,
};

static int epoll_fd;
static unsigned char *pattern; /* opt.size + 256 bytes; a message is a slice of it */
static struct sockaddr_in server;

/* Counters. */
static uint64_t counted_round_trips, mismatches, failures, connect_failures, closed_while_idle;
static uint32_t *latencies; /* nanoseconds of each counted round trip, capped at UINT32_MAX */
static size_t latency_count, latency_capacity;
static int counting;        /* round trips are counted (the warmup is over) */
static uint64_t last_progress_ns;
static unsigned open_connections, active_or_connecting, idle_connections, next_to_open;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void fail_usage(const char *message, const char *value) {
  fprintf(stderr, "load_client: %s%s%s\n", message, value ? ": got " : "", value ? value : "");
  exit(2);
}

static double parse_number(const char *flag, const char *text, double min, double max) {
  char *end;
  errno = 0;
  double value = strtod(text, &end);
  if (errno || end == text || *end || value < min || value > max) {
    char message[160];
    snprintf(message, sizeof message, "%s must be a number from %g to %g", flag, min, max);
    fail_usage(message, text);
  }
  return value;
}

static void parse_options(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *flag = argv[i];
    if (i + 1 >= argc) fail_usage("a value is missing after", flag);
    const char *value = argv[++i];
    if (!strcmp(flag, "--host")) opt.host = value;
    else if (!strcmp(flag, "--port")) opt.port = (int)parse_number(flag, value, 1, 65535);
    else if (!strcmp(flag, "--connections")) opt.connections = (unsigned)parse_number(flag, value, 1, 1000000);
    else if (!strcmp(flag, "--size")) opt.size = (size_t)parse_number(flag, value, 1, 64 * 1024 * 1024);
    else if (!strcmp(flag, "--duration")) opt.duration = parse_number(flag, value, 0.01, 3600);
    else if (!strcmp(flag, "--count")) opt.count = (uint64_t)parse_number(flag, value, 1, 1e12);
    else if (!strcmp(flag, "--warmup")) opt.warmup = parse_number(flag, value, 0, 3600);
    else if (!strcmp(flag, "--timeout")) opt.timeout = parse_number(flag, value, 0.1, 3600);
    else if (!strcmp(flag, "--hold")) opt.hold = (unsigned)parse_number(flag, value, 1, 1000000);
    else if (!strcmp(flag, "--pid")) opt.pid = (int)parse_number(flag, value, 1, 1e9);
    else if (!strcmp(flag, "--window")) opt.window = (unsigned)parse_number(flag, value, 1, 1000000);
    else if (!strcmp(flag, "--settle")) opt.settle = parse_number(flag, value, 0, 3600);
    else fail_usage("unknown flag", flag);
  }
  if (opt.port < 0) fail_usage("--port is required", NULL);
  if (opt.hold) {
    opt.connections = opt.hold;
    if (!opt.pid) fail_usage("--hold needs --pid (the server whose memory to read)", NULL);
  }
}

/* User time (user + nice) of all CPUs since boot, in clock ticks, from /proc/stat; -1 if unreadable. */
static long long all_user_ticks(void) {
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return -1;
  long long user = -1, nice = 0;
  if (fscanf(f, "cpu %lld %lld", &user, &nice) != 2) user = -1;
  fclose(f);
  return user < 0 ? -1 : user + nice;
}

/* User and system time of a process (all its threads) in clock ticks, from /proc/PID/stat. */
static int task_ticks(int pid, long long *user, long long *system) {
  char path[64], text[1024];
  if (pid) snprintf(path, sizeof path, "/proc/%d/stat", pid);
  else snprintf(path, sizeof path, "/proc/self/stat");
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = 0;
  char *after_name = strrchr(text, ')'); /* the command name may contain spaces */
  if (!after_name) return -1;
  /* fields after the name: state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
  if (sscanf(after_name + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld", user, system) != 2) return -1;
  return 0;
}

/* CPU use while measuring: the server's, the client's own, and the user time of everything else. */
struct cpu_sample {
  long long all_user, server_user, server_system, self_user, self_system;
  int ok;
};

static struct cpu_sample sample_cpu(void) {
  struct cpu_sample s = {0};
  s.all_user = all_user_ticks();
  s.ok = s.all_user >= 0 && task_ticks(0, &s.self_user, &s.self_system) == 0 &&
         (!opt.pid || task_ticks(opt.pid, &s.server_user, &s.server_system) == 0);
  return s;
}

/* VmRSS of a process in KiB, or -1. */
static long rss_kib(int pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  long kib = -1;
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, "VmRSS:", 6)) {
      kib = strtol(line + 6, NULL, 10);
      break;
    }
  }
  fclose(f);
  return kib;
}

static const unsigned char *expected_message(const struct connection *c) {
  return pattern + (c->id * 17u + c->round) % 251u;
}

static void set_interest(struct connection *c, int want_out) {
  if (c->want_out == want_out) return;
  struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
    perror("load_client: epoll_ctl");
    exit(1);
  }
  c->want_out = want_out;
}

static void close_connection(struct connection *c, int failed) {
  if (c->state == CLOSED) return;
  if (c->state == IDLE) idle_connections--;
  else active_or_connecting--;
  if (failed) failures++;
  close(c->fd);
  c->state = CLOSED;
  open_connections--;
}

static void record(uint64_t elapsed_ns) {
  counted_round_trips++;
  if (latency_count == latency_capacity) {
    size_t capacity = latency_capacity ? latency_capacity * 2 : 1 << 16;
    if (capacity > (size_t)1 << 28) return; /* enough samples for percentiles */
    uint32_t *grown = realloc(latencies, capacity * sizeof *grown);
    if (!grown) return;
    latencies = grown;
    latency_capacity = capacity;
  }
  latencies[latency_count++] = elapsed_ns > UINT32_MAX ? UINT32_MAX : (uint32_t)elapsed_ns;
}

/* Sends the unsent part of the current message. */
static void send_more(struct connection *c) {
  const unsigned char *message = expected_message(c);
  while (c->sent < opt.size) {
    ssize_t n = send(c->fd, message + c->sent, opt.size - c->sent, MSG_NOSIGNAL);
    if (n > 0) {
      c->sent += (size_t)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_interest(c, 1);
      return;
    } else {
      close_connection(c, 1);
      return;
    }
  }
  set_interest(c, 0);
}

static void start_round(struct connection *c) {
  c->sent = c->received = 0;
  c->started_ns = now_ns();
  send_more(c);
}

static void finish_round(struct connection *c, uint64_t now) {
  last_progress_ns = now;
  if (counting) record(now - c->started_ns);
  c->round++;
  if (opt.hold) {
    c->state = IDLE;
    active_or_connecting--;
    idle_connections++;
    set_interest(c, 0);
    return;
  }
  if (opt.count && counted_round_trips >= opt.count) return;
  start_round(c);
}

static void on_readable(struct connection *c) {
  for (;;) {
    size_t room = c->state == ACTIVE ? opt.size - c->received : 1;
    unsigned char scratch[1];
    unsigned char *into = c->state == ACTIVE ? c->inbox + c->received : scratch;
    ssize_t n = recv(c->fd, into, room, 0);
    if (n == 0) { /* the server closed */
      if (c->state == IDLE) closed_while_idle++;
      close_connection(c, 1);
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (c->state == IDLE) closed_while_idle++;
      close_connection(c, 1);
      return;
    }
    if (c->state != ACTIVE || c->received + (size_t)n > c->sent) {
      /* bytes nobody sent: an idle connection got data, or the echo ran ahead of the message */
      mismatches++;
      close_connection(c, 1);
      return;
    }
    if (memcmp(into, expected_message(c) + c->received, (size_t)n) != 0) {
      mismatches++;
      close_connection(c, 1);
      return;
    }
    c->received += (size_t)n;
    if (c->received == opt.size) {
      finish_round(c, now_ns());
      return; /* one message in flight: nothing more can be waiting */
    }
  }
}

static void on_connected(struct connection *c) {
  int error = 0;
  socklen_t len = sizeof error;
  if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0 || error) {
    connect_failures++;
    close_connection(c, 1);
    return;
  }
  c->state = ACTIVE;
  last_progress_ns = now_ns();
  start_round(c);
}

static void open_connection(struct connection *c) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    perror("load_client: socket");
    exit(1);
  }
  int one = 1;
  /* Without TCP_NODELAY, the short tail of a message larger than the MSS can wait for a delayed ACK. */
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->fd = fd;
  c->state = CONNECTING;
  c->want_out = 1;
  open_connections++;
  active_or_connecting++;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
    perror("load_client: epoll_ctl");
    exit(1);
  }
  if (connect(fd, (struct sockaddr *)&server, sizeof server) < 0 && errno != EINPROGRESS) {
    connect_failures++;
    close_connection(c, 1);
  }
}

static int compare_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static double percentile_us(double p) {
  if (!latency_count) return 0;
  size_t index = (size_t)(p * (double)(latency_count - 1) + 0.5);
  return latencies[index] / 1000.0;
}

static void raise_fd_limit(unsigned needed) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) < 0) return;
  rlim_t want = (rlim_t)needed + 64;
  if (limit.rlim_cur >= want) return;
  /* Raising the hard limit needs CAP_SYS_RESOURCE, which a container may not grant. */
  if (limit.rlim_max < want) limit.rlim_max = want;
  limit.rlim_cur = want;
  if (setrlimit(RLIMIT_NOFILE, &limit) < 0) {
    fprintf(stderr, "load_client: cannot raise the open-file limit to %u (%u connections): %s\n", (unsigned)want,
            needed, strerror(errno));
    exit(1);
  }
}

int main(int argc, char **argv) {
  parse_options(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  raise_fd_limit(opt.connections);

  server.sin_family = AF_INET;
  server.sin_port = htons((unsigned short)opt.port);
  if (inet_pton(AF_INET, opt.host, &server.sin_addr) != 1) fail_usage("--host must be an IPv4 address", opt.host);

  pattern = malloc(opt.size + 256);
  struct connection *connections = calloc(opt.connections, sizeof *connections);
  if (!pattern || !connections) {
    fprintf(stderr, "load_client: out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < opt.size + 256; i++) pattern[i] = (unsigned char)(i * 167u + 13u);
  for (unsigned i = 0; i < opt.connections; i++) {
    connections[i].id = i;
    connections[i].state = CLOSED;
    connections[i].inbox = malloc(opt.size);
    if (!connections[i].inbox) {
      fprintf(stderr, "load_client: out of memory\n");
      return 1;
    }
  }
  epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) {
    perror("load_client: epoll_create1");
    return 1;
  }

  long rss_before = opt.hold ? rss_kib(opt.pid) : -1;
  if (opt.hold && rss_before < 0) {
    fprintf(stderr, "load_client: cannot read /proc/%d/status\n", opt.pid);
    return 1;
  }

  uint64_t start = now_ns();
  last_progress_ns = start;
  uint64_t measure_from = 0, measure_until = 0, settle_until = 0, measured_ns = 0;
  struct cpu_sample cpu_start = {0};
  int stalled = 0;
  unsigned window = opt.hold ? opt.window : opt.connections;
  counting = opt.hold ? 1 : 0;
  struct epoll_event events[512];

  for (;;) {
    while (next_to_open < opt.connections && active_or_connecting < window) {
      open_connection(&connections[next_to_open++]);
    }
    uint64_t now = now_ns();
    if (opt.hold) {
      if (next_to_open == opt.connections && active_or_connecting == 0) {
        if (!settle_until) settle_until = now + (uint64_t)(opt.settle * 1e9);
        if (now >= settle_until) break;
      }
    } else if (!measure_from) {
      /* the warmup starts once every connection is up */
      int all_up = 1;
      for (unsigned i = 0; i < opt.connections && all_up; i++) all_up = connections[i].state != CONNECTING;
      if (all_up) {
        measure_from = now + (uint64_t)(opt.warmup * 1e9);
      }
    } else if (!counting && now >= measure_from) {
      counting = 1;
      counted_round_trips = 0;
      measure_from = now;
      cpu_start = sample_cpu();
      measure_until = opt.count ? 0 : now + (uint64_t)(opt.duration * 1e9);
    } else if (counting && ((measure_until && now >= measure_until) || (opt.count && counted_round_trips >= opt.count))) {
      measured_ns = now - measure_from;
      break;
    }
    if (open_connections == 0 && next_to_open == opt.connections) { /* everything failed */
      if (measure_from && counting) measured_ns = now - measure_from;
      break;
    }
    if (active_or_connecting > 0 && now - last_progress_ns > (uint64_t)(opt.timeout * 1e9)) {
      stalled = 1;
      if (counting && !opt.hold) measured_ns = now - measure_from;
      break;
    }

    int ready = epoll_wait(epoll_fd, events, 512, 50);
    if (ready < 0) {
      if (errno == EINTR) continue;
      perror("load_client: epoll_wait");
      return 1;
    }
    for (int i = 0; i < ready; i++) {
      struct connection *c = events[i].data.ptr;
      if (c->state == CLOSED) continue;
      if (c->state == CONNECTING) {
        on_connected(c);
        continue;
      }
      if ((events[i].events & EPOLLOUT) && c->state == ACTIVE) send_more(c);
      if (c->state != CLOSED && (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) on_readable(c);
    }
  }

  if (opt.hold) {
    long rss_after = rss_kib(opt.pid);
    unsigned held = idle_connections;
    printf("{\"mode\":\"hold\",\"connections\":%u,\"held\":%u,\"size\":%zu,\"connectFailures\":%llu,"
           "\"failures\":%llu,\"mismatches\":%llu,\"closedWhileIdle\":%llu,\"stalled\":%s,"
           "\"rssBeforeKiB\":%ld,\"rssAfterKiB\":%ld,\"bytesPerConnection\":%.0f,\"seconds\":%.3f}\n",
           opt.connections, held, opt.size, (unsigned long long)connect_failures, (unsigned long long)failures,
           (unsigned long long)mismatches, (unsigned long long)closed_while_idle, stalled ? "true" : "false",
           rss_before, rss_after, held && rss_after >= 0 ? (rss_after - rss_before) * 1024.0 / held : 0.0,
           (now_ns() - start) / 1e9);
    return 0;
  }

  struct cpu_sample cpu_end = sample_cpu();
  qsort(latencies, latency_count, sizeof *latencies, compare_u32);
  double seconds = measured_ns / 1e9;
  /* Percent of one core over the measured time; -1 when unknown. */
  double tick_percent = seconds > 0 ? 100.0 / ((double)sysconf(_SC_CLK_TCK) * seconds) : 0;
  int cpu_known = cpu_start.ok && cpu_end.ok && seconds > 0;
  double server_cpu = cpu_known && opt.pid
                          ? ((cpu_end.server_user - cpu_start.server_user) + (cpu_end.server_system - cpu_start.server_system)) * tick_percent
                          : -1;
  double client_cpu =
      cpu_known ? ((cpu_end.self_user - cpu_start.self_user) + (cpu_end.self_system - cpu_start.self_system)) * tick_percent : -1;
  /* User time nobody in this benchmark spent: other programs on the machine disturbing the run. */
  double other_cpu = cpu_known && opt.pid
                         ? ((cpu_end.all_user - cpu_start.all_user) - (cpu_end.server_user - cpu_start.server_user) -
                            (cpu_end.self_user - cpu_start.self_user)) * tick_percent
                         : -1;
  if (other_cpu < 0 && other_cpu != -1) other_cpu = 0; /* tick rounding */
  double per_second = seconds > 0 ? counted_round_trips / seconds : 0;
  printf("{\"mode\":\"load\",\"connections\":%u,\"size\":%zu,\"warmupSeconds\":%g,\"seconds\":%.3f,"
         "\"roundTrips\":%llu,\"roundTripsPerSecond\":%.1f,\"megabytesPerSecond\":%.2f,"
         "\"p50Microseconds\":%.1f,\"p99Microseconds\":%.1f,\"mismatches\":%llu,\"failures\":%llu,"
         "\"connectFailures\":%llu,\"stalled\":%s,\"serverCpuPercent\":%.0f,\"clientCpuPercent\":%.0f,"
         "\"otherUserCpuPercent\":%.0f}\n",
         opt.connections, opt.size, opt.warmup, seconds, (unsigned long long)counted_round_trips, per_second,
         per_second * (double)opt.size / 1e6, percentile_us(0.50), percentile_us(0.99),
         (unsigned long long)mismatches, (unsigned long long)failures, (unsigned long long)connect_failures,
         stalled ? "true" : "false", server_cpu, client_cpu, other_cpu);
  return 0;
}

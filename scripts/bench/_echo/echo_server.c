/*
 * The reference echo server of the echo benchmark (scripts/bench/echo.ts): single-threaded,
 * epoll, level-triggered, non-blocking sockets. It exists to show the load client is not the
 * bottleneck: if the client drives this server faster than any runtime's server, the runtime
 * figures measure the server.
 *
 * Usage: echo_server [--host 127.0.0.1] [--port 0]
 * Prints "listening on HOST:PORT" on stdout once it accepts; runs until killed.
 *
 * Each connection echoes what it reads. When the kernel takes only part of a write, the rest is
 * kept, reading from that connection stops, and EPOLLOUT drives the rest out: memory per
 * connection stays bounded by one read buffer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { READ_BUFFER = 65536, MAX_EVENTS = 256 };

struct connection {
  int fd;
  size_t pending_offset; /* bytes of buf already written */
  size_t pending_length; /* bytes of buf read and not yet fully written */
  unsigned char *buf;
};

static int epoll_fd;

static void die(const char *what) {
  fprintf(stderr, "echo_server: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void close_connection(struct connection *c) {
  close(c->fd); /* closing removes it from the epoll set */
  free(c->buf);
  free(c);
}

static void watch(struct connection *c, unsigned events, int op) {
  struct epoll_event ev = {.events = events, .data.ptr = c};
  if (epoll_ctl(epoll_fd, op, c->fd, &ev) < 0) die("epoll_ctl");
}

/* Writes what is pending; returns 1 when all of it is out, 0 when the kernel is full, -1 on error. */
static int flush_pending(struct connection *c) {
  while (c->pending_offset < c->pending_length) {
    ssize_t n = send(c->fd, c->buf + c->pending_offset, c->pending_length - c->pending_offset, MSG_NOSIGNAL);
    if (n > 0) {
      c->pending_offset += (size_t)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return 0;
    } else {
      return -1;
    }
  }
  c->pending_offset = c->pending_length = 0;
  return 1;
}

static void on_readable(struct connection *c) {
  for (;;) {
    ssize_t n = recv(c->fd, c->buf, READ_BUFFER, 0);
    if (n == 0) {
      close_connection(c);
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      close_connection(c);
      return;
    }
    c->pending_offset = 0;
    c->pending_length = (size_t)n;
    int flushed = flush_pending(c);
    if (flushed < 0) {
      close_connection(c);
      return;
    }
    if (flushed == 0) {
      watch(c, EPOLLOUT, EPOLL_CTL_MOD);
      return;
    }
    if ((size_t)n < READ_BUFFER) return; /* the socket is most likely drained: skip the EAGAIN read */
  }
}

static void on_writable(struct connection *c) {
  int flushed = flush_pending(c);
  if (flushed < 0) {
    close_connection(c);
  } else if (flushed == 1) {
    watch(c, EPOLLIN, EPOLL_CTL_MOD);
  }
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  int port = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) {
      host = argv[++i];
    } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      port = atoi(argv[++i]);
    } else {
      fprintf(stderr, "Usage: echo_server [--host 127.0.0.1] [--port 0]\n");
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);

  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listener < 0) die("socket");
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    fprintf(stderr, "echo_server: --host must be an IPv4 address: got %s\n", host);
    return 2;
  }
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
  if (listen(listener, 4096) < 0) die("listen");
  socklen_t len = sizeof addr;
  if (getsockname(listener, (struct sockaddr *)&addr, &len) < 0) die("getsockname");

  epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) die("epoll_create1");
  struct epoll_event listen_event = {.events = EPOLLIN, .data.ptr = NULL};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &listen_event) < 0) die("epoll_ctl");

  printf("listening on %s:%d\n", host, ntohs(addr.sin_port));
  fflush(stdout);

  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int ready = epoll_wait(epoll_fd, events, MAX_EVENTS, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < ready; i++) {
      struct connection *c = events[i].data.ptr;
      if (c == NULL) {
        for (;;) {
          int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd < 0) break; /* EAGAIN, or a transient error such as EMFILE: try on the next wakeup */
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct connection *nc = calloc(1, sizeof *nc);
          if (nc == NULL) die("calloc");
          nc->fd = fd;
          /* Untouched pages of this buffer are never made resident, so an idle connection
             costs about one page of it. */
          nc->buf = malloc(READ_BUFFER);
          if (nc->buf == NULL) die("malloc");
          watch(nc, EPOLLIN, EPOLL_CTL_ADD);
        }
      } else if (c->pending_length > 0) {
        on_writable(c); /* EPOLLOUT, or an error that the next send reports */
      } else {
        on_readable(c);
      }
    }
  }
}

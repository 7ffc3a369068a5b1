// udp-churn RATE SECONDS [FIRST]: sends one UDP datagram to each of RATE new (127.x.y.z, port)
// destinations per second for SECONDS seconds, from one socket on 127.0.0.1: every datagram makes a
// new conntrack entry. Batches of 64 go out with one sendmmsg call, paced against the clock so the
// rate holds on a busy machine (and catches up after a stall). Prints {"sent":N,"seconds":S} at the end.
// Built by the benchmark with gcc (bench/src/churn.ts); Node's dgram costs a core at this rate.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PORTS 1000

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: udp-churn RATE SECONDS [FIRST]\n");
    return 2;
  }
  double rate = atof(argv[1]), seconds = atof(argv[2]);
  unsigned long next = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
  if (rate <= 0 || seconds <= 0) {
    fprintf(stderr, "udp-churn: RATE and SECONDS must be positive\n");
    return 2;
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in local = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof local) < 0) {
    perror("udp-churn: socket");
    return 1;
  }
  static struct sockaddr_in to[BATCH];
  static struct mmsghdr msgs[BATCH];
  static struct iovec iov = {.iov_base = "x", .iov_len = 1};
  unsigned long sent = 0, failed = 0;
  double start = now(), end = start + seconds;
  for (;;) {
    double t = now();
    if (t >= end) break;
    // How many should have gone out by now; sleep until the next batch is due.
    double due = (t - start) * rate;
    if ((double)sent + failed + BATCH > due) {
      double wait = ((double)sent + failed + BATCH - due) / rate;
      struct timespec ts = {.tv_sec = (time_t)wait, .tv_nsec = (long)((wait - (time_t)wait) * 1e9)};
      nanosleep(&ts, NULL);
      continue;
    }
    for (int i = 0; i < BATCH; i++, next++) {
      // 127.0.0.0/8 is all loopback: host part from 1 up, PORTS ports per address (2^24 / PORTS wraps
      // after 16 billion flows).
      unsigned long host = (next / PORTS) % 0xfffffe + 1;
      to[i] = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(10000 + next % PORTS), .sin_addr.s_addr = htonl(0x7f000000 | host)};
      msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &to[i], .msg_namelen = sizeof to[i], .msg_iov = &iov, .msg_iovlen = 1}};
    }
    int n = sendmmsg(fd, msgs, BATCH, 0);
    if (n < 0) {
      if (errno != EINTR && errno != ECONNREFUSED && errno != ENOBUFS && errno != EAGAIN) {
        perror("udp-churn: sendmmsg");
        return 1;
      }
      failed += BATCH;
    } else {
      sent += n;
      failed += BATCH - n;
    }
  }
  printf("{\"sent\":%lu,\"failed\":%lu,\"next\":%lu,\"seconds\":%.3f}\n", sent, failed, next, now() - start);
  return 0;
}

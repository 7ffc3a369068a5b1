/*
 * Packets conntrack tests need and Node cannot send (IPv4 only; run inside a test namespace, as root).
 *
 *   ctpackets udp-race  <src-ip> <first-sport> <dst-ip> <dport> <rounds> [threads]
 *       THREADS threads (default 2), each pinned to a CPU of its own, each with a UDP socket bound with
 *       SO_REUSEPORT to the same source address and port, wait at a barrier and send the first packet of
 *       the same 5-tuple at once: the conntrack insert race of kubernetes#56903. Each round uses the next
 *       source port, so every round races to create one new entry.
 *   ctpackets tcp-race  <src-ip> <first-sport> <dst-ip> <dport> <rounds>
 *       The same with two raw sockets sending one TCP SYN each (TCP clashes are never resolved).
 *   ctpackets tcp-flags <src-ip> <sport> <dst-ip> <dport> <count> <flags>
 *       COUNT raw TCP segments with FLAGS (letters of FSRPAU, e.g. SF = SYN+FIN: always INVALID).
 *
 * Prints {"sent":S,"failed":F}: F counts sendto errors, EPERM when netfilter dropped the packet.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_THREADS 8

static struct sockaddr_in src, dst;
static int rounds, threads, first_port, tcp_mode;
static pthread_barrier_t barrier;
static long sent[MAX_THREADS], failed[MAX_THREADS];

static unsigned short checksum(const void *data, int len) {
  const unsigned short *p = data;
  unsigned long sum = 0;
  for (; len > 1; len -= 2) sum += *p++;
  if (len) sum += *(const unsigned char *)p;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (unsigned short)~sum;
}

/* One TCP header (no options, no payload) with a correct checksum, sent on a raw socket. */
static int send_tcp(int fd, int sport, unsigned char flags) {
  struct {
    unsigned int saddr, daddr;
    unsigned char zero, proto;
    unsigned short len;
    struct tcphdr tcp;
  } pseudo;
  memset(&pseudo, 0, sizeof pseudo);
  pseudo.saddr = src.sin_addr.s_addr;
  pseudo.daddr = dst.sin_addr.s_addr;
  pseudo.proto = IPPROTO_TCP;
  pseudo.len = htons(sizeof(struct tcphdr));
  pseudo.tcp.source = htons(sport);
  pseudo.tcp.dest = dst.sin_port;
  pseudo.tcp.seq = htonl(0x10000000u + sport);
  pseudo.tcp.doff = 5;
  pseudo.tcp.window = htons(8192);
  pseudo.tcp.th_flags = flags;
  pseudo.tcp.check = checksum(&pseudo, sizeof pseudo);
  return sendto(fd, &pseudo.tcp, sizeof pseudo.tcp, 0, (struct sockaddr *)&dst, sizeof dst) < 0 ? -1 : 0;
}

static int udp_socket(int port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int one = 1;
  if (fd < 0) return -1;
  struct sockaddr_in a = src;
  a.sin_port = htons(port);
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static void *racer(void *arg) {
  long id = (long)arg;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(id % sysconf(_SC_NPROCESSORS_ONLN), &set);
  sched_setaffinity(0, sizeof set, &set);
  int raw = tcp_mode ? socket(AF_INET, SOCK_RAW, IPPROTO_TCP) : -1;
  for (int r = 0; r < rounds; r++) {
    int port = first_port + r;
    int fd = tcp_mode ? raw : udp_socket(port);
    pthread_barrier_wait(&barrier);
    int ok = fd >= 0 && (tcp_mode ? send_tcp(fd, port, TH_SYN) == 0 : sendto(fd, "race", 4, 0, (struct sockaddr *)&dst, sizeof dst) >= 0);
    if (ok) sent[id]++;
    else failed[id]++;
    pthread_barrier_wait(&barrier);
    if (!tcp_mode && fd >= 0) close(fd);
  }
  if (raw >= 0) close(raw);
  return NULL;
}

static unsigned char parse_flags(const char *text) {
  unsigned char flags = 0;
  for (; *text; text++) {
    const char *at = strchr("FSRPAU", *text);
    if (!at) return 0;
    flags |= (unsigned char)(1u << (at - "FSRPAU"));
  }
  return flags;
}

static int usage(void) {
  fprintf(stderr, "usage: ctpackets udp-race|tcp-race <src-ip> <first-sport> <dst-ip> <dport> <rounds> [threads]\n"
                  "       ctpackets tcp-flags <src-ip> <sport> <dst-ip> <dport> <count> <flags>\n");
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 7) return usage();
  src.sin_family = dst.sin_family = AF_INET;
  if (inet_pton(AF_INET, argv[2], &src.sin_addr) != 1 || inet_pton(AF_INET, argv[4], &dst.sin_addr) != 1) return usage();
  first_port = atoi(argv[3]);
  dst.sin_port = htons(atoi(argv[5]));
  rounds = atoi(argv[6]);
  if (first_port < 1 || rounds < 1 || first_port + rounds > 65536) return usage();
  long total_sent = 0, total_failed = 0;
  if (strcmp(argv[1], "tcp-flags") == 0) {
    unsigned char flags = argc > 7 ? parse_flags(argv[7]) : 0;
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
    if (!flags || fd < 0) return usage();
    for (int i = 0; i < rounds; i++) {
      if (send_tcp(fd, first_port, flags) == 0) total_sent++;
      else total_failed++;
    }
    close(fd);
  } else if (strcmp(argv[1], "udp-race") == 0 || strcmp(argv[1], "tcp-race") == 0) {
    tcp_mode = argv[1][0] == 't';
    threads = tcp_mode ? 2 : argc > 7 ? atoi(argv[7]) : 2;
    if (threads < 2 || threads > MAX_THREADS) return usage();
    pthread_barrier_init(&barrier, NULL, threads);
    pthread_t t[MAX_THREADS];
    for (long i = 0; i < threads; i++) pthread_create(&t[i], NULL, racer, (void *)i);
    for (int i = 0; i < threads; i++) {
      pthread_join(t[i], NULL);
      total_sent += sent[i];
      total_failed += failed[i];
    }
  } else {
    return usage();
  }
  printf("{\"sent\":%ld,\"failed\":%ld}\n", total_sent, total_failed);
  return 0;
}

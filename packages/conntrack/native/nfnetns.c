// Entry counts of other network namespaces, the way `conntrack -C` asks for its own: one
// IPCTNL_MSG_CT_GET_STATS request, answered with CTA_STATS_GLOBAL_ENTRIES (O(1), no dump). A netlink
// socket talks to the namespace it was created in, so a thread of our own joins each namespace in turn
// (setns only moves the calling thread), creates a socket there and asks. The thread ends with the pass,
// so no thread of Node's or libuv's ever runs in another namespace.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <node_api.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "nfnetns.h"

#define MAX_PATHS 65536
#define PATH_BYTES 256
// Per path: the namespace inode, its entry count, errno (0 when counted).
#define FIELDS 3

typedef struct {
  char (*paths)[PATH_BYTES];
  uint32_t count;
  double *results;
  double cpu_seconds;
  uv_thread_t thread;
  uv_async_t async;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
} netns_job;

// Asks the namespace this thread is in for its entry count; 0 or an errno.
static int ask_count(uint32_t seq, uint32_t *entries) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) return errno;
  int err = 0;
  struct timeval timeout = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  struct sockaddr_nl addr;
  memset(&addr, 0, sizeof addr);
  addr.nl_family = AF_NETLINK;
  struct {
    struct nlmsghdr header;
    struct nfgenmsg nfgen;
  } request;
  memset(&request, 0, sizeof request);
  uint16_t type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS;
  request.header.nlmsg_len = sizeof request;
  request.header.nlmsg_type = type;
  request.header.nlmsg_flags = NLM_F_REQUEST;
  request.header.nlmsg_seq = seq;
  request.nfgen.nfgen_family = AF_UNSPEC;
  request.nfgen.version = NFNETLINK_V0;
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || send(fd, &request, sizeof request, 0) < 0) {
    err = errno;
    close(fd);
    return err;
  }
  char buffer[8192] __attribute__((aligned(4)));
  for (;;) {
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    int answered = 0;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buffer; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(h);
        err = h->nlmsg_len >= NLMSG_LENGTH(sizeof *e) && e->error ? -e->error : ENODATA;
        answered = 1;
        break;
      }
      if (h->nlmsg_type != type) continue;
      err = ENODATA;
      const char *p = (const char *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(struct nfgenmsg));
      const char *end = (const char *)h + h->nlmsg_len;
      while (p + NLA_HDRLEN <= end) {
        const struct nlattr *a = (const struct nlattr *)p;
        if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end) break;
        if ((a->nla_type & NLA_TYPE_MASK) == CTA_STATS_GLOBAL_ENTRIES && a->nla_len >= NLA_HDRLEN + 4) {
          uint32_t value;
          memcpy(&value, p + NLA_HDRLEN, 4);
          *entries = ntohl(value);
          err = 0;
        }
        p += NLA_ALIGN(a->nla_len);
      }
      answered = 1;
      break;
    }
    if (answered) break;
  }
  close(fd);
  return err;
}

static void count_all(void *arg) {
  netns_job *job = (netns_job *)arg;
  for (uint32_t i = 0; i < job->count; i++) {
    double *out = job->results + (size_t)i * FIELDS;
    int nsfd = open(job->paths[i], O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) {
      out[2] = errno;
      continue;
    }
    struct stat st, here;
    memset(&st, 0, sizeof st);
    uint32_t entries = 0;
    int err = fstat(nsfd, &st) < 0 ? errno : 0;
    // Already there (the agent's own namespace, first in a pass): no setns, which needs CAP_SYS_ADMIN.
    int inside = !err && stat("/proc/thread-self/ns/net", &here) == 0 && here.st_ino == st.st_ino && here.st_dev == st.st_dev;
    if (!err && !inside && setns(nsfd, CLONE_NEWNET) < 0) err = errno;
    if (!err) err = ask_count(i + 1, &entries);
    close(nsfd);
    out[0] = (double)st.st_ino;
    out[1] = entries;
    out[2] = err;
  }
  struct timespec cpu;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0) job->cpu_seconds = cpu.tv_sec + cpu.tv_nsec / 1e9;
  uv_async_send(&job->async);
}

static void free_job(uv_handle_t *handle) {
  netns_job *job = (netns_job *)handle->data;
  free(job->paths);
  free(job->results);
  free(job);
}

static void on_done(uv_async_t *async) {
  netns_job *job = (netns_job *)async->data;
  uv_thread_join(&job->thread);
  napi_env env = job->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback, global, argv[2], result, array;
  void *data;
  size_t bytes = (size_t)job->count * FIELDS * sizeof(double);
  napi_create_arraybuffer(env, bytes, &data, &array);
  if (bytes) memcpy(data, job->results, bytes);
  napi_create_typedarray(env, napi_float64_array, (size_t)job->count * FIELDS, array, 0, &argv[0]);
  napi_create_double(env, job->cpu_seconds, &argv[1]);
  napi_get_reference_value(env, job->callback, &callback);
  napi_get_global(env, &global);
  napi_make_callback(env, job->context, global, callback, 2, argv, &result);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
  napi_close_handle_scope(env, scope);
  napi_delete_reference(env, job->callback);
  napi_async_destroy(env, job->context);
  uv_close((uv_handle_t *)&job->async, free_job);
}

// countNetns(paths: string[], callback(results: Float64Array, threadCpuSeconds: number)) — results
// hold, per path, the namespace's inode, its entry count and an errno (0 when counted).
napi_value nfnetns_count(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  bool is_array = false;
  uint32_t count = 0;
  napi_valuetype callback_type = napi_undefined;
  if (argc < 2 || napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[0], &count) != napi_ok || count > MAX_PATHS ||
      napi_typeof(env, argv[1], &callback_type) != napi_ok || callback_type != napi_function) {
    napi_throw_type_error(env, NULL, "countNetns(paths: string[] (at most 65536), callback)");
    return NULL;
  }
  netns_job *job = calloc(1, sizeof *job);
  job->paths = calloc(count ? count : 1, PATH_BYTES);
  job->results = calloc(count ? (size_t)count * FIELDS : 1, sizeof(double));
  job->count = count;
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    size_t length = 0;
    if (napi_get_element(env, argv[0], i, &item) != napi_ok || napi_get_value_string_utf8(env, item, job->paths[i], PATH_BYTES, &length) != napi_ok ||
        length >= PATH_BYTES - 1) {
      free(job->paths);
      free(job->results);
      free(job);
      napi_throw_type_error(env, NULL, "countNetns: each path must be a string shorter than 255 bytes");
      return NULL;
    }
  }
  job->env = env;
  napi_create_reference(env, argv[1], 1, &job->callback);
  napi_value name;
  napi_create_string_utf8(env, "ctscope:nfnetns", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &job->context);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_async_init(loop, &job->async, on_done);
  job->async.data = job;
  if (uv_thread_create(&job->thread, count_all, job) != 0) {
    napi_delete_reference(env, job->callback);
    napi_async_destroy(env, job->context);
    uv_close((uv_handle_t *)&job->async, free_job);
    napi_throw_error(env, "ETHREAD", "cannot start the namespace counting thread");
  }
  return NULL;
}

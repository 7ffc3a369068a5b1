// Minimal N-API addon for ctnetlink sockets (event sockets here, threaded dumps in nfdump.c). The npm `netlink` package aborts the process when
// recvmsg reports ENOBUFS (lost events) and cannot set SO_RCVBUFFORCE; this addon does only those
// two things right: an event socket whose overruns arrive as a callback, and a forced receive buffer.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "nfbatch.h"
#include "napi_check.h"
#include "nfdump.h"
#include "nfnetns.h"
// Datagrams read in one wakeup go to JavaScript together (each holds whole, aligned messages, so their
// concatenation parses as one stream): one callback and one buffer per wakeup instead of per event,
// which is what lets one thread follow 100,000 events a second. A read needs RECV_SIZE free bytes
// (event datagrams are far smaller; a dump's are at most 32 KiB).
#define RECV_SIZE 65536
#define BATCH_SIZE (4 * 1024 * 1024)
#define READS_PER_WAKEUP 4096

typedef struct {
  int fd;
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  char *buffer;
  int closed;
  // The kernel's count of events it dropped for this socket (SK_MEMINFO_DROPS), as last reported.
  uint32_t drops;
} event_socket;

// Calls callback(buffer | null, errno, drops) inside a handle scope, as Node expects from native events.
static void deliver(event_socket *s, const char *data, size_t length, int err) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, recv, argv[3], result;
  napi_get_reference_value(env, s->callback, &callback);
  napi_get_global(env, &recv);
  if (data) {
    void *copy;
    napi_create_buffer_copy(env, length, data, &copy, &argv[0]);
  } else {
    napi_get_null(env, &argv[0]);
  }
  napi_create_int32(env, err, &argv[1]);
  napi_create_uint32(env, s->drops, &argv[2]);
  napi_make_callback(env, s->context, recv, callback, 3, argv, &result);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
  napi_close_handle_scope(env, scope);
}

// The kernel counts every event it drops for a socket, but reports ENOBUFS only for the first drop
// after the receive queue was last empty: drops while it stays congested say nothing. This count
// catches those too. Returns whether it grew since last reported.
static int drops_grew(event_socket *s) {
  uint32_t meminfo[SK_MEMINFO_VARS];
  socklen_t length = sizeof meminfo;
  if (getsockopt(s->fd, SOL_SOCKET, SO_MEMINFO, meminfo, &length) < 0 || length <= SK_MEMINFO_DROPS * sizeof(uint32_t)) return 0;
  uint32_t drops = meminfo[SK_MEMINFO_DROPS];
  if (drops == s->drops) return 0;
  s->drops = drops;
  return 1;
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  event_socket *s = (event_socket *)poll->data;
  if (s->closed) return;
  if (status < 0) {
    // An overrun sets the socket error, poll() reports POLLERR and libuv stops this handle. The recv
    // below reads (and clears) that error; polling starts again so the subscription keeps going.
    uv_poll_start(&s->poll, UV_READABLE, on_readable);
  }
  size_t used = 0;
  int overrun = 0;
  for (int i = 0; i < READS_PER_WAKEUP && !s->closed && BATCH_SIZE - used >= RECV_SIZE; i++) {
    ssize_t n = recv(s->fd, s->buffer + used, BATCH_SIZE - used, MSG_DONTWAIT);
    if (n >= 0) {
      used += (size_t)n;
      continue;
    }
    int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) break;
    // ENOBUFS: the kernel dropped events for us; the socket stays usable. Events read so far go first.
    if (used > 0) deliver(s, s->buffer, used, 0);
    used = 0;
    if (err != ENOBUFS) {
      deliver(s, NULL, 0, err);
      return;
    }
    overrun = 1;
  }
  if (used > 0 && !s->closed) deliver(s, s->buffer, used, 0);
  if ((drops_grew(s) || overrun) && !s->closed) deliver(s, NULL, 0, ENOBUFS);
}

static void free_socket(uv_handle_t *handle) {
  event_socket *s = (event_socket *)handle->data;
  free(s->buffer);
  free(s);
}

// open(groupsMask, receiveBufferBytes, callback) -> external handle
static napi_value open_socket(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint32_t groups = 0;
  int32_t rcvbuf = 0;
  CHECK(napi_get_value_uint32(env, argv[0], &groups));
  CHECK(napi_get_value_int32(env, argv[1], &rcvbuf));

  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_NETFILTER);
  if (fd < 0) {
    napi_throw_error(env, "ESOCKET", strerror(errno));
    return NULL;
  }
  if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0) {
    // Without CAP_NET_ADMIN the kernel caps the request at net.core.rmem_max.
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  }
  struct sockaddr_nl addr;
  memset(&addr, 0, sizeof addr);
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = groups;
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int err = errno;
    close(fd);
    napi_throw_error(env, "EBIND", strerror(err));
    return NULL;
  }

  event_socket *s = calloc(1, sizeof *s);
  s->fd = fd;
  s->env = env;
  s->buffer = malloc(BATCH_SIZE);
  CHECK(napi_create_reference(env, argv[2], 1, &s->callback));
  napi_value name;
  CHECK(napi_create_string_utf8(env, "ctscope:nfevents", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, NULL, name, &s->context));
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  uv_poll_init(loop, &s->poll, fd);
  s->poll.data = s;
  uv_poll_start(&s->poll, UV_READABLE, on_readable);

  napi_value handle;
  CHECK(napi_create_external(env, s, NULL, NULL, &handle));
  return handle;
}

static event_socket *unwrap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return NULL;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok) return NULL;
  return (event_socket *)data;
}

// close(handle)
static napi_value close_socket(napi_env env, napi_callback_info info) {
  event_socket *s = unwrap(env, info);
  if (!s || s->closed) return NULL;
  s->closed = 1;
  uv_poll_stop(&s->poll);
  close(s->fd);
  napi_delete_reference(env, s->callback);
  napi_async_destroy(env, s->context);
  uv_close((uv_handle_t *)&s->poll, free_socket);
  return NULL;
}

// receiveBufferBytes(handle) -> SO_RCVBUF as the kernel reports it (twice the usable size)
static napi_value receive_buffer(napi_env env, napi_callback_info info) {
  event_socket *s = unwrap(env, info);
  int value = 0;
  socklen_t length = sizeof value;
  if (s && !s->closed) getsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &value, &length);
  napi_value result;
  napi_create_int32(env, value, &result);
  return result;
}

// unref(handle) / ref(handle): whether the socket keeps the event loop alive
static napi_value unref_socket(napi_env env, napi_callback_info info) {
  event_socket *s = unwrap(env, info);
  if (s && !s->closed) uv_unref((uv_handle_t *)&s->poll);
  return NULL;
}

// growPipe(fd, bytes) -> the pipe's capacity after asking for `bytes` (F_SETPIPE_SZ), or -errno. A
// listing written into `| wc -l` through the default 64 KiB pipe wakes the reader and blocks the writer
// 16 times per MiB; a larger pipe lets whole chunks through at once.
static napi_value grow_pipe(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd = -1, bytes = 0;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_int32(env, argv[1], &bytes));
  int size = fcntl(fd, F_SETPIPE_SZ, bytes);
  if (size < 0) size = -errno;
  napi_value result;
  CHECK(napi_create_int32(env, size, &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, open_socket, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_socket, NULL, NULL, NULL, napi_default, NULL},
      {"receiveBufferBytes", NULL, receive_buffer, NULL, NULL, NULL, napi_default, NULL},
      {"unref", NULL, unref_socket, NULL, NULL, NULL, napi_default, NULL},
      {"dumpInto", NULL, nfdump_start, NULL, NULL, NULL, napi_default, NULL},
      {"growPipe", NULL, grow_pipe, NULL, NULL, NULL, napi_default, NULL},
      {"countNetns", NULL, nfnetns_count, NULL, NULL, NULL, napi_default, NULL},
      {"encodeRepeats", NULL, nfbatch_encode_repeats, NULL, NULL, NULL, napi_default, NULL},
      {"numberMessages", NULL, nfbatch_number_messages, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

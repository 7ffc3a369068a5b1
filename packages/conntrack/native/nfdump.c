// Threaded ctnetlink dump: a thread of our own receives the dump (the kernel builds each chunk
// inside recvmsg, so this is where the kernel's time goes) while the JavaScript thread decodes the
// chunks already received. The queue between them is a fixed ring of receive buffers, so memory
// stays bounded and nothing is allocated per chunk. Received
// chunks reach JavaScript copied into one buffer the caller owns and the addon reuses for every batch
// (a fresh buffer per batch cost more in page faults than the copy itself). The thread is ours, not
// libuv's pool: a process that exits mid-dump (an uncaught error, EPIPE on stdout) does not wait for
// it, whereas the pool is joined at exit and a receiver blocked on a full queue would hang the exit.
#include <errno.h>
#include <linux/netlink.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "nfdump.h"

#define CHUNK_SIZE 32768
// Chunks the receiver may run ahead of JavaScript: 64 (2 MiB) unless the caller asks for more, up to
// MAX_QUEUED (32 MiB). A one-shot listing asks for more: on a busy machine its JavaScript thread waits
// for a CPU, or for the pipe it writes to, and a receiver that had to wait for it would stall the dump.
#define DEFAULT_QUEUED 64
#define MAX_QUEUED 1024
// Wake the JavaScript thread once this many chunks wait (or the dump ends): a wakeup per 32 KiB chunk
// costs both threads more than the batching delays decoding.
#define WAKE_AFTER 8

typedef struct {
  int fd;
  uint32_t seq;
  char *request;
  size_t request_length;
  uv_thread_t thread;
  int done;
  uv_async_t async;
  uv_mutex_t lock;
  uv_cond_t drained;
  // A ring of MAX_QUEUED receive buffers, each allocated once on first use: `queued` full ones from
  // `head`; the receiver fills the one after them. No allocation per chunk, so no memory churn.
  char *slots[MAX_QUEUED];
  size_t lengths[MAX_QUEUED];
  int ring; // slots in use: DEFAULT_QUEUED..MAX_QUEUED
  int head;
  int queued;
  int finished;
  int error;
  napi_env env;
  napi_ref callback;
  napi_ref target_ref;
  char *target;
  size_t target_length;
  napi_async_context context;
} dump_job;

// True when the datagram holds NLMSG_DONE or NLMSG_ERROR for our sequence number (the dump's end).
static int ends_dump(const char *data, size_t length, uint32_t seq) {
  size_t off = 0;
  while (off + NLMSG_HDRLEN <= length) {
    const struct nlmsghdr *h = (const struct nlmsghdr *)(data + off);
    if (h->nlmsg_len < NLMSG_HDRLEN || off + h->nlmsg_len > length) return 1;
    if (h->nlmsg_seq == seq && (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)) return 1;
    off += NLMSG_ALIGN(h->nlmsg_len);
  }
  return 0;
}

static void receive_chunks(dump_job *job) {
  if (send(job->fd, job->request, job->request_length, 0) < 0) {
    job->error = errno;
    return;
  }
  for (;;) {
    uv_mutex_lock(&job->lock);
    while (job->queued >= job->ring) uv_cond_wait(&job->drained, &job->lock);
    int slot = (job->head + job->queued) % job->ring;
    uv_mutex_unlock(&job->lock);
    // The slot after the full ones is the receiver's alone until it is counted in `queued`.
    if (!job->slots[slot] && !(job->slots[slot] = malloc(CHUNK_SIZE))) {
      job->error = ENOMEM;
      return;
    }
    char *data = job->slots[slot];
    ssize_t n;
    do n = recv(job->fd, data, CHUNK_SIZE, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
      job->error = errno;
      return;
    }
    job->lengths[slot] = (size_t)n;
    int last = ends_dump(data, (size_t)n, job->seq);
    uv_mutex_lock(&job->lock);
    int wake = ++job->queued >= WAKE_AFTER;
    uv_mutex_unlock(&job->lock);
    // finish() delivers whatever is left once the dump ends.
    if (wake) uv_async_send(&job->async);
    if (last) return;
  }
}

static void receive_loop(void *arg) {
  dump_job *job = (dump_job *)arg;
  receive_chunks(job);
  uv_mutex_lock(&job->lock);
  job->done = 1;
  uv_mutex_unlock(&job->lock);
  uv_async_send(&job->async);
}

static void call_back(dump_job *job, napi_value target, size_t length, int finished) {
  napi_env env = job->env;
  napi_value callback, global, argv[4], result;
  argv[0] = target;
  napi_create_uint32(env, (uint32_t)length, &argv[1]);
  napi_get_boolean(env, finished, &argv[2]);
  napi_create_int32(env, job->error, &argv[3]);
  napi_get_reference_value(env, job->callback, &callback);
  napi_get_global(env, &global);
  napi_make_callback(env, job->context, global, callback, 4, argv, &result);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
}

// Hands the queued chunks to JavaScript: as many whole chunks as fit in the caller's buffer per call
// (datagrams end on message boundaries, so their concatenation is a valid message stream):
// callback(buffer, length, finished, errno). The buffer is reused once the callback returns.
static void deliver(dump_job *job, int finished) {
  uv_mutex_lock(&job->lock);
  int head = job->head;
  int count = job->queued;
  uv_mutex_unlock(&job->lock);
  if (!count && !finished) return;

  napi_env env = job->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value target;
  napi_get_reference_value(env, job->target_ref, &target);
  int final_sent = 0;
  while (count > 0) {
    size_t used = 0;
    int taken = 0;
    while (taken < count && used + job->lengths[(head + taken) % job->ring] <= job->target_length) {
      int slot = (head + taken) % job->ring;
      memcpy(job->target + used, job->slots[slot], job->lengths[slot]);
      used += job->lengths[slot];
      taken++;
    }
    if (taken == 0) {
      // Cannot happen (chunks are at most CHUNK_SIZE, the buffer at least that): drop, do not spin.
      taken = 1;
      if (!job->error) job->error = EMSGSIZE;
    }
    // Copied out: the receiver may refill these slots while JavaScript reads the batch.
    uv_mutex_lock(&job->lock);
    job->head = (job->head + taken) % job->ring;
    job->queued -= taken;
    uv_cond_signal(&job->drained);
    uv_mutex_unlock(&job->lock);
    head = (head + taken) % job->ring;
    count -= taken;
    if (used == 0) continue;
    int last = finished && count == 0;
    call_back(job, target, used, last);
    final_sent = last;
  }
  if (finished && !final_sent) call_back(job, target, 0, 1);
  napi_close_handle_scope(env, scope);
}

static void free_job(uv_handle_t *handle) {
  dump_job *job = (dump_job *)handle->data;
  uv_mutex_destroy(&job->lock);
  uv_cond_destroy(&job->drained);
  for (int i = 0; i < MAX_QUEUED; i++) free(job->slots[i]);
  free(job->request);
  free(job);
}

static void finish(dump_job *job) {
  uv_thread_join(&job->thread);
  close(job->fd);
  deliver(job, 1);
  napi_delete_reference(job->env, job->callback);
  napi_delete_reference(job->env, job->target_ref);
  napi_async_destroy(job->env, job->context);
  uv_close((uv_handle_t *)&job->async, free_job);
}

static void on_async(uv_async_t *async) {
  dump_job *job = (dump_job *)async->data;
  uv_mutex_lock(&job->lock);
  int done = job->done;
  uv_mutex_unlock(&job->lock);
  if (done) finish(job);
  else deliver(job, 0);
}

// dumpInto(request: Buffer, seq: number, target: Buffer, callback, readAhead?: number) — runs one dump
// request on a fresh socket; batches arrive in `target` (at least CHUNK_SIZE bytes), reused from one
// callback to the next; the receiver runs at most `readAhead` chunks ahead (see DEFAULT_QUEUED).
napi_value nfdump_start(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *request;
  size_t request_length;
  uint32_t seq;
  void *target;
  size_t target_length;
  napi_valuetype callback_type = napi_undefined;
  if (argc < 4 || napi_get_buffer_info(env, argv[0], &request, &request_length) != napi_ok || napi_get_value_uint32(env, argv[1], &seq) != napi_ok ||
      napi_get_buffer_info(env, argv[2], &target, &target_length) != napi_ok || target_length < CHUNK_SIZE || napi_typeof(env, argv[3], &callback_type) != napi_ok ||
      callback_type != napi_function) {
    napi_throw_type_error(env, NULL, "dumpInto(request: Buffer, seq: number, target: Buffer of at least 32 KiB, callback)");
    return NULL;
  }
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) {
    napi_throw_error(env, "ESOCKET", strerror(errno));
    return NULL;
  }
  int rcvbuf = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_nl addr;
  memset(&addr, 0, sizeof addr);
  addr.nl_family = AF_NETLINK;
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int err = errno;
    close(fd);
    napi_throw_error(env, "EBIND", strerror(err));
    return NULL;
  }
  dump_job *job = calloc(1, sizeof *job);
  uint32_t ring = DEFAULT_QUEUED;
  if (argc >= 5) napi_get_value_uint32(env, argv[4], &ring); // not a number: the default stays
  job->ring = ring < DEFAULT_QUEUED ? DEFAULT_QUEUED : ring > MAX_QUEUED ? MAX_QUEUED : (int)ring;
  job->fd = fd;
  job->seq = seq;
  job->request = malloc(request_length);
  memcpy(job->request, request, request_length);
  job->request_length = request_length;
  job->env = env;
  uv_mutex_init(&job->lock);
  uv_cond_init(&job->drained);
  job->target = target;
  job->target_length = target_length;
  napi_create_reference(env, argv[2], 1, &job->target_ref);
  napi_create_reference(env, argv[3], 1, &job->callback);
  napi_value name;
  napi_create_string_utf8(env, "ctscope:nfdump", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &job->context);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_async_init(loop, &job->async, on_async);
  job->async.data = job;
  if (uv_thread_create(&job->thread, receive_loop, job) != 0) {
    // Nothing was started: undo, and say so.
    close(fd);
    napi_delete_reference(env, job->callback);
    napi_delete_reference(env, job->target_ref);
    napi_async_destroy(env, job->context);
    uv_close((uv_handle_t *)&job->async, free_job);
    napi_throw_error(env, "ETHREAD", "cannot start the dump thread");
  }
  return NULL;
}

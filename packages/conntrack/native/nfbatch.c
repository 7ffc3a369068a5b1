// encodeRepeats(): the lines of a conntrack batch (-R) that repeat a line the JavaScript path already
// encoded (the reference line) with other addresses, ports and timeout, encoded from the file's bytes
// straight into the batch's message buffer. A short-lived CLI runs its JavaScript cold: read one by one
// there, ten thousand such lines cost more than conntrack's whole run. A line is taken only when
// packages/conntrack/src/compat/fast-match.ts's pattern for the reference line's order of options reads
// it, and with the reference line's own words for -I/-A, -p, --state and -u (so the same values); the
// first line that is not stops the run, and the JavaScript path reads it, with its checks and messages.
#include <linux/netlink.h>
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#include "nfbatch.h"
#include "napi_check.h"

// The spec's slots (an Int32Array, see FastCreateEncoder.repeat() in fast-encode.ts).
enum {
  AT, ARENA_AT, MAX_LINES, LETTER, KIND_COUNT, KINDS, // KINDS..KINDS+7
  TEMPLATE_START = KINDS + 8, TEMPLATE_LENGTH,
  OFF_SRC, OFF_DST, OFF_REPLY_SRC, OFF_REPLY_DST, PORTS, OFF_SPORT, OFF_DPORT, OFF_REPLY_SPORT, OFF_REPLY_DPORT,
  OFF_STATUS, STATUS, OFF_TIMEOUT, OFF_STATE, STATE, OFF_FLAGS, FLAGS,
  REF_AT,
  SPEC_SLOTS
};
// Option kinds, as fast-match.ts's K.
enum { K_S = 1, K_D, K_P, K_SPORT, K_DPORT, K_STATE, K_T, K_U };

static int gap(uint8_t c) { return c == ' ' || c == '\t' || c == '\r'; }

typedef struct {
  const uint8_t *b;
  size_t i, n;
} cursor;

// One or more of [ \t\r].
static int skip_gap(cursor *c) {
  size_t from = c->i;
  while (c->i < c->n && gap(c->b[c->i])) c->i++;
  return c->i > from;
}

static int literal(cursor *c, const char *text) {
  size_t length = strlen(text);
  if (c->n - c->i < length || memcmp(c->b + c->i, text, length) != 0) return 0;
  c->i += length;
  return 1;
}

// The end of a value: a blank, a newline or the end of the text (what follows each pattern group).
static int value_ends(const cursor *c) { return c->i == c->n || gap(c->b[c->i]) || c->b[c->i] == '\n'; }

// 1 to `max` decimal digits (regex \d{1,max}, then the value's end): their value, else -1.
static int64_t number(cursor *c, int max) {
  size_t from = c->i;
  int64_t value = 0;
  while (c->i < c->n && c->b[c->i] >= '0' && c->b[c->i] <= '9' && (int)(c->i - from) < max) value = value * 10 + (c->b[c->i++] - '0');
  if (c->i == from || !value_ends(c)) return -1;
  return value;
}

// A dotted quad of 1-3 digit parts, each at most 255 (fast-match.ts's quad()), else -1.
static int64_t quad(cursor *c) {
  uint32_t value = 0;
  for (int part = 0; part < 4; part++) {
    if (part > 0 && !literal(c, ".")) return -1;
    size_t from = c->i;
    uint32_t v = 0;
    while (c->i < c->n && c->b[c->i] >= '0' && c->b[c->i] <= '9' && c->i - from < 3) v = v * 10 + (c->b[c->i++] - '0');
    if (c->i == from || v > 255) return -1;
    value = (value << 8) | v;
  }
  return value_ends(c) ? (int64_t)value : -1;
}

// The reference line's words, where the text holds them.
typedef struct {
  size_t from[3], length[3];
  int capturing;
} words;
enum { W_PROTO, W_STATE, W_STATUS };

// A word ([^ \t\r\n]+): noted when reading the reference line, else equal to its word.
static int word(cursor *c, words *w, int which) {
  size_t from = c->i;
  while (c->i < c->n && !gap(c->b[c->i]) && c->b[c->i] != '\n') c->i++;
  size_t length = c->i - from;
  if (length == 0) return 0;
  if (w->capturing) {
    w->from[which] = from;
    w->length[which] = length;
    return 1;
  }
  return length == w->length[which] && memcmp(c->b + from, c->b + w->from[which], length) == 0;
}

static void put16be(uint8_t *b, uint32_t v) {
  b[0] = (v >> 8) & 255;
  b[1] = v & 255;
}

static void put32be(uint8_t *b, uint32_t v) {
  b[0] = v >> 24;
  b[1] = (v >> 16) & 255;
  b[2] = (v >> 8) & 255;
  b[3] = v & 255;
}

typedef struct {
  uint32_t src, dst, sport, dport, timeout;
} line_values;

static const char *const OPTION[] = {"", "-s", "-d", "-p", "--sport", "--dport", "--state", "-t", "-u"};

// Reads one line at c->i; on success c->i is past its newline.
static int read_line(cursor *c, const int32_t *spec, words *w, line_values *v) {
  while (c->i < c->n && gap(c->b[c->i])) c->i++;
  if (!literal(c, "-") || c->i >= c->n || c->b[c->i] != spec[LETTER]) return 0;
  c->i++;
  for (int k = 0; k < spec[KIND_COUNT]; k++) {
    int kind = spec[KINDS + k];
    if (kind < K_S || kind > K_U || !skip_gap(c) || !literal(c, OPTION[kind]) || !skip_gap(c)) return 0;
    int64_t value = 0;
    switch (kind) {
      case K_S:
      case K_D:
        value = quad(c);
        if (value < 0) return 0;
        if (kind == K_S) v->src = (uint32_t)value;
        else v->dst = (uint32_t)value;
        break;
      case K_SPORT:
      case K_DPORT:
        value = number(c, 5);
        if (value < 0) return 0;
        if (kind == K_SPORT) v->sport = (uint32_t)(value % 65536);
        else v->dport = (uint32_t)(value % 65536);
        break;
      case K_T:
        value = number(c, 9);
        if (value < 0) return 0;
        v->timeout = (uint32_t)value;
        break;
      case K_P:
        if (!word(c, w, W_PROTO)) return 0;
        break;
      case K_STATE:
        if (!word(c, w, W_STATE)) return 0;
        break;
      case K_U:
        if (!word(c, w, W_STATUS)) return 0;
        break;
    }
  }
  while (c->i < c->n && gap(c->b[c->i])) c->i++;
  if (c->i == c->n) return 1;
  if (c->b[c->i] != '\n') return 0;
  c->i++;
  return 1;
}

// The line's message: the template copied, this line's values in place (as FastCreateEncoder.emit()).
static void write_message(uint8_t *out, const uint8_t *template, const int32_t *spec, const line_values *v) {
  memcpy(out, template, (size_t)spec[TEMPLATE_LENGTH]);
  put32be(out + spec[OFF_SRC], v->src);
  put32be(out + spec[OFF_DST], v->dst);
  put32be(out + spec[OFF_REPLY_SRC], v->dst);
  put32be(out + spec[OFF_REPLY_DST], v->src);
  if (spec[PORTS]) {
    put16be(out + spec[OFF_SPORT], v->sport);
    put16be(out + spec[OFF_DPORT], v->dport);
    put16be(out + spec[OFF_REPLY_SPORT], v->dport);
    put16be(out + spec[OFF_REPLY_DPORT], v->sport);
  }
  if (spec[OFF_STATUS]) put32be(out + spec[OFF_STATUS], (uint32_t)spec[STATUS]);
  if (spec[OFF_TIMEOUT]) put32be(out + spec[OFF_TIMEOUT], v->timeout);
  if (spec[OFF_STATE]) out[spec[OFF_STATE]] = (uint8_t)spec[STATE];
  if (spec[OFF_FLAGS]) {
    uint32_t flags = (uint32_t)spec[FLAGS];
    put16be(out + spec[OFF_FLAGS], (flags << 8) | flags);
    put16be(out + spec[OFF_FLAGS] + 8, (flags << 8) | flags);
  }
}

// Every value's place lies inside the template (the messages are written at those places).
static int offsets_fit(const int32_t *spec, size_t length) {
  static const int at4[] = {OFF_SRC, OFF_DST, OFF_REPLY_SRC, OFF_REPLY_DST, OFF_STATUS, OFF_TIMEOUT};
  static const int at2[] = {OFF_SPORT, OFF_DPORT, OFF_REPLY_SPORT, OFF_REPLY_DPORT};
  for (size_t k = 0; k < sizeof at4 / sizeof at4[0]; k++)
    if (spec[at4[k]] < 0 || (size_t)spec[at4[k]] + 4 > length) return 0;
  for (size_t k = 0; k < sizeof at2 / sizeof at2[0]; k++)
    if (spec[PORTS] && (spec[at2[k]] < 0 || (size_t)spec[at2[k]] + 2 > length)) return 0;
  if (spec[OFF_STATE] < 0 || (size_t)spec[OFF_STATE] + 1 > length) return 0;
  return spec[OFF_FLAGS] >= 0 && (spec[OFF_FLAGS] == 0 || (size_t)spec[OFF_FLAGS] + 10 <= length);
}

static int buffer_of(napi_env env, napi_value value, void **data, size_t *length) {
  return napi_get_buffer_info(env, value, data, length) == napi_ok;
}

// encodeRepeats(text, spec, arena) -> lines encoded (spec[AT] and spec[ARENA_AT] move past them), or -1
// when the reference line is outside what this reads.
napi_value nfbatch_encode_repeats(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *text, *arena, *specData;
  size_t textLength, arenaLength, specLength;
  napi_typedarray_type type;
  napi_value specBuffer;
  size_t specOffset;
  if (argc < 3 || !buffer_of(env, argv[0], &text, &textLength) || !buffer_of(env, argv[2], &arena, &arenaLength) ||
      napi_get_typedarray_info(env, argv[1], &type, &specLength, &specData, &specBuffer, &specOffset) != napi_ok || type != napi_int32_array || specLength < SPEC_SLOTS) {
    napi_throw_type_error(env, NULL, "encodeRepeats(text: Buffer, spec: Int32Array, arena: Buffer)");
    return NULL;
  }
  int32_t *spec = specData;
  size_t length = (size_t)spec[TEMPLATE_LENGTH];
  size_t templateStart = (size_t)spec[TEMPLATE_START];
  if (spec[KIND_COUNT] < 1 || spec[KIND_COUNT] > 8 || spec[AT] < 0 || spec[ARENA_AT] < 0 || spec[REF_AT] < 0 || (size_t)spec[REF_AT] >= textLength || length == 0 ||
      spec[TEMPLATE_START] < 0 || templateStart + length > (size_t)spec[ARENA_AT] || !offsets_fit(spec, length)) {
    napi_throw_range_error(env, NULL, "encodeRepeats: spec out of range");
    return NULL;
  }
  int32_t lines = 0;
  words w = {{0, 0, 0}, {0, 0, 0}, 1};
  line_values v = {0, 0, 0, 0, 0};
  cursor ref = {text, (size_t)spec[REF_AT], textLength};
  cursor c = {text, (size_t)spec[AT], textLength};
  size_t out = (size_t)spec[ARENA_AT];
  // A reference line outside the pattern (read by the general path) leaves every line to JavaScript.
  int usable = read_line(&ref, spec, &w, &v);
  w.capturing = 0;
  while (usable && lines < spec[MAX_LINES] && c.i < c.n && out + length <= arenaLength) {
    size_t from = c.i;
    if (!read_line(&c, spec, &w, &v)) {
      c.i = from;
      break;
    }
    write_message((uint8_t *)arena + out, (uint8_t *)arena + templateStart, spec, &v);
    out += length;
    lines++;
  }
  spec[AT] = (int32_t)c.i;
  spec[ARENA_AT] = (int32_t)out;
  napi_value result;
  CHECK(napi_create_int32(env, usable ? lines : -1, &result));
  return result;
}

// numberMessages(datagram) -> how many messages it holds, each now a request numbered from 1 (its
// sequence number), only the last asking for an acknowledgement; or -1 - offset of a message whose
// length is impossible. NetlinkSource.ctSendMessages() did this in JavaScript: ten thousand creates'
// headers, read cold, cost a short CLI more than the send itself.
napi_value nfbatch_number_messages(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *data;
  size_t length;
  if (argc < 1 || !buffer_of(env, argv[0], &data, &length)) {
    napi_throw_type_error(env, NULL, "numberMessages(datagram: Buffer)");
    return NULL;
  }
  uint8_t *b = data;
  int64_t count = 0;
  size_t off = 0;
  while (off + NLMSG_HDRLEN <= length) {
    // memcpy: the caller's buffer need not be aligned for struct nlmsghdr.
    struct nlmsghdr h;
    memcpy(&h, b + off, sizeof h);
    if (h.nlmsg_len < NLMSG_HDRLEN) {
      count = -1 - (int64_t)off;
      break;
    }
    size_t next = off + NLMSG_ALIGN(h.nlmsg_len);
    h.nlmsg_flags = (uint16_t)((h.nlmsg_flags & ~NLM_F_ACK) | NLM_F_REQUEST | (next + NLMSG_HDRLEN > length ? NLM_F_ACK : 0));
    h.nlmsg_seq = (uint32_t)++count;
    memcpy(b + off, &h, sizeof h);
    off = next;
  }
  napi_value result;
  CHECK(napi_create_int64(env, count, &result));
  return result;
}

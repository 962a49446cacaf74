// Batched UDP for the DNS listener (Linux): the socket is owned here, datagrams are read up to
// RECV_SLOTS at a time with recvmmsg into memory JS shares (no Buffer per packet), JS is
// called once per batch, and the replies go out with one sendmmsg. The socket is watched
// with a uv_poll on Node's own loop, so the JS thread never blocks.
//
// Memory shared with JS (allocated by JS, pinned here by references):
//   recv   RECV_SLOTS x SLOT_BYTES    datagram i at i * SLOT_BYTES (any UDP size fits)
//   send   SEND_SLOTS x SEND_BYTES    reply j at j * SEND_BYTES
//   peers  PEER_SLOTS x PEER_BYTES    a client and the local address its query came to
//   meta   int32: [0, RECV_SLOTS) datagram lengths; then per send slot j (peer index, length)
// Peer record: [0] family 4|6, [1] 1 when [28..44) holds the query's destination address,
// [2..4) port (network order), [4..8) ifindex, [8..12) IPv6 scope id, [12..28) source address.
//
// The same socket serves the upstream side when opened with `connectHost`: bound to a random
// source port and connected to the upstream, so the kernel drops datagrams from anyone else.
// Queries leave with sendmmsg (no destination per message), answers are read in batches into
// slots of `slotBytes` (an answer larger than a slot reads as truncated, length -1), and an ICMP
// error on the socket is handed to `onError` instead of being counted and skipped.

#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>

#define RECV_SLOTS 64
#define SLOT_BYTES 65536
#define SEND_SLOTS 128
#define SEND_BYTES 4096
#define PEER_BYTES 48
#define PEER_SLOTS (RECV_SLOTS + SEND_SLOTS)
#define META_INTS (RECV_SLOTS + 2 * SEND_SLOTS)
// recvmmsg calls per readable event before other loop work gets its turn
#define READ_ROUNDS 16
// replies held while the kernel refuses more (EAGAIN/ENOBUFS); past this they are dropped
#define BACKLOG_MAX 4096
#define CTL_BYTES 64

typedef union {
  struct sockaddr sa;
  struct sockaddr_in v4;
  struct sockaddr_in6 v6;
} addr_t;

typedef struct held {
  struct held *next;
  uint8_t peer[PEER_BYTES];
  uint32_t len;
  uint8_t data[];
} held_t;

enum { C_BATCHES, C_DATAGRAMS, C_SENT, C_SEND_ERRORS, C_RECV_ERRORS, C_DEFERRED, C_DROPPED, C_COUNT };

typedef struct {
  napi_env env;
  int fd;
  int family;
  int pktinfo;
  int connected;
  size_t slot_bytes;
  int reading;
  int closed;
  int in_callback;
  int close_pending;
  int poll_closed;
  int finalized;
  uv_poll_t poll;
  int poll_events;
  napi_ref cb, err_cb, recv_ref, send_ref, peers_ref, meta_ref;
  // the errno of the last undeliverable message sent by the current js_send, 0 if none
  int send_errno;
  napi_async_context actx;
  uint8_t *recv, *send, *peers;
  int32_t *meta;
  struct mmsghdr rmsg[RECV_SLOTS];
  struct iovec riov[RECV_SLOTS];
  addr_t rname[RECV_SLOTS];
  char rctl[RECV_SLOTS][CTL_BYTES];
  struct mmsghdr smsg[SEND_SLOTS];
  struct iovec siov[SEND_SLOTS];
  addr_t sname[SEND_SLOTS];
  char sctl[SEND_SLOTS][CTL_BYTES];
  int32_t speer[SEND_SLOTS];
  held_t *held_head, *held_tail;
  int held_count;
  double counters[C_COUNT];
} sock_t;

static const char *errno_name(int err) {
  switch (err) {
    case ECONNREFUSED: return "ECONNREFUSED";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case ENETUNREACH: return "ENETUNREACH";
    case EHOSTDOWN: return "EHOSTDOWN";
    case EMSGSIZE: return "EMSGSIZE";
    case EACCES: return "EACCES";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EPERM: return "EPERM";
    default: return "EIO";
  }
}

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_value code, text, e;
  const char *name = errno_name(err);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &e);
  napi_throw(env, e);
  return NULL;
}

static void on_poll(uv_poll_t *h, int status, int events);

static napi_value errno_value(napi_env env, int err) {
  napi_value v;
  if (err == 0) napi_get_undefined(env, &v);
  else napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &v);
  return v;
}

static void set_poll(sock_t *s) {
  if (s->closed) return;
  int ev = (s->reading ? UV_READABLE : 0) | (s->held_head ? UV_WRITABLE : 0);
  if (ev == s->poll_events) return;
  s->poll_events = ev;
  if (ev == 0) uv_poll_stop(&s->poll);
  else uv_poll_start(&s->poll, ev, on_poll);
}

// --- peers <-> socket addresses

static void peer_from_msg(uint8_t *p, const addr_t *a, struct msghdr *mh) {
  memset(p, 0, PEER_BYTES);
  if (a->sa.sa_family == AF_INET) {
    p[0] = 4;
    memcpy(p + 2, &a->v4.sin_port, 2);
    memcpy(p + 12, &a->v4.sin_addr, 4);
  } else {
    p[0] = 6;
    memcpy(p + 2, &a->v6.sin6_port, 2);
    memcpy(p + 8, &a->v6.sin6_scope_id, 4);
    memcpy(p + 12, &a->v6.sin6_addr, 16);
  }
  for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      p[1] = 1;
      memcpy(p + 4, &pi.ipi_ifindex, 4);
      memcpy(p + 28, &pi.ipi_addr, 4);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      struct in6_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      p[1] = 1;
      memcpy(p + 4, &pi.ipi6_ifindex, 4);
      memcpy(p + 28, &pi.ipi6_addr, 16);
    }
  }
}

static void put_cmsg(struct msghdr *mh, char *ctl, int level, int type, const void *data, size_t len) {
  memset(ctl, 0, CTL_BYTES);
  mh->msg_control = ctl;
  mh->msg_controllen = CMSG_SPACE(len);
  struct cmsghdr *c = (struct cmsghdr *)ctl;
  c->cmsg_level = level;
  c->cmsg_type = type;
  c->cmsg_len = CMSG_LEN(len);
  memcpy(CMSG_DATA(c), data, len);
}

// Fills one outgoing message: destination from the peer, and on a wildcard socket the
// source address the query was sent to, so the client sees the reply come from there.
static void msg_to_peer(sock_t *s, struct msghdr *mh, addr_t *name, char *ctl, const uint8_t *p) {
  mh->msg_control = NULL;
  mh->msg_controllen = 0;
  mh->msg_flags = 0;
  if (s->connected) {
    // the connected address is the destination
    mh->msg_name = NULL;
    mh->msg_namelen = 0;
    return;
  }
  memset(name, 0, sizeof *name);
  mh->msg_name = name;
  if (p[0] == 4) {
    name->v4.sin_family = AF_INET;
    memcpy(&name->v4.sin_port, p + 2, 2);
    memcpy(&name->v4.sin_addr, p + 12, 4);
    mh->msg_namelen = sizeof name->v4;
  } else {
    name->v6.sin6_family = AF_INET6;
    memcpy(&name->v6.sin6_port, p + 2, 2);
    memcpy(&name->v6.sin6_scope_id, p + 8, 4);
    memcpy(&name->v6.sin6_addr, p + 12, 16);
    mh->msg_namelen = sizeof name->v6;
  }
  if (!s->pktinfo || !p[1]) return;
  if (p[0] == 4) {
    struct in_pktinfo pi;
    memset(&pi, 0, sizeof pi);
    // ifindex 0: the route picks the interface, spec_dst the source address
    memcpy(&pi.ipi_spec_dst, p + 28, 4);
    put_cmsg(mh, ctl, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi);
  } else {
    struct in6_pktinfo pi;
    memset(&pi, 0, sizeof pi);
    memcpy(&pi.ipi6_addr, p + 28, 16);
    memcpy(&pi.ipi6_ifindex, p + 4, 4);
    put_cmsg(mh, ctl, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof pi);
  }
}

// --- sending

static int transient(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS || err == ENOMEM;
}

static void hold(sock_t *s, const uint8_t *peer, const uint8_t *data, uint32_t len) {
  if (s->held_count >= BACKLOG_MAX) { s->counters[C_DROPPED]++; return; }
  held_t *h = malloc(sizeof *h + len);
  if (h == NULL) { s->counters[C_DROPPED]++; return; }
  h->next = NULL;
  memcpy(h->peer, peer, PEER_BYTES);
  h->len = len;
  memcpy(h->data, data, len);
  if (s->held_tail) s->held_tail->next = h;
  else s->held_head = h;
  s->held_tail = h;
  s->held_count++;
  s->counters[C_DEFERRED]++;
}

// Sends what the kernel refused earlier, oldest first. Returns 1 when nothing is left.
static int flush_held(sock_t *s) {
  while (s->held_head) {
    int n = 0;
    for (held_t *h = s->held_head; h && n < SEND_SLOTS; h = h->next, n++) {
      msg_to_peer(s, &s->smsg[n].msg_hdr, &s->sname[n], s->sctl[n], h->peer);
      s->siov[n].iov_base = h->data;
      s->siov[n].iov_len = h->len;
      s->smsg[n].msg_hdr.msg_iov = &s->siov[n];
      s->smsg[n].msg_hdr.msg_iovlen = 1;
    }
    int r = sendmmsg(s->fd, s->smsg, n, MSG_DONTWAIT);
    int done = r;
    if (r < 0) {
      if (errno == EINTR) continue;
      if (transient(errno)) return 0;
      s->counters[C_SEND_ERRORS]++;
      s->send_errno = errno;
      done = 1; // this reply alone is undeliverable (ICMP error, bad address): skip it
    } else {
      s->counters[C_SENT] += r;
    }
    for (int i = 0; i < done; i++) {
      held_t *h = s->held_head;
      s->held_head = h->next;
      free(h);
      s->held_count--;
    }
    if (!s->held_head) s->held_tail = NULL;
  }
  return 1;
}

// Sends `count` replies from send slots [first, first + count).
static void send_slots(sock_t *s, int first, int count) {
  if (s->held_head && !flush_held(s)) {
    // keep the order: new replies queue behind the held ones
    for (int j = first; j < first + count; j++) {
      int32_t peer = s->meta[RECV_SLOTS + 2 * j], len = s->meta[RECV_SLOTS + 2 * j + 1];
      hold(s, s->peers + (size_t)peer * PEER_BYTES, s->send + (size_t)j * SEND_BYTES, (uint32_t)len);
    }
    set_poll(s);
    return;
  }
  int n = 0;
  for (int j = first; j < first + count; j++) {
    int32_t peer = s->meta[RECV_SLOTS + 2 * j], len = s->meta[RECV_SLOTS + 2 * j + 1];
    if (peer < 0 || peer >= PEER_SLOTS || len <= 0 || len > SEND_BYTES) { s->counters[C_SEND_ERRORS]++; continue; }
    msg_to_peer(s, &s->smsg[n].msg_hdr, &s->sname[n], s->sctl[n], s->peers + (size_t)peer * PEER_BYTES);
    s->speer[n] = peer;
    s->siov[n].iov_base = s->send + (size_t)j * SEND_BYTES;
    s->siov[n].iov_len = (size_t)len;
    s->smsg[n].msg_hdr.msg_iov = &s->siov[n];
    s->smsg[n].msg_hdr.msg_iovlen = 1;
    n++;
  }
  int off = 0;
  while (off < n) {
    int r = sendmmsg(s->fd, s->smsg + off, n - off, MSG_DONTWAIT);
    if (r > 0) { off += r; s->counters[C_SENT] += r; continue; }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && transient(errno)) {
      // the kernel is out of room: keep the rest of the batch and send it when writable
      for (int k = off; k < n; k++) {
        struct msghdr *mh = &s->smsg[k].msg_hdr;
        hold(s, s->peers + (size_t)s->speer[k] * PEER_BYTES, mh->msg_iov[0].iov_base, (uint32_t)mh->msg_iov[0].iov_len);
      }
      set_poll(s);
      return;
    }
    // this reply alone is undeliverable (ICMP error reported on the socket, bad address)
    s->counters[C_SEND_ERRORS]++;
    s->send_errno = errno;
    off++;
  }
}

// --- reading

static void close_now(sock_t *s);

// Calls JS function `fn` with one argument, made by `make_arg` from `arg`, and returns its
// int32 result (0 if none). An exception is raised as an uncaught one (the process's handler
// decides), never left pending. The callback may close the socket: close() then defers to us.
static int32_t call_js(sock_t *s, napi_ref fn, napi_value (*make_arg)(napi_env, int), int arg) {
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value cb, recv, argv[1], result;
  napi_get_reference_value(env, fn, &cb);
  napi_get_global(env, &recv); // make_callback wants an object receiver
  argv[0] = make_arg(env, arg);
  s->in_callback = 1;
  napi_status st = napi_make_callback(env, s->actx, recv, cb, 1, argv, &result);
  s->in_callback = 0;
  int32_t ret = 0;
  if (st == napi_ok) napi_get_value_int32(env, result, &ret);
  else {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value e;
      napi_get_and_clear_last_exception(env, &e);
      napi_fatal_exception(env, e);
    }
  }
  napi_close_handle_scope(env, scope);
  return ret;
}

static napi_value int_value(napi_env env, int v) {
  napi_value x;
  napi_create_int32(env, v, &x);
  return x;
}

// A connected socket's error (ICMP unreachable from the upstream) goes to onError, which may
// close the socket. Returns 1 when the socket is gone.
static int report_error(sock_t *s, int err) {
  if (!s->err_cb) return 0;
  call_js(s, s->err_cb, errno_value, err);
  if (s->close_pending) close_now(s);
  return s->closed;
}

static void read_batches(sock_t *s) {
  for (int round = 0; round < READ_ROUNDS && s->reading && !s->closed; round++) {
    for (int i = 0; i < RECV_SLOTS; i++) {
      struct msghdr *mh = &s->rmsg[i].msg_hdr;
      mh->msg_name = &s->rname[i];
      mh->msg_namelen = sizeof s->rname[i];
      s->riov[i].iov_base = s->recv + (size_t)i * s->slot_bytes;
      s->riov[i].iov_len = s->slot_bytes;
      mh->msg_iov = &s->riov[i];
      mh->msg_iovlen = 1;
      mh->msg_control = s->pktinfo ? s->rctl[i] : NULL;
      mh->msg_controllen = s->pktinfo ? CTL_BYTES : 0;
      mh->msg_flags = 0;
    }
    int n = recvmmsg(s->fd, s->rmsg, RECV_SLOTS, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      // an ICMP error queued on the socket concerns one earlier reply: read on
      int err = errno;
      s->counters[C_RECV_ERRORS]++;
      if (report_error(s, err)) return;
      if (err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH || err == EHOSTDOWN) continue;
      break;
    }
    for (int i = 0; i < n; i++) {
      struct msghdr *mh = &s->rmsg[i].msg_hdr;
      peer_from_msg(s->peers + (size_t)i * PEER_BYTES, &s->rname[i], mh);
      s->meta[i] = (mh->msg_flags & MSG_TRUNC) ? -1 : (int32_t)s->rmsg[i].msg_len;
    }
    s->counters[C_BATCHES]++;
    s->counters[C_DATAGRAMS] += n;

    int32_t replies = call_js(s, s->cb, int_value, n);
    if (s->closed) return;
    if (replies > 0 && replies <= RECV_SLOTS) send_slots(s, 0, replies);
    if (s->close_pending) { close_now(s); return; }
    if (n < RECV_SLOTS) break;
  }
}

static void on_poll(uv_poll_t *h, int status, int events) {
  sock_t *s = h->data;
  if (s->closed) return;
  if (status < 0) {
    // a socket error: read it off (getsockopt SO_ERROR clears it) and carry on
    int err = 0;
    socklen_t l = sizeof err;
    getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &l);
    s->counters[C_RECV_ERRORS]++;
    report_error(s, err ? err : EIO);
    return;
  }
  if (events & UV_WRITABLE) {
    s->send_errno = 0;
    if (flush_held(s)) set_poll(s);
    // a connected socket's held query that proved undeliverable: the upstream is unreachable
    if (s->send_errno && report_error(s, s->send_errno)) return;
  }
  if ((events & UV_READABLE) && s->reading) read_batches(s);
}

// --- lifetime

// The struct lives until both the watcher is closed and JS has dropped the handle.
static void on_poll_closed(uv_handle_t *h) {
  sock_t *s = h->data;
  s->poll_closed = 1;
  if (s->finalized) free(s);
}

static void release(sock_t *s) {
  napi_env env = s->env;
  napi_delete_reference(env, s->cb);
  if (s->err_cb) napi_delete_reference(env, s->err_cb);
  napi_delete_reference(env, s->recv_ref);
  napi_delete_reference(env, s->send_ref);
  napi_delete_reference(env, s->peers_ref);
  napi_delete_reference(env, s->meta_ref);
  napi_async_destroy(env, s->actx);
}

static void close_now(sock_t *s) {
  if (s->closed) return;
  // what the kernel would not take yet gets one last try; the rest is dropped and counted
  if (s->held_head) flush_held(s);
  while (s->held_head) {
    held_t *h = s->held_head;
    s->held_head = h->next;
    free(h);
    s->counters[C_DROPPED]++;
  }
  s->held_tail = NULL;
  s->held_count = 0;
  s->closed = 1;
  uv_poll_stop(&s->poll);
  close(s->fd);
  s->fd = -1;
  release(s);
  uv_close((uv_handle_t *)&s->poll, on_poll_closed);
}

// --- JS API

static void on_finalize(napi_env env, void *data, void *hint) {
  sock_t *s = data;
  s->finalized = 1;
  if (!s->closed) close_now(s); // frees through on_poll_closed
  else if (s->poll_closed) free(s);
}

static sock_t *unwrap(napi_env env, napi_value v) {
  void *p = NULL;
  napi_get_value_external(env, v, &p);
  return p;
}

static int get_prop(napi_env env, napi_value obj, const char *key, napi_value *out) {
  bool has = false;
  napi_has_named_property(env, obj, key, &has);
  if (!has) return 0;
  napi_get_named_property(env, obj, key, out);
  napi_valuetype t;
  napi_typeof(env, *out, &t);
  return t != napi_undefined;
}

static int get_int(napi_env env, napi_value obj, const char *key, int32_t def) {
  napi_value v;
  int32_t r = def;
  if (get_prop(env, obj, key, &v)) napi_get_value_int32(env, v, &r);
  return r;
}

// a JS boolean: napi_get_value_int32 refuses one (napi_number_expected), so it would read as the default
static int get_bool(napi_env env, napi_value obj, const char *key) {
  napi_value v;
  bool r = false;
  if (get_prop(env, obj, key, &v)) napi_get_value_bool(env, v, &r);
  return r;
}

static void *shared(napi_env env, napi_value obj, const char *key, size_t want, napi_ref *ref) {
  napi_value v;
  if (!get_prop(env, obj, key, &v)) return NULL;
  void *data = NULL;
  size_t len = 0;
  bool is_ab = false;
  napi_is_arraybuffer(env, v, &is_ab);
  if (!is_ab || napi_get_arraybuffer_info(env, v, &data, &len) != napi_ok || len < want) return NULL;
  napi_create_reference(env, v, 1, ref);
  return data;
}

// Reads `key` (a literal address, IPv6 with an optional %scope) and `port` into `a`.
// Returns NULL on success, else the message to throw.
static const char *get_addr(napi_env env, napi_value opts, const char *key, int port, int family, addr_t *a, socklen_t *alen) {
  char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2] = {0};
  napi_value hv;
  size_t hl = 0;
  if (!get_prop(env, opts, key, &hv) || napi_get_value_string_utf8(env, hv, host, sizeof host, &hl) != napi_ok) return "udp-batch: an address must be a string";
  if (port < 0 || port > 65535) return "udp-batch: port out of range";
  memset(a, 0, sizeof *a);
  if (family == 6) {
    char *pct = strchr(host, '%');
    if (pct) { *pct = 0; a->v6.sin6_scope_id = if_nametoindex(pct + 1); if (!a->v6.sin6_scope_id) a->v6.sin6_scope_id = (uint32_t)atoi(pct + 1); }
    if (inet_pton(AF_INET6, host, &a->v6.sin6_addr) != 1) return "udp-batch: not an IPv6 address";
    a->v6.sin6_family = AF_INET6;
    a->v6.sin6_port = htons((uint16_t)port);
    *alen = sizeof a->v6;
  } else {
    if (inet_pton(AF_INET, host, &a->v4.sin_addr) != 1) return "udp-batch: not an IPv4 address";
    a->v4.sin_family = AF_INET;
    a->v4.sin_port = htons((uint16_t)port);
    *alen = sizeof a->v4;
  }
  return NULL;
}

// open({ host, port, family, reusePort, recvBuffer, sendBuffer, recv, send, peers, meta, onBatch,
//        connectHost?, connectPort?, slotBytes?, onError? }) -> handle
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value opts;
  napi_get_cb_info(env, info, &argc, &opts, NULL, NULL);
  int family = get_int(env, opts, "family", 4);
  addr_t a, peer;
  socklen_t alen, peerlen = 0;
  const char *bad = get_addr(env, opts, "host", get_int(env, opts, "port", -1), family, &a, &alen);
  napi_value ignored;
  int connect_to = get_prop(env, opts, "connectHost", &ignored);
  if (!bad && connect_to) bad = get_addr(env, opts, "connectHost", get_int(env, opts, "connectPort", -1), family, &peer, &peerlen);
  int slot_bytes = get_int(env, opts, "slotBytes", SLOT_BYTES);
  if (!bad && (slot_bytes < 512 || slot_bytes > SLOT_BYTES)) bad = "udp-batch: slotBytes out of range";
  if (bad) { napi_throw_type_error(env, NULL, bad); return NULL; }
  int wildcard = family == 6 ? IN6_IS_ADDR_UNSPECIFIED(&a.v6.sin6_addr) : a.v4.sin_addr.s_addr == htonl(INADDR_ANY);
  // a connected socket hears its one peer only: the local address is not needed per datagram
  if (connect_to) wildcard = 0;
  napi_value errv;
  napi_valuetype errt = napi_undefined;
  if (get_prop(env, opts, "onError", &errv)) napi_typeof(env, errv, &errt);
  napi_value cbv;
  napi_valuetype cbt = napi_undefined;
  if (get_prop(env, opts, "onBatch", &cbv)) napi_typeof(env, cbv, &cbt);
  if (cbt != napi_function) { napi_throw_type_error(env, NULL, "udp-batch: onBatch must be a function"); return NULL; }

  sock_t *s = calloc(1, sizeof *s);
  if (!s) { napi_throw_error(env, NULL, "udp-batch: out of memory"); return NULL; }
  s->env = env;
  s->family = family;
  s->slot_bytes = (size_t)slot_bytes;
  s->connected = connect_to;
  s->recv = shared(env, opts, "recv", (size_t)RECV_SLOTS * s->slot_bytes, &s->recv_ref);
  s->send = shared(env, opts, "send", (size_t)SEND_SLOTS * SEND_BYTES, &s->send_ref);
  s->peers = shared(env, opts, "peers", (size_t)PEER_SLOTS * PEER_BYTES, &s->peers_ref);
  s->meta = shared(env, opts, "meta", (size_t)META_INTS * 4, &s->meta_ref);
  napi_create_reference(env, cbv, 1, &s->cb);
  if (errt == napi_function) napi_create_reference(env, errv, 1, &s->err_cb);
  napi_value rname;
  napi_create_string_utf8(env, "nestguard:udp-batch", NAPI_AUTO_LENGTH, &rname);
  napi_async_init(env, NULL, rname, &s->actx);
  if (!s->recv || !s->send || !s->peers || !s->meta) {
    release(s);
    free(s);
    napi_throw_type_error(env, NULL, "udp-batch: recv, send, peers and meta must be ArrayBuffers of the exported sizes");
    return NULL;
  }

  int fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int err = 0;
  const char *step = "socket";
  if (fd < 0) err = errno;
  int one = 1;
  if (!err && family == 6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) err = errno, step = "IPV6_V6ONLY";
  if (!err && get_bool(env, opts, "reusePort") && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) err = errno, step = "SO_REUSEPORT";
  if (!err && wildcard) {
    int r = family == 6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) : setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    if (r < 0) err = errno, step = "pktinfo";
  }
  if (!err) {
    // sizes are best effort: the kernel caps them at net.core.{r,w}mem_max; the caller reads back what it got
    int rb = get_int(env, opts, "recvBuffer", 0), sb = get_int(env, opts, "sendBuffer", 0);
    if (rb > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof rb);
    if (sb > 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sb, sizeof sb);
  }
  if (!err && bind(fd, &a.sa, alen) < 0) err = errno, step = "bind";
  if (!err && connect_to && connect(fd, &peer.sa, peerlen) < 0) err = errno, step = "connect";
  if (err) {
    if (fd >= 0) close(fd);
    release(s);
    free(s);
    char what[96];
    snprintf(what, sizeof what, "udp-batch: %s", step);
    return throw_errno(env, what, err);
  }
  s->fd = fd;
  s->pktinfo = wildcard;
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_poll_init_socket(loop, &s->poll, fd);
  s->poll.data = s;
  s->reading = 1;
  s->poll_events = UV_READABLE;
  uv_poll_start(&s->poll, UV_READABLE, on_poll);
  napi_value ext;
  napi_create_external(env, s, on_finalize, NULL, &ext);
  return ext;
}

static sock_t *arg_sock(napi_env env, napi_callback_info info, napi_value *argv, size_t want) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sock_t *s = argc >= 1 ? unwrap(env, argv[0]) : NULL;
  if (!s) napi_throw_type_error(env, NULL, "udp-batch: not a socket handle");
  return s;
}

// send(handle, firstSlot, count): replies whose slots JS filled
static napi_value js_send(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  sock_t *s = arg_sock(env, info, argv, 3);
  if (!s) return NULL;
  int32_t first = 0, count = 0;
  napi_get_value_int32(env, argv[1], &first);
  napi_get_value_int32(env, argv[2], &count);
  if (s->closed) { s->counters[C_DROPPED] += count > 0 ? count : 0; return NULL; }
  if (first < 0 || count < 0 || first + count > SEND_SLOTS) { napi_throw_range_error(env, NULL, "udp-batch: send slots out of range"); return NULL; }
  s->send_errno = 0;
  if (count > 0) send_slots(s, first, count);
  // on a connected socket an undeliverable query means the upstream is unreachable
  return errno_value(env, s->send_errno);
}

// info(handle) -> [port, recvBuffer, sendBuffer, batches, datagrams, sent, sendErrors, recvErrors, deferred, dropped, held]
static napi_value js_info(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  sock_t *s = arg_sock(env, info, argv, 1);
  if (!s) return NULL;
  double v[4 + C_COUNT] = {0};
  if (!s->closed) {
    addr_t a;
    socklen_t l = sizeof a;
    if (getsockname(s->fd, &a.sa, &l) == 0) v[0] = ntohs(a.sa.sa_family == AF_INET ? a.v4.sin_port : a.v6.sin6_port);
    int b = 0;
    l = sizeof b;
    if (getsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &b, &l) == 0) v[1] = b;
    l = sizeof b;
    if (getsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &b, &l) == 0) v[2] = b;
  }
  for (int i = 0; i < C_COUNT; i++) v[3 + i] = s->counters[i];
  v[3 + C_COUNT] = s->held_count;
  napi_value arr;
  napi_create_array_with_length(env, 4 + C_COUNT, &arr);
  for (int i = 0; i < 4 + C_COUNT; i++) {
    napi_value x;
    napi_create_double(env, v[i], &x);
    napi_set_element(env, arr, (uint32_t)i, x);
  }
  return arr;
}

// pause(handle, paused): stop or resume reading (shutdown stops reading first)
static napi_value js_pause(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  sock_t *s = arg_sock(env, info, argv, 2);
  if (!s) return NULL;
  bool paused = false;
  napi_get_value_bool(env, argv[1], &paused);
  s->reading = !paused;
  set_poll(s);
  return NULL;
}

// close(handle): the socket and its watcher go; after this call the handle must not be used
static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  sock_t *s = arg_sock(env, info, argv, 1);
  if (!s) return NULL;
  // inside the batch callback the batch's replies are still to be sent: close after them
  if (s->in_callback) s->close_pending = 1;
  else close_now(s);
  return NULL;
}

static void export_int(napi_env env, napi_value obj, const char *key, int v) {
  napi_value x;
  napi_create_int32(env, v, &x);
  napi_set_named_property(env, obj, key, x);
}

static void export_fn(napi_env env, napi_value obj, const char *key, napi_callback fn) {
  napi_value f;
  napi_create_function(env, key, NAPI_AUTO_LENGTH, fn, NULL, &f);
  napi_set_named_property(env, obj, key, f);
}

NAPI_MODULE_INIT() {
  export_fn(env, exports, "open", js_open);
  export_fn(env, exports, "send", js_send);
  export_fn(env, exports, "info", js_info);
  export_fn(env, exports, "pause", js_pause);
  export_fn(env, exports, "close", js_close);
  static const struct { const char *name; int value; } sizes[] = {
    {"RECV_SLOTS", RECV_SLOTS}, {"SLOT_BYTES", SLOT_BYTES}, {"SEND_SLOTS", SEND_SLOTS}, {"SEND_BYTES", SEND_BYTES},
    {"PEER_BYTES", PEER_BYTES}, {"PEER_SLOTS", PEER_SLOTS}, {"META_INTS", META_INTS},
  };
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) export_int(env, exports, sizes[i].name, sizes[i].value);
  return exports;
}

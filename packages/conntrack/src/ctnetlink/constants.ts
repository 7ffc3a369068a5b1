// Numbers from the kernel's uapi headers (linux/netlink.h, linux/netfilter/nfnetlink.h,
// linux/netfilter/nfnetlink_conntrack.h). Netlink headers are host-endian; ctnetlink payloads are big-endian.

export const NETLINK_NETFILTER = 12;
export const NFNL_SUBSYS_CTNETLINK = 1;
export const NFNL_SUBSYS_CTNETLINK_EXP = 2;
export const NFNETLINK_V0 = 0;

export const NLMSG_HDRLEN = 16;
export const NFGENMSG_LEN = 4;
export const NLA_HDRLEN = 4;
export const NLA_F_NESTED = 0x8000;
export const NLA_TYPE_MASK = 0x3fff;

export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_DUMP = 0x300;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

export const IPCTNL_MSG_CT_NEW = 0;
export const IPCTNL_MSG_CT_GET = 1;
export const IPCTNL_MSG_CT_DELETE = 2;
export const IPCTNL_MSG_CT_GET_STATS_CPU = 4;
export const IPCTNL_MSG_CT_GET_STATS = 5;
export const IPCTNL_MSG_CT_GET_DYING = 6;
export const IPCTNL_MSG_CT_GET_UNCONFIRMED = 7;

export const IPCTNL_MSG_EXP_NEW = 0;
export const IPCTNL_MSG_EXP_GET = 1;
export const IPCTNL_MSG_EXP_DELETE = 2;

export const NFNLGRP_CONNTRACK_NEW = 1;
export const NFNLGRP_CONNTRACK_UPDATE = 2;
export const NFNLGRP_CONNTRACK_DESTROY = 3;

export const CTA = {
  TUPLE_ORIG: 1,
  TUPLE_REPLY: 2,
  STATUS: 3,
  PROTOINFO: 4,
  HELP: 5,
  NAT_SRC: 6,
  TIMEOUT: 7,
  MARK: 8,
  COUNTERS_ORIG: 9,
  COUNTERS_REPLY: 10,
  USE: 11,
  ID: 12,
  NAT_DST: 13,
  TUPLE_MASTER: 14,
  SEQ_ADJ_ORIG: 15,
  SEQ_ADJ_REPLY: 16,
  SECMARK: 17,
  ZONE: 18,
  SECCTX: 19,
  TIMESTAMP: 20,
  MARK_MASK: 21,
  LABELS: 22,
  LABELS_MASK: 23,
  SYNPROXY: 24,
  FILTER: 25,
  STATUS_MASK: 26,
} as const;

export const CTA_TUPLE = { IP: 1, PROTO: 2, ZONE: 3 } as const;
export const CTA_IP = { V4_SRC: 1, V4_DST: 2, V6_SRC: 3, V6_DST: 4 } as const;
export const CTA_PROTO = {
  NUM: 1,
  SRC_PORT: 2,
  DST_PORT: 3,
  ICMP_ID: 4,
  ICMP_TYPE: 5,
  ICMP_CODE: 6,
  ICMPV6_ID: 7,
  ICMPV6_TYPE: 8,
  ICMPV6_CODE: 9,
} as const;
export const CTA_PROTOINFO = { TCP: 1, DCCP: 2, SCTP: 3 } as const;
/** CTA_PROTOINFO_TCP_STATE, CTA_PROTOINFO_DCCP_STATE and CTA_PROTOINFO_SCTP_STATE are all 1. */
export const CTA_PROTOINFO_STATE = 1;
export const CTA_COUNTERS = { PACKETS: 1, BYTES: 2, PACKETS32: 3, BYTES32: 4 } as const;
export const CTA_TIMESTAMP = { START: 1, STOP: 2 } as const;
export const CTA_HELP_NAME = 1;
export const CTA_SECCTX_NAME = 1;

/** CTA_STATS_* of IPCTNL_MSG_CT_GET_STATS_CPU replies, by the names `conntrack -S` prints. */
export const CTA_STATS_CPU: Readonly<Record<number, string>> = {
  2: 'found',
  4: 'invalid',
  8: 'insert',
  9: 'insert_failed',
  10: 'drop',
  11: 'early_drop',
  12: 'error',
  13: 'search_restart',
  14: 'clash_resolve',
  15: 'chaintoolong',
};
export const CTA_STATS_GLOBAL = { ENTRIES: 1, MAX_ENTRIES: 2 } as const;

export const CTA_EXPECT = { MASTER: 1, TUPLE: 2, MASK: 3, TIMEOUT: 4, ID: 5, HELP_NAME: 6, ZONE: 7, FLAGS: 8, CLASS: 9, NAT: 10, FN: 11 } as const;
export const CTA_EXPECT_NAT = { DIR: 1, TUPLE: 2 } as const;

export const PROTO = { ICMP: 1, TCP: 6, UDP: 17, DCCP: 33, GRE: 47, ICMPV6: 58, SCTP: 132, UDPLITE: 136 } as const;

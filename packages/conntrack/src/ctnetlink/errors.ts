/** A message that does not decode: bad lengths, truncated attributes, impossible values. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    message: string,
    /** Byte offset in the buffer where decoding failed. */
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}

const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: 'EPERM',
  2: 'ENOENT',
  12: 'ENOMEM',
  13: 'EACCES',
  16: 'EBUSY',
  17: 'EEXIST',
  22: 'EINVAL',
  93: 'EPROTONOSUPPORT',
  95: 'EOPNOTSUPP',
  105: 'ENOBUFS',
};

/** The kernel answered a request with an error (NLMSG_ERROR with a negative errno). */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  readonly code: string;
  constructor(
    readonly errno: number,
    operation: string,
  ) {
    const code = ERRNO_NAMES[errno] ?? `errno ${errno}`;
    super(`${operation} failed: ${code}${errno === 1 ? ' (needs CAP_NET_ADMIN: run as root)' : errno === 2 ? ' (no such entry)' : ''}`);
    this.code = code;
  }
}

/** ctnetlink cannot be used here (no socket, module not loaded, no permission). */
export class NetlinkUnavailableError extends Error {
  override readonly name = 'NetlinkUnavailableError';
}

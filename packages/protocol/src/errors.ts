/** Every error code that crosses the wire. Messages are written for people; codes are for code. */
export const ErrorCode = {
  BadRequest: 'BAD_REQUEST',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  NotFound: 'NOT_FOUND',
  /** The state changed since it was shown (a value moved, a file was edited): look again and retry. */
  Conflict: 'CONFLICT',
  VersionMismatch: 'VERSION_MISMATCH',
  HostOffline: 'HOST_OFFLINE',
  RateLimited: 'RATE_LIMITED',
  Timeout: 'TIMEOUT',
  Unavailable: 'UNAVAILABLE',
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_CODES = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];

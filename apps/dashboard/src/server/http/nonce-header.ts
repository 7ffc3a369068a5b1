/** The request header the root layout reads its script nonce from (the server sets it on every request). */
export const NONCE_HEADER = 'x-ctscope-nonce';

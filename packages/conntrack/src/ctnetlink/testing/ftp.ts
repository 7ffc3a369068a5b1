/**
 * Real expectations for tests and fixtures: the kernel's FTP helper, assigned by an nft ct helper
 * object to TCP port 21 inside a namespace, sees a PASV reply (IPv4) and an EPSV reply (IPv6) from a
 * tiny FTP-like server and creates one expectation for each data connection.
 */
import type { Netns } from '@ctscope/testkit';

export const FTP_HELPER_RULESET = `
table inet ctscope_ftp {
  ct helper ftp-standard { type "ftp" protocol tcp; }
  chain out { type filter hook output priority 0; tcp dport 21 ct helper set "ftp-standard"; }
}
`;

/** Data ports the server announces (and the expectations must carry). */
export const FTP_DATA_PORTS = { ipv4: 51210, ipv6: 51211 } as const;

/** Plain Node: a control exchange per family; exits once both replies arrived. */
export const FTP_SESSION = `
import net from 'node:net';
const reply = (line) => (line.startsWith('PASV') ? '227 Entering Passive Mode (127,0,0,1,200,10).' : '229 Entering Extended Passive Mode (|||${FTP_DATA_PORTS.ipv6}|)');
const session = (host, command) => new Promise((resolve, reject) => {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.write('220 ctscope test\\r\\n');
    s.on('data', (d) => s.write(reply(String(d)) + '\\r\\n'));
  });
  server.listen(21, host, () => {
    const c = net.connect(21, host);
    let seen = '';
    let asked = false;
    c.on('data', (d) => {
      seen += d;
      if (seen.startsWith('220') && !asked) { asked = true; c.write(command + '\\r\\n'); }
      if (/^22[79] /m.test(seen)) { c.end(); server.close(); resolve(); }
    });
    c.on('error', reject);
  });
});
await session('127.0.0.1', 'PASV');
await session('::1', 'EPSV');
`;

/** Installs the helper rule and runs both sessions; the expectations then live for the helper's 300 s. */
export async function createFtpExpectations(ns: Netns): Promise<void> {
  await ns.exec('nft', ['-f', '-'], FTP_HELPER_RULESET);
  await ns.exec(process.execPath, ['--input-type=module', '-e', FTP_SESSION]);
}

/** The C library's ctime() layout ("Wed Nov 25 02:35:19 2026", local time), which conntrack prints. */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const CTIME = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4,})$/;

const pad2 = (n: number) => String(n).padStart(2, '0');

export function formatCtime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${d.getFullYear()}`;
}

/** Epoch seconds, or null when the text is not in ctime() layout. */
export function parseCtime(text: string): number | null {
  const m = CTIME.exec(text);
  if (!m) return null;
  const date = new Date(Number(m[7]), MONTHS.indexOf(m[2] ?? ''), Number((m[3] ?? '').trim()), Number(m[4]), Number(m[5]), Number(m[6]));
  return Math.floor(date.getTime() / 1000);
}

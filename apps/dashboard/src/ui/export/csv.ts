export type CsvValue = string | number | undefined | null;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break; quotes doubled. Text
 * a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) gets a leading quote, as
 * the audit export does; numbers stay numbers.
 */
export function csvCell(value: CsvValue): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document: a header line, one line a row, CRLF-free so it diffs well; ends with a newline. */
export function csvDocument(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}

/** How a column's numbers are shown; null in any column prints as "n/a". */
export type Format = 'text' | 'us' | 'delta-us' | 'ms' | 'ops' | 'ratio' | 'bytes' | 'int';

export interface Column {
  title: string;
  format: Format;
}

export type Cell = string | number | null;

/** One printed table; also what --json writes, so the numbers in the file are the printed ones unrounded. */
export interface Table {
  id: string;
  title: string;
  columns: Column[];
  rows: Cell[][];
  notes: string[];
}

function significant(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function formatCell(cell: Cell, format: Format): string {
  if (cell === null) return 'n/a';
  if (typeof cell === 'string') return cell;
  if (!Number.isFinite(cell)) return 'n/a';
  switch (format) {
    case 'us':
    case 'ms':
      return significant(cell);
    case 'delta-us':
      return `${cell >= 0 ? '+' : ''}${significant(cell)}`;
    case 'ratio':
      return `${cell >= 10 ? cell.toFixed(0) : cell.toFixed(2)}x`;
    case 'ops':
    case 'bytes':
    case 'int':
      return Math.round(cell).toLocaleString('en-US');
    case 'text':
      return String(cell);
  }
}

/** Renders a GitHub-flavoured Markdown table, so the console output can be pasted into a README as is. */
export function renderTable(table: Table): string {
  const header = table.columns.map((column) => column.title);
  const body = table.rows.map((row) => row.map((cell, i) => formatCell(cell, table.columns[i].format)));
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((row) => row[i].length)));
  const numeric = table.columns.map((column) => column.format !== 'text');
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (numeric[i] ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  const out = [`### ${table.title}`, '', line(header), rule, ...body.map(line)];
  if (table.notes.length > 0) out.push('', ...table.notes.map((note) => `- ${note}`));
  return out.join('\n');
}

/** value / floor, or null when either side is missing. */
export function ratio(value: number | null | undefined, floor: number | null | undefined): number | null {
  if (value === null || value === undefined || floor === null || floor === undefined || floor === 0) return null;
  return value / floor;
}

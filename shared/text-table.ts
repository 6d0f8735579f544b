/**
 * Lines of a plain-text table: the header, then one line per row, columns padded to their widest cell and
 * separated by two spaces; the last column is not padded and no line ends in spaces. Pure.
 */
export function alignedTableLines(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    header
      .map((_, i) => (i === header.length - 1 ? (cells[i] ?? "") : (cells[i] ?? "").padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

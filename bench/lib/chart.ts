// The lifecycle benchmark's chart: moves/s and p99 (move sent → opponent's UPDATE_GAME) against
// the number of concurrent games, one line per target (the chess server with N instances, the bare
// relay), as a small standalone SVG that docs/benchmarks.md embeds. Regenerate one from its JSON:
// `node dist/bench/lib/chart.js bench/results/NAME` (reads NAME.json, writes NAME.svg).
import { readFileSync, writeFileSync } from "node:fs";

export interface ChartRow {
  name: string;
  g: number;
  instances: number;
  movesPerS: number;
  p99: string;
}

const W = 360;
const H = 220;
const PAD = { left: 56, right: 12, top: 28, bottom: 36 };
const COLOURS = ["#1f77b4", "#2ca02c", "#9467bd", "#d62728"];

/** The smallest of 1, 2 or 5 times a power of ten that is at least `y`, times 4 ticks. */
function niceCeiling(y: number): number {
  const step = y / 4;
  const power = 10 ** Math.floor(Math.log10(step));
  const nice = [1, 2, 5, 10].find((m) => m * power >= step)! * power;
  return nice * 4;
}

/** A legend label: the relay, or the chess server's instance count. */
const labelOf = (r: ChartRow) =>
  r.instances === 0 ? "bare relay" : `ours, ${r.instances} instance${r.instances > 1 ? "s" : ""}`;

function panel(
  x0: number,
  title: string,
  series: { label: string; points: [number, number][] }[],
  yLabel: string,
): string {
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => s.points.map(([, y]) => y));
  const xMax = Math.max(...xs, 1);
  const yMax = niceCeiling(Math.max(...ys, 1) * 1.05);
  const px = (x: number) => x0 + PAD.left + (x / xMax) * (W - PAD.left - PAD.right);
  const py = (y: number) => PAD.top + (1 - y / yMax) * (H - PAD.top - PAD.bottom);
  const out: string[] = [
    `<text x="${x0 + W / 2}" y="16" text-anchor="middle" font-weight="bold">${title}</text>`,
    `<line x1="${px(0)}" y1="${py(0)}" x2="${px(xMax)}" y2="${py(0)}" stroke="#333"/>`,
    `<line x1="${px(0)}" y1="${py(0)}" x2="${px(0)}" y2="${py(yMax)}" stroke="#333"/>`,
    `<text x="${x0 + W / 2}" y="${H - 6}" text-anchor="middle">concurrent games</text>`,
    `<text x="${x0 + 12}" y="${PAD.top - 8}">${yLabel}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = (yMax / 4) * i;
    out.push(
      `<text x="${px(0) - 4}" y="${py(y) + 4}" text-anchor="end">${Math.round(y)}</text>`,
      `<line x1="${px(0)}" y1="${py(y)}" x2="${px(xMax)}" y2="${py(y)}" stroke="#ddd"/>`,
    );
  }
  for (const x of [...new Set(xs)])
    out.push(`<text x="${px(x)}" y="${py(0) + 14}" text-anchor="middle">${x}</text>`);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const path = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ");
    out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${path}"/>`);
    for (const [x, y] of s.points)
      out.push(
        `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${colour}"/>`,
      );
  });
  return out.join("\n");
}

export function chart(rows: readonly ChartRow[]): string {
  const names = [...new Set(rows.map(labelOf))];
  const series = (value: (r: ChartRow) => number) =>
    names.map((label) => ({
      label,
      points: rows
        .filter((r) => labelOf(r) === label)
        .map((r): [number, number] => [r.g, value(r)])
        .sort(([a], [b]) => a - b),
    }));
  const legend = names
    .map(
      (name, i) =>
        `<rect x="${PAD.left + i * 150}" y="${H + 4}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>` +
        `<text x="${PAD.left + i * 150 + 16}" y="${H + 14}">${name}</text>`,
    )
    .join("\n");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 24}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel(
      0,
      "moves/s",
      series((r) => r.movesPerS),
      "moves/s",
    ),
    panel(
      W,
      "p99, move → opponent",
      series((r) => Number(r.p99)),
      "ms",
    ),
    legend,
    "</svg>\n",
  ].join("\n");
}

if (process.argv[1]?.endsWith("/chart.js")) {
  const prefix = process.argv[2]!;
  const { rows } = JSON.parse(readFileSync(`${prefix}.json`, "utf8")) as { rows: ChartRow[] };
  writeFileSync(`${prefix}.svg`, chart(rows));
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Figure, Report } from './figures';

const fmt = (value: number | undefined, unit = '') => (value === undefined ? '' : `${value.toLocaleString('en-US')}${unit}`);

export function markdown(report: Report): string {
  const lines = [
    `# Benchmark report (${report.mode})`,
    '',
    `${report.startedAt}, ${report.durationS} s, ${report.machine.cpus} CPUs, ${report.machine.memoryGb} GiB, Node ${report.machine.node}. Ratios compare figures measured in this same run.`,
    '',
    '## Ceilings',
    '',
    '| ceiling | rate/s | p50 ms | p99 ms |',
    '| --- | ---: | ---: | ---: |',
    ...report.ceilings.map((c) => `| ${c.name} | ${fmt(c.rate)} | ${fmt(c.p50Ms)} | ${fmt(c.p99Ms)} |`),
    '',
    '## Figures',
    '',
    '| scenario | figure | rate/s | p50 ms | p90 ms | p99 ms | errors | ratio to ceiling | target |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...report.figures.map(
      (f) =>
        `| ${f.scenario} | ${f.name} | ${fmt(f.rate)} | ${fmt(f.p50Ms)} | ${fmt(f.p90Ms)} | ${fmt(f.p99Ms)} | ${fmt(f.errors)} | ${ratios(f)} | ${f.target ?? ''} |`,
    ),
    '',
    '## Resources per scenario',
    '',
    '| scenario | app | CPU s | peak RSS MB |',
    '| --- | --- | ---: | ---: |',
    ...report.resources.map((r) => `| ${r.scenario} | ${r.app} | ${r.cpuSeconds} | ${r.peakRssMb} |`),
    '',
  ];
  return lines.join('\n');
}

/** Horizontal bars of p50 / p90 / p99 per figure that has latencies, on a log-free linear scale. */
export function latencySvg(figures: readonly Figure[]): string {
  const rows = figures.filter((f) => f.p99Ms !== undefined);
  const max = Math.max(1, ...rows.map((f) => f.p99Ms ?? 0));
  const width = 960;
  const label = 420;
  const scale = (ms: number) => ((width - label - 80) * ms) / max;
  const bar = 14;
  const height = 40 + rows.length * (bar * 3 + 12);
  const colors = { p50: '#2b8a3e', p90: '#e67700', p99: '#c92a2a' };
  const parts = rows.map((f, i) => {
    const y = 30 + i * (bar * 3 + 12);
    const bars = (['p50', 'p90', 'p99'] as const).map((p, k) => {
      const ms = f[`${p}Ms`] ?? 0;
      return `<rect x="${label}" y="${y + k * bar}" width="${scale(ms).toFixed(1)}" height="${bar - 2}" fill="${colors[p]}"/><text x="${label + scale(ms) + 4}" y="${y + k * bar + 10}" font-size="10">${p} ${ms} ms</text>`;
    });
    return `<text x="4" y="${y + bar + 8}" font-size="11">${escape(`${f.scenario}: ${f.name}`)}</text>${bars.join('')}`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif"><text x="4" y="16" font-size="13" font-weight="bold">Latency distributions (ms)</text>${parts.join('')}</svg>\n`;
}

export function writeReport(dir: string, report: Report): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'report.md'), markdown(report));
  writeFileSync(join(dir, 'latency.svg'), latencySvg([...report.ceilings, ...report.figures]));
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function ratios(figure: Figure): string {
  const all = [...(figure.ratio === undefined ? [] : [{ ceiling: figure.ceiling, ratio: figure.ratio }]), ...(figure.otherRatios ?? [])];
  return all.map(({ ceiling, ratio }) => `${ratio.toFixed(2)} × ${ceiling}`).join('; ');
}

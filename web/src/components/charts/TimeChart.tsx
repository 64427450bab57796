import { useEffect, useId, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** One value per time; null where there is none (drawn as a gap). */
  values: (number | null)[];
  /** A colour with at least 3:1 contrast on white. */
  color: string;
  dashed?: boolean;
}

const HEIGHT = 220;
const AXIS = '#556072';
const GRID = '#e6e9ef';

const timeFormat = (stepMs: number) =>
  new Intl.DateTimeFormat(
    undefined,
    stepMs >= 86_400_000 ? { dateStyle: 'medium' } : { weekday: 'short', hour: '2-digit', minute: '2-digit' },
  );

/** The indexes of values with no value on either side. */
function isolated(u: uPlot, seriesIdx: number): number[] {
  const values = u.data[seriesIdx] ?? [];
  const has = (i: number) => values[i] !== null && values[i] !== undefined;
  const found: number[] = [];
  for (let i = 0; i < values.length; i++) if (has(i) && !has(i - 1) && !has(i + 1)) found.push(i);
  return found;
}

/**
 * A time series chart drawn by uPlot on a canvas, with its text alternative: a caption that
 * says what it shows in words, a legend, and every value in a visually hidden table (the
 * canvas itself is hidden from assistive technology). New values are drawn in place.
 */
export function TimeChart({
  title,
  summary,
  times,
  stepMs,
  series,
  format,
}: {
  title: string;
  summary: string;
  /** Epoch milliseconds, oldest first. */
  times: number[];
  /** The width of one point (for the table's time labels). */
  stepMs: number;
  series: ChartSeries[];
  /** How a value reads (axis, table). */
  format: (value: number) => string;
}) {
  const titleId = useId();
  const host = useRef<HTMLDivElement>(null);
  const readout = useRef<HTMLParagraphElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = useMemo(
    () => [times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData,
    [times, series],
  );
  const latest = useRef({ data, series, format });
  latest.current = { data, series, format };
  const shape = series.map((s) => `${s.label}:${s.color}:${s.dashed ? 1 : 0}`).join('|');

  useEffect(() => {
    const element = host.current!;
    const { data: initial, series: lines } = latest.current;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 100),
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID } },
        {
          stroke: AXIS,
          grid: { stroke: GRID },
          ticks: { stroke: GRID },
          size: 60,
          values: (_u, splits) => splits.map((v) => latest.current.format(v)),
        },
      ],
      series: [
        {},
        ...lines.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          dash: s.dashed ? [6, 4] : undefined,
          spanGaps: false,
          // A value between gaps has no line to be part of: drawn as a dot.
          points: { show: true, size: 6, fill: s.color, filter: isolated },
        })),
      ],
      hooks: {
        setCursor: [
          (u) => {
            const i = u.cursor.idx;
            const out = readout.current;
            if (!out) return;
            if (i === null || i === undefined) {
              out.textContent = '\u00a0';
              return;
            }
            const { data: now, series: named, format: fmt } = latest.current;
            const at = new Date((now[0][i] ?? 0) * 1000).toLocaleTimeString(undefined, {
              hour: '2-digit',
              minute: '2-digit',
            });
            const values = named.map((s, n) => {
              const v = now[n + 1]?.[i];
              return `${s.label} ${v === null || v === undefined ? '–' : fmt(v)}`;
            });
            out.textContent = `${at}: ${values.join(', ')}`;
          },
        ],
      },
    };
    const chart = new uPlot(options, initial, element);
    plot.current = chart;
    const observer = new ResizeObserver(() => {
      const width = Math.max(element.clientWidth, 100);
      if (width !== chart.width) chart.setSize({ width, height: HEIGHT });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const label = timeFormat(stepMs);
  return (
    <figure className="chart" aria-labelledby={titleId}>
      <figcaption>
        <h2 id={titleId}>{title}</h2>
        <p className="chart-summary">{summary}</p>
      </figcaption>
      <div className="chart-canvas" ref={host} aria-hidden="true" />
      <p className="chart-readout" ref={readout} aria-hidden="true">
        {'\u00a0'}
      </p>
      <ul className="chart-legend" aria-hidden="true">
        {series.map((s) => (
          <li key={s.label}>
            <span className={s.dashed ? 'swatch dashed' : 'swatch'} style={{ borderColor: s.color }} />
            {s.label}
          </li>
        ))}
      </ul>
      <div className="visually-hidden">
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              {series.map((s) => (
                <th key={s.label} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {times.map((t, i) => (
              <tr key={t}>
                <th scope="row">
                  <time dateTime={new Date(t).toISOString()}>{label.format(t)}</time>
                </th>
                {series.map((s) => {
                  const v = s.values[i];
                  return <td key={s.label}>{v === null || v === undefined ? 'no calls' : format(v)}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

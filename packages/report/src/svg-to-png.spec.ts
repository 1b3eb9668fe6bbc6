import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ChartError } from './errors.js';
import { lineChartSvg } from './render-svg.js';
import { svgToPng } from './svg-to-png.js';
import { countNonWhite, decodeRgbaPng, PNG_SIGNATURE, pngHeader, plotArea } from './test-helpers.js';
import type { LineChartSpec } from './types.js';

// A wide band (lo 1, hi 9 around y = 5) fills most of the plot area; the line is thin.
const bandChart: LineChartSpec = {
  title: 'Band',
  x: { label: 'epoch' },
  y: { label: 'loss' },
  width: 400,
  height: 240,
  series: [{ name: 'train', points: [1, 2, 3, 4, 5].map((x) => ({ x, y: 5, lo: 1, hi: 9 })) }],
};

describe('svgToPng', () => {
  it('writes a PNG of the SVG size times the scale, 2x by default', async () => {
    const svg = await lineChartSvg(bandChart);
    const png = svgToPng(svg);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(pngHeader(png)).toMatchObject({ width: 800, height: 480 });
    expect(pngHeader(svgToPng(svg, { scale: 1 }))).toMatchObject({ width: 400, height: 240 });
  });

  it('paints the band inside the plot area, and far less without it', async () => {
    const svg = await lineChartSvg(bandChart);
    const area = plotArea(svg);
    expect(area.width).toBeGreaterThan(200);
    const withBand = countNonWhite(decodeRgbaPng(svgToPng(svg, { scale: 1 })), area);
    const plain = await lineChartSvg({ ...bandChart, series: [{ ...bandChart.series[0], band: false }] });
    const withoutBand = countNonWhite(decodeRgbaPng(svgToPng(plain, { scale: 1 })), plotArea(plain));
    expect(withBand).toBeGreaterThan(0.5 * area.width * area.height);
    expect(withoutBand).toBeLessThan(0.2 * area.width * area.height);
    // The band is the series colour (Vega's first category colour is blue) at low opacity.
    const img = decodeRgbaPng(svgToPng(svg, { scale: 1 }));
    const i = ((area.y + Math.round(area.height * 0.3)) * img.width + area.x + Math.round(area.width * 0.5)) * 4;
    const [r, g, b] = img.rgba.subarray(i, i + 3);
    expect(b).toBeGreaterThan(r);
    expect(b).toBeLessThan(250);
  });

  it('uses a white background by default and honours another one', async () => {
    const svg = await lineChartSvg(bandChart);
    const corner = (png: Buffer) => [...decodeRgbaPng(png).rgba.subarray(0, 4)];
    expect(corner(svgToPng(svg))).toEqual([255, 255, 255, 255]);
    // The chart paints its own white background, so a transparent one only shows outside it:
    // check with a bare SVG instead.
    const bare = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>';
    expect(corner(svgToPng(bare, { background: 'rgba(0,0,0,0)' }))).toEqual([0, 0, 0, 0]);
    expect(corner(svgToPng(bare, { background: '#ff0000' }))).toEqual([255, 0, 0, 255]);
  });

  it.skipIf(!existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'))('draws the title text with a system font', async () => {
    const svg = await lineChartSvg(bandChart);
    const img = decodeRgbaPng(svgToPng(svg, { scale: 1 }));
    const titleStrip = { x: 0, y: 0, width: img.width, height: plotArea(svg).y - 2 };
    expect(countNonWhite(img, titleStrip)).toBeGreaterThan(20);
  });

  it('refuses a bad scale and an unparsable SVG with a ChartError', () => {
    expect(() => svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>', { scale: 0 })).toThrow(/scale must be a number in \(0, 16\], got 0/);
    expect(() => svgToPng('not an svg')).toThrow(ChartError);
  });
});

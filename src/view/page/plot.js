// The page's plot engine (docs/playground.md): a plot description (mgrad::plot_json — curves,
// axes and labels, or a decision boundary) drawn as SVG text. No DOM is needed, so the same
// function draws in the page and under node. Natively PLplot draws the same descriptions.
'use strict';

(() => {
    const colours = ['#4f46e5', '#db2777', '#16a34a', '#d97706', '#0891b2', '#7c3aed'];
    const W = 640;
    const H = 360;
    const M = {left: 64, right: 20, top: 40, bottom: 48};

    const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;')
                                .replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const fmt = (v) => {
        if (v === 0) return '0';
        const a = Math.abs(v);
        if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace('e+', 'e');
        return String(Number(v.toPrecision(4)));
    };

    /// Round tick marks from lo to hi, about n of them.
    function ticks(lo, hi, n) {
        const span = hi - lo;
        if (!(span > 0)) return [lo];
        const raw = span / n;
        const mag = 10 ** Math.floor(Math.log10(raw));
        const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) || raw;
        const out = [];
        for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
            out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
        return out;
    }

    function finite(values) { return values.filter((v) => v !== null && Number.isFinite(v)); }

    function chart(c, top) {
        const xs = finite(c.series.flatMap((s) => s.x));
        let ys = finite(c.series.flatMap((s) => s.y));
        let x0 = Math.min(...xs);
        let x1 = Math.max(...xs);
        if (!(x1 > x0)) { x0 -= 1; x1 += 1; }
        let y0;
        let y1;
        if (c.y_min < c.y_max) {
            y0 = c.y_min;
            y1 = c.y_max;
        } else {
            if (ys.length === 0) ys = [0];
            y0 = Math.min(...ys);
            y1 = Math.max(...ys);
            const pad = (y1 - y0) * 0.06 || Math.abs(y0) * 0.1 || 1;
            y0 -= pad;
            y1 += pad;
        }
        const px = (x) => M.left + ((x - x0) / (x1 - x0)) * (W - M.left - M.right);
        const py = (y) => top + M.top + (1 - (y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
        const out = [];
        const bottom = top + H - M.bottom;
        out.push(`<text x="${W / 2}" y="${top + 24}" text-anchor="middle" font-size="15" font-weight="600">${esc(c.title || '')}</text>`);
        for (const t of ticks(y0, y1, 6)) {
            out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(t)}" y2="${py(t)}" stroke="#e2e8f0"/>`);
            out.push(`<text x="${M.left - 6}" y="${py(t) + 4}" text-anchor="end" font-size="11" fill="#64748b">${fmt(t)}</text>`);
        }
        for (const t of ticks(x0, x1, 8)) {
            out.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${top + M.top}" y2="${bottom}" stroke="#f1f5f9"/>`);
            out.push(`<text x="${px(t)}" y="${bottom + 16}" text-anchor="middle" font-size="11" fill="#64748b">${fmt(t)}</text>`);
        }
        if (y0 < 0 && y1 > 0)
            out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(0)}" y2="${py(0)}" stroke="#94a3b8"/>`);
        out.push(`<rect x="${M.left}" y="${top + M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#cbd5e1"/>`);
        out.push(`<text x="${(M.left + W - M.right) / 2}" y="${bottom + 36}" text-anchor="middle" font-size="12">${esc(c.x_label || '')}</text>`);
        out.push(`<text transform="translate(16 ${top + (M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(c.y_label || '')}</text>`);
        c.series.forEach((s, i) => {
            // A value that is not finite (null in the description) is a gap in the curve.
            let d = '';
            let pen = 'M';
            for (let k = 0; k < s.x.length; k++) {
                const y = s.y[k];
                if (y === null || !Number.isFinite(y) || y < y0 || y > y1) {
                    pen = 'M';
                    continue;
                }
                d += `${pen}${px(s.x[k]).toFixed(2)},${py(y).toFixed(2)}`;
                pen = 'L';
            }
            out.push(`<path d="${d}" fill="none" stroke="${colours[i % colours.length]}" stroke-width="2" class="series"><title>${esc(s.name || '')}</title></path>`);
        });
        if (c.series.length > 1)
            c.series.forEach((s, i) => {
                const y = top + M.top + 14 + i * 16;
                out.push(`<line x1="${W - M.right - 150}" x2="${W - M.right - 130}" y1="${y}" y2="${y}" stroke="${colours[i % colours.length]}" stroke-width="2"/>`);
                out.push(`<text x="${W - M.right - 124}" y="${y + 4}" font-size="11">${esc(s.name || '')}</text>`);
            });
        return out.join('');
    }

    function boundary(p) {
        const g = p.grid;
        const fills = ['#c7d2fe', '#fbcfe8', '#bbf7d0', '#fde68a', '#a5f3fc', '#ddd6fe'];
        const px = (x) => M.left + ((x - g.x_min) / (g.x_max - g.x_min)) * (W - M.left - M.right);
        const py = (y) => M.top + (1 - (y - g.y_min) / (g.y_max - g.y_min)) * (H - M.top - M.bottom);
        const out = [];
        const cw = (W - M.left - M.right) / (g.nx - 1);
        const ch = (H - M.top - M.bottom) / (g.ny - 1);
        for (let iy = 0; iy < g.ny; iy++)
            for (let ix = 0; ix < g.nx; ix++) {
                const x = g.x_min + ((g.x_max - g.x_min) * ix) / (g.nx - 1);
                const y = g.y_min + ((g.y_max - g.y_min) * iy) / (g.ny - 1);
                out.push(`<rect x="${(px(x) - cw / 2).toFixed(1)}" y="${(py(y) - ch / 2).toFixed(1)}" width="${cw.toFixed(1)}" height="${ch.toFixed(1)}" fill="${fills[g.classes[iy * g.nx + ix] % fills.length]}"/>`);
            }
        p.x.forEach((x, i) => {
            out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(p.y[i]).toFixed(1)}" r="3.5" fill="${colours[p.labels[i] % colours.length]}" stroke="white"/>`);
        });
        out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${esc(p.title || '')}</text>`);
        return out.join('');
    }

    /// The SVG text of a plot description.
    function plotSvg(d) {
        let body;
        let height = H;
        if (d.kind === 'boundary') {
            body = boundary(d);
        } else {
            body = d.charts.map((c, i) => chart(c, i * H)).join('');
            height = H * d.charts.length;
        }
        return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" font-family="DejaVu Sans, sans-serif" class="plot"><rect width="${W}" height="${height}" fill="white"/>${body}</svg>\n`;
    }

    if (typeof window !== 'undefined') window.mgradPlotSvg = plotSvg;
    if (typeof module !== 'undefined') module.exports = {plotSvg};
})();

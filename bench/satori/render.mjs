// The Satori + resvg-js peer of bench/compare.sh: draws every message of a
// bench/generate.py corpus as a 1240 x 1748 card (A6 at 300 dpi) with Satori
// (HTML/CSS -> SVG, text as outlines), rasterises the SVG with
// @resvg/resvg-js and writes SLUG.svg and SLUG.png.
//
//   node render.mjs CORPUS_JSON OUT_DIR --fonts FONT_DIR [--workers N] [--limit N]
//   node render.mjs CORPUS_JSON OUT_DIR --themes THEMES_DIR ...   (a --realistic corpus)
//
// --workers 0 (default) draws every card on the main thread, one after the
// other; --workers N hands cards out one at a time to N worker threads
// (node:worker_threads), each with its own Satori and fonts.
//
// The card: cream paper, a double border in milk chocolate, the title in
// Dancing Script (accent colour), the paragraphs in EB Garamond with the
// emphasised words in italic and the accent colour (inline <em> elements in
// a block paragraph, which Satori lays out as inline text), the signature in
// Dancing Script set right, and a round chocolate "seal". A realistic
// corpus's cards take their theme's palette and faces (the body's bold for
// **strong**; links as emphasis), their size and their wax colour. Text sizes step
// down with the message length so every message fits (waxseal fits each card
// exactly; Satori has no auto-fit).
//
// Dependencies are installed outside the repository by bench/compare.sh
// (npm install into /tmp/bench-peers/satori, where this file is copied).

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import satori from 'satori';
import { Resvg } from '@resvg/resvg-js';

const PALETTE = { paper: '#fbf4e6', ink: '#3b2417', accent: '#a63d5e', border: '#8a5a3b', seal: '#5a3a22' };

// --fonts DIR (a plain corpus: the chocolate theme's fonts) or --themes DIR
// (a realistic corpus names each card's font files under it). Satori picks
// a face by family, weight and style, so each theme's faces are registered
// under the family named after its body or title file.
function loadFonts(dir, themesDir, messages) {
  if (!themesDir) {
    const f = (file) => readFileSync(join(dir, file));
    return [
      { name: 'EB Garamond', data: f('EBGaramond-Regular.ttf'), weight: 400, style: 'normal' },
      { name: 'EB Garamond', data: f('EBGaramond-Italic.ttf'), weight: 400, style: 'italic' },
      { name: 'EB Garamond', data: f('EBGaramond-SemiBold.ttf'), weight: 600, style: 'normal' },
      { name: 'Dancing Script', data: f('DancingScript-SemiBold.ttf'), weight: 600, style: 'normal' },
    ];
  }
  const out = new Map();
  const add = (file, name, weight, style) => out.set(`${name}/${weight}/${style}`, { name, data: readFileSync(join(themesDir, file)), weight, style });
  for (const m of messages) {
    add(m.fonts.body, family(m.fonts.body), 400, 'normal');
    add(m.fonts.italic, family(m.fonts.body), 400, 'italic');
    add(m.fonts.bold, family(m.fonts.body), 600, 'normal');
    add(m.fonts.title, family(m.fonts.title), 600, 'normal');
    add(m.fonts.script, family(m.fonts.script), 600, 'normal');
    // Twemoji's outlines, last: Satori draws no COLR colour layers, so its
    // emoji are the base glyphs (without graphemeImages, the only emoji it has).
    add(m.emoji_font, 'Twemoji', 400, 'normal');
  }
  return [...out.values()];
}

const family = (file) => file.replace(/^.*\//, '').replace(/-(Regular|Italic|SemiBold|Bold)\.ttf$/, '').replace(/\.ttf$/, '');

const h = (type, style, ...children) => ({ type, props: { style, children: children.length === 1 ? children[0] : children } });

function card(m) {
  const W = m.width ?? 1240;
  const H = m.height ?? 1748;
  const k = W / 1240; // A7 and 5x7 scale the A6 geometry
  const palette = m.palette ? { ...m.palette, seal: m.seal.hex } : PALETTE;
  const body = m.fonts ? family(m.fonts.body) : 'EB Garamond';
  const title = m.fonts ? family(m.fonts.title) : 'Dancing Script';
  const script = m.fonts ? family(m.fonts.script) : 'Dancing Script';
  const words = m.paragraphs.reduce((n, p) => n + p.split(/\s+/).length, 0);
  // About 13.5pt at 300 dpi for short notes, down to about 8pt for long ones.
  const size = Math.round((words <= 70 ? 56 : words <= 110 ? 48 : words <= 140 ? 42 : words <= 200 ? 38 : 34) * k);
  const paragraphs = m.runs.map((runs) =>
    h(
      'p',
      { display: 'block', margin: `0 0 ${Math.round(size * 0.45)}px 0`, lineHeight: 1.32 },
      ...runs.map((r) =>
        r.strong ? h('strong', { fontWeight: 600 }, r.text)
          : r.em ? h('em', { fontStyle: 'italic', color: palette.accent }, r.text) : r.text,
      ),
    ),
  );
  const px = (n) => Math.round(n * k);
  return h(
    'div',
    { display: 'flex', boxSizing: 'border-box', width: W, height: H, background: palette.paper, padding: px(48) },
    h(
      'div',
      {
        display: 'flex',
        flexDirection: 'column',
        alignItems: 'center',
        boxSizing: 'border-box',
        flexGrow: 1,
        border: `${px(10)}px double ${palette.border}`,
        borderRadius: px(18),
        padding: `${px(90)}px ${px(100)}px ${px(60)}px ${px(100)}px`,
      },
      h(
        'div',
        {
          display: 'flex',
          flexDirection: 'column',
          justifyContent: 'center',
          alignSelf: 'stretch',
          flexGrow: 1,
          fontFamily: m.fonts ? `${body}, Twemoji` : body,
          fontSize: size,
          color: palette.ink,
        },
        h('div', { display: 'block', fontFamily: m.fonts ? `${title}, Twemoji` : title, fontWeight: 600, fontSize: size * 2, color: palette.accent, marginBottom: size * 0.6 }, m.title),
        h('div', { display: 'block' }, ...paragraphs),
        h('div', { display: 'block', textAlign: 'right', fontFamily: script, fontWeight: 600, fontSize: size * 1.9, color: palette.ink }, m.signature),
      ),
      h('div', { display: 'flex', flexShrink: 0, width: px(248), height: px(248), borderRadius: px(124), background: palette.seal, marginTop: px(20), boxShadow: '0 6px 12px rgba(0,0,0,0.35)' }),
    ),
  );
}

async function draw(m, fonts, outDir) {
  const W = m.width ?? 1240;
  const svg = await satori(card(m), { width: W, height: m.height ?? 1748, fonts });
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: W }, font: { loadSystemFonts: false } }).render().asPng();
  writeFileSync(join(outDir, `${m.slug}.svg`), svg);
  writeFileSync(join(outDir, `${m.slug}.png`), png);
}

if (isMainThread) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const [corpusPath, outDir] = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  const fontDir = opt('--fonts');
  const themesDir = opt('--themes');
  const workers = Number(opt('--workers', '0'));
  if (!corpusPath || !outDir || !(fontDir || themesDir)) {
    console.error('usage: node render.mjs CORPUS_JSON OUT_DIR (--fonts FONT_DIR | --themes THEMES_DIR) [--workers N] [--limit N]');
    process.exit(2);
  }
  let messages = JSON.parse(readFileSync(corpusPath, 'utf8')).messages;
  messages = messages.slice(0, Number(opt('--limit', messages.length)));
  mkdirSync(outDir, { recursive: true });
  const start = performance.now();
  if (workers === 0) {
    const fonts = loadFonts(fontDir, themesDir, messages);
    for (const m of messages) await draw(m, fonts, outDir);
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: workers }, () => new Promise((resolve, reject) => {
        const w = new Worker(fileURLToPath(import.meta.url), { workerData: { fontDir, themesDir, outDir, messages } });
        const feed = () => {
          if (next < messages.length) w.postMessage(messages[next++]);
          else w.terminate().then(resolve);
        };
        w.on('message', feed);
        w.on('error', reject);
        w.once('online', feed);
      })),
    );
  }
  const secs = (performance.now() - start) / 1000;
  console.error(`satori+resvg-js: ${messages.length} cards, ${workers || 'no'} workers, ${secs.toFixed(2)} s (${(secs * 1000 / messages.length).toFixed(1)} ms per card)`);
} else {
  const fonts = loadFonts(workerData.fontDir, workerData.themesDir, workerData.messages);
  parentPort.on('message', async (m) => {
    await draw(m, fonts, workerData.outDir);
    parentPort.postMessage(1);
  });
}

// The Takumi peer of bench/compare.sh: draws every message of a
// bench/generate.py corpus (plain or --realistic) as the card bench/satori
// draws, with @takumi-rs/core (taffy layout, parley text, tiny-skia, its own
// PNG encoder; a prebuilt native module), and writes SLUG.png.
//
//   node render.mjs CORPUS_JSON OUT_DIR --themes THEMES_DIR [--workers N] [--limit N]
//
// --workers 0 (default) draws every card from the main thread, one after the
// other (Takumi's render is asynchronous and runs on libuv's pool; the
// loop awaits each card, so one card is drawn at a time); --workers N hands
// cards out one at a time to N worker threads (node:worker_threads), each
// with its own Renderer and fonts.
//
// The card, as bench/satori/render.mjs: the theme's paper, a double border,
// the title in the theme's title face (accent colour), the paragraphs in the
// body face with *emphasis* and links in italic accent colour and **bold**
// in the bold face, emoji from the chocolate theme's Twemoji (COLR colour
// glyphs), the signature in the script face set right, and a round seal in
// the message's wax colour with a soft shadow. A plain corpus's cards are
// all chocolate A6; a realistic corpus names each card's theme, size and
// wax. Text sizes step down with the message length (Takumi, like Satori,
// has no auto-fit of the kind waxseal does).
//
// Dependencies are installed outside the repository by bench/compare.sh
// (npm install into /tmp/bench-peers/takumi, where this file is copied).

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Renderer } from '@takumi-rs/core';

// The plain corpus's card: the chocolate theme on A6.
const CHOCOLATE = {
  palette: { paper: '#fbf4e6', ink: '#3b2417', accent: '#a63d5e', border: '#8a5a3b' },
  fonts: {
    body: 'chocolate/fonts/EBGaramond-Regular.ttf',
    italic: 'chocolate/fonts/EBGaramond-Italic.ttf',
    bold: 'chocolate/fonts/EBGaramond-SemiBold.ttf',
    title: 'chocolate/fonts/DancingScript-SemiBold.ttf',
    script: 'chocolate/fonts/DancingScript-SemiBold.ttf',
  },
};
const EMOJI_FONT = 'chocolate/fonts/Twemoji.ttf';
const SEAL = '#5a3a22';

// Every theme's faces registered once per renderer, each family named after
// its file so two themes never share a name.
async function makeRenderer(themesDir, corpus) {
  const renderer = new Renderer();
  const files = new Map();
  const add = (file, weight, style, generic) => files.set(file, { weight, style, generic });
  for (const m of corpus) {
    const f = m.fonts ?? CHOCOLATE.fonts;
    add(f.body, 400, 'normal');
    add(f.italic, 400, 'italic');
    add(f.bold, 700, 'normal');
    add(f.title, 400, 'normal');
    add(f.script, 400, 'normal');
  }
  add(EMOJI_FONT, 400, 'normal', 'emoji');
  for (const [file, { weight, style, generic }] of files) {
    await renderer.registerFont({ name: family(file), data: readFileSync(join(themesDir, file)), weight, style, generic });
  }
  return renderer;
}

const family = (file) => file.replace(/^.*\//, '').replace(/-(Regular|Italic|SemiBold|Bold)\.ttf$/, '').replace(/\.ttf$/, '');
const box = (style, children) => ({ type: 'container', style, children });
const text = (t, style) => ({ type: 'text', text: t, style });

function card(m) {
  const W = m.width ?? 1240;
  const H = m.height ?? 1748;
  const s = W / 1240; // A7 and 5x7 scale the A6 geometry
  const { palette, fonts } = m.palette ? m : CHOCOLATE;
  const words = m.paragraphs.reduce((n, p) => n + p.split(/\s+/).length, 0);
  const size = Math.round((words <= 70 ? 56 : words <= 110 ? 48 : words <= 140 ? 42 : words <= 200 ? 38 : 34) * s);
  const emoji = family(EMOJI_FONT);
  const face = (file) => `"${family(file)}", "${emoji}"`;
  const paragraphs = m.runs.map((runs) =>
    box(
      { display: 'block', margin: `0 0 ${Math.round(size * 0.45)}px 0`, lineHeight: 1.32 },
      runs.map((r) => {
        if (r.strong) return text(r.text, { display: 'inline', fontFamily: face(fonts.bold), fontWeight: 700 });
        if (r.em) return text(r.text, { display: 'inline', fontFamily: face(fonts.italic), fontStyle: 'italic', color: palette.accent });
        return text(r.text, { display: 'inline' });
      }),
    ),
  );
  const seal = Math.round(248 * s);
  return box(
    { display: 'flex', boxSizing: 'border-box', width: W, height: H, backgroundColor: palette.paper, padding: Math.round(48 * s) },
    [
      box(
        {
          display: 'flex',
          flexDirection: 'column',
          alignItems: 'center',
          boxSizing: 'border-box',
          flexGrow: 1,
          border: `${Math.round(10 * s)}px double ${palette.border}`,
          borderRadius: Math.round(18 * s),
          padding: `${Math.round(90 * s)}px ${Math.round(100 * s)}px ${Math.round(60 * s)}px ${Math.round(100 * s)}px`,
        },
        [
          box(
            {
              display: 'flex',
              flexDirection: 'column',
              justifyContent: 'center',
              alignSelf: 'stretch',
              flexGrow: 1,
              fontFamily: face(fonts.body),
              fontSize: size,
              color: palette.ink,
            },
            [
              text(m.title, { display: 'block', fontFamily: face(fonts.title), fontSize: size * 2, color: palette.accent, marginBottom: size * 0.6 }),
              box({ display: 'block' }, paragraphs),
              text(m.signature, { display: 'block', textAlign: 'right', fontFamily: face(fonts.script), fontSize: size * 1.9, color: palette.ink }),
            ],
          ),
          box({ display: 'flex', flexShrink: 0, width: seal, height: seal, borderRadius: seal / 2, backgroundColor: m.seal?.hex ?? SEAL, marginTop: Math.round(20 * s), boxShadow: '0 6px 12px rgba(0,0,0,0.35)' }, []),
        ],
      ),
    ],
  );
}

async function draw(renderer, m, outDir) {
  const png = await renderer.render(card(m), { width: m.width ?? 1240, height: m.height ?? 1748, format: 'png' });
  writeFileSync(join(outDir, `${m.slug}.png`), png);
}

if (isMainThread) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const [corpusPath, outDir] = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  const themesDir = opt('--themes');
  const workers = Number(opt('--workers', '0'));
  if (!corpusPath || !outDir || !themesDir) {
    console.error('usage: node render.mjs CORPUS_JSON OUT_DIR --themes THEMES_DIR [--workers N] [--limit N]');
    process.exit(2);
  }
  let messages = JSON.parse(readFileSync(corpusPath, 'utf8')).messages;
  messages = messages.slice(0, Number(opt('--limit', messages.length)));
  mkdirSync(outDir, { recursive: true });
  const start = performance.now();
  if (workers === 0) {
    const renderer = await makeRenderer(themesDir, messages);
    for (const m of messages) await draw(renderer, m, outDir);
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: workers }, () => new Promise((resolve, reject) => {
        const w = new Worker(fileURLToPath(import.meta.url), { workerData: { themesDir, outDir, messages } });
        const feed = () => {
          if (next < messages.length) w.postMessage(next++);
          else w.terminate().then(resolve);
        };
        w.on('message', feed);
        w.on('error', reject);
      })),
    );
  }
  const secs = (performance.now() - start) / 1000;
  console.error(`takumi: ${messages.length} cards, ${workers || 'no'} workers, ${secs.toFixed(2)} s (${(secs * 1000 / messages.length).toFixed(1)} ms per card)`);
} else {
  const { themesDir, outDir, messages } = workerData;
  const renderer = await makeRenderer(themesDir, messages);
  parentPort.on('message', async (i) => {
    await draw(renderer, messages[i], outDir);
    parentPort.postMessage(1);
  });
  parentPort.postMessage(0); // ready: ask for the first card
}

// axe-core on each URL given, in Debian's Chromium (puppeteer-core drives it):
// prints one JSON line per page, {url, violations: [{id, impact, nodes}]}.
//   node axe.mjs URL...
import puppeteer from 'puppeteer-core';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run'],
});
try {
  for (const url of process.argv.slice(2)) {
    const page = await browser.newPage();
    await page.goto(url, { waitUntil: 'networkidle0' });
    await page.evaluate(axeSource);
    const result = await page.evaluate(async () => await window.axe.run(document));
    const violations = result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
    console.log(JSON.stringify({ url, violations }));
    await page.close();
  }
} finally {
  await browser.close();
}

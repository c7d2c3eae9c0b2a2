// The site index at a desktop and a phone width in headless Chromium: what
// overflows the window, which sort buttons overlap, which arrows or words a
// line break split, what the filter box leaves shown, and a screenshot of
// each width for a person to look at. Prints one JSON object by width. Usage:
//   node fit.js CHROMIUM INDEX.html SHOT_DIR
// The modules come from NODE_PATH (target/npm/node_modules, .ci/run).
"use strict";
const path = require("path");
const inChromium = require("./chromium");

const [browserPath, file, shots] = process.argv.slice(2);
// A machine busy with other builds: slow is not wrong.
inChromium(browserPath, { timeout: 180000, protocolTimeout: 180000 }, async (browser) => {
  const found = {};
  for (const width of [1280, 390]) {
    const page = await browser.newPage();
    page.setDefaultTimeout(180000);
    await page.setViewport({ width, height: 900 });
    await page.goto("file://" + file, { waitUntil: "load" });
    const layout = await page.evaluate(() => {
      const inner = window.innerWidth;
      // Every element shown that reaches past the window's edges.
      const overflowing = [];
      document.querySelectorAll("body *").forEach((e) => {
        const r = e.getBoundingClientRect();
        if (r.width > 0 && (r.right > inner + 0.5 || r.left < -0.5)) {
          overflowing.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : ""));
        }
      });
      // Lines a text runs over, by the distinct tops of its boxes.
      const lines = (range) => new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size;
      const split = [];
      document.querySelectorAll(".arrow").forEach((arrow) => {
        const range = document.createRange();
        range.selectNodeContents(arrow);
        if (lines(range) > 1) split.push(arrow.textContent);
      });
      // A word of a title or path broken across two lines.
      document.querySelectorAll("td.title a, td.title .muted").forEach((e) => {
        const text = e.firstChild;
        if (!text || text.nodeType !== Node.TEXT_NODE) return;
        const re = /\S+/g;
        let m;
        while ((m = re.exec(text.data))) {
          const range = document.createRange();
          range.setStart(text, m.index);
          range.setEnd(text, m.index + m[0].length);
          if (lines(range) > 1) split.push(m[0]);
        }
      });
      // Sort buttons drawn over one another.
      const buttons = Array.from(document.querySelectorAll("thead button")).map((b) => [b.textContent, b.getBoundingClientRect()]);
      const overlapping = [];
      buttons.forEach(([a, r], i) => buttons.slice(i + 1).forEach(([b, q]) => {
        if (r.left < q.right && q.left < r.right && r.top < q.bottom && q.top < r.bottom) overlapping.push(a + "/" + b);
      }));
      return {
        inner,
        overlapping,
        scrollWidth: document.documentElement.scrollWidth,
        overflowing,
        split,
        filterShown: !document.getElementById("filter-box").hidden,
      };
    });
    await page.screenshot({ path: path.join(shots, "index-" + width + ".png"), fullPage: true });
    // The filter: every word typed must be in a row for it to stay.
    await page.type("#filter", "RITM0201877 trial");
    const filtered = await page.evaluate(() => ({
      shown: Array.from(document.querySelectorAll("#requests tbody tr"))
        .filter((r) => r.getBoundingClientRect().height > 0)
        .map((r) => r.querySelector("td.title a").textContent),
      count: document.getElementById("filter-count").textContent,
    }));
    found[width] = Object.assign(layout, { filtered });
    await page.close();
  }
  return found;
});

// axe-core in headless Chromium: every page given, in light and dark mode,
// at a narrow and a wide width. Prints one JSON array of the serious and
// critical violations, and of two layout faults axe does not know: a Copy
// button over its code block, a date that wraps (empty when there are none). Usage: node check.js CHROMIUM PAGE.html...
// The modules come from NODE_PATH (target/npm/node_modules, .ci/run).
"use strict";
const axe = require("axe-core");
const inChromium = require("./chromium");

const [browserPath, ...pages] = process.argv.slice(2);
inChromium(browserPath, {}, async (browser) => {
  const found = [];
  for (const file of pages) {
    for (const scheme of ["light", "dark"]) {
      const page = await browser.newPage();
      // Light at a narrow width (dates squeezed), dark at a wide one.
      await page.setViewport(scheme === "light" ? { width: 700, height: 900 } : { width: 1280, height: 900 });
      await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
      await page.goto("file://" + file, { waitUntil: "load" });
      // The page's CSP allows only its own inline script: axe goes in through
      // the DevTools protocol, which the CSP does not govern.
      await page.setBypassCSP(true);
      await page.evaluate(axe.source);
      const result = await page.evaluate(() =>
        window.axe.run(document, { resultTypes: ["violations"] }));
      for (const v of result.violations) {
        if (v.impact === "serious" || v.impact === "critical") {
          found.push({
            page: file.split("/").pop(),
            scheme,
            id: v.id,
            impact: v.impact,
            nodes: v.nodes.map((n) => n.target.join(" ")),
          });
        }
      }
      const layout = await page.evaluate(() => {
        const faults = [];
        document.querySelectorAll(".code-block").forEach((block, i) => {
          const button = block.querySelector("button").getBoundingClientRect();
          const pre = block.querySelector("pre").getBoundingClientRect();
          if (button.bottom > pre.top) faults.push(["copy-covers-text", "code block " + (i + 1)]);
        });
        const dates = [];
        document.querySelectorAll("table").forEach((table) => {
          Array.from(table.querySelectorAll("thead th")).forEach((th, column) => {
            if (/^(Submitted|Expires)/.test(th.textContent.trim())) {
              Array.from(table.tBodies[0].rows).forEach((row) => dates.push(row.cells[column]));
            }
          });
        });
        dates.forEach((cell) => {
          const range = document.createRange();
          range.selectNodeContents(cell);
          const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
          if (lines.size > 1) faults.push(["date-wraps", cell.textContent]);
        });
        return faults;
      });
      for (const [id, where] of layout) {
        found.push({ page: file.split("/").pop(), scheme, id, impact: "layout", nodes: [where] });
      }
      await page.close();
    }
  }
  return found;
});

// What check.js and fit.js share: headless Chromium through puppeteer-core,
// the finding printed as JSON on stdout, and any failure on stderr with exit
// code 2. The modules come from NODE_PATH (target/npm/node_modules, .ci/run).
"use strict";
const puppeteer = require("puppeteer-core");

// Runs `work(browser)` in the Chromium at `browserPath` (launched with the
// extra `options`), closes it, and prints what `work` found.
module.exports = function inChromium(browserPath, options, work) {
  (async () => {
    const browser = await puppeteer.launch({
      executablePath: browserPath,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
      ...options,
    });
    let found;
    try {
      found = await work(browser);
    } finally {
      await browser.close();
    }
    process.stdout.write(JSON.stringify(found, null, 1) + "\n");
  })().catch((e) => {
    process.stderr.write(String(e && e.stack || e) + "\n");
    process.exit(2);
  });
};

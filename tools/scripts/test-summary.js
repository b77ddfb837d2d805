// Adds up the per-project results that tools/scripts/jest-results-reporter.js wrote (restored by
// Nx for cached test runs) and prints one closing line: "tests: N passed, N failed, N skipped".
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.argv[2];
let files = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith('.json'));
} catch {
  // no test ran
}
const total = { passed: 0, failed: 0, skipped: 0 };
for (const file of files) {
  const result = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  for (const key of Object.keys(total)) total[key] += result[key] ?? 0;
}
console.log(`\n${files.length} jest projects reported`);
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);

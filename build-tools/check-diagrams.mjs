// Parses every ```mermaid block of the markdown files given, with mermaid's own parser
// (the one GitHub's renderer uses), so that a diagram that would not render fails CI.
//
//   node build-tools/check-diagrams.mjs README.md docs/*.md
//
// Prints one line per diagram and exits 1 when any does not parse. mermaid sanitizes
// labels with DOMPurify, which needs a window: jsdom's, set before mermaid is loaded.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

let diagrams = 0;
let broken = 0;
for (const file of process.argv.slice(2)) {
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```mermaid\s*$/.test(lines[i])) continue;
    const start = i + 1; // the line of its opening fence
    const body = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]);
    diagrams++;
    try {
      await mermaid.parse(body.join('\n'));
      console.log(`ok ${file}:${start}`);
    } catch (e) {
      broken++;
      console.log(`BROKEN ${file}:${start}: ${String(e?.message ?? e).split('\n').join(' ')}`);
    }
  }
}
console.log(`${diagrams} diagram(s), ${broken} that do not parse`);
process.exit(broken > 0 ? 1 : 0);

// After tsc: the pages are bundled by esbuild when first asked for, from their TypeScript sources next to
// the compiled module (new URL('./web/x.tsx', import.meta.url)), and read web/huika.css. Copy those sources
// (and what they import) into dist/ beside the .js, so the built server serves the same pages.
import { cpSync, existsSync } from 'node:fs';

const out = process.argv[2] ?? 'dist';
const DIRS = ['platform', 'web', 'core', 'server', 'terminal', 'drivers', 'simulator'];
const wanted = (src) => !/\.test\.tsx?$/.test(src) && (!/\.[a-z]+$/.test(src) || /\.(tsx?|css)$/.test(src));
for (const d of DIRS) if (existsSync(d)) cpSync(d, `${out}/${d}`, { recursive: true, filter: wanted });

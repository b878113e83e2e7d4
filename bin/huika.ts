#!/usr/bin/env node
// The entry of the built package (`npm run build` → dist/bin/huika.js). bin/huika.js runs the sources through tsx instead.
import { main } from '../cli/main.ts';

process.exitCode = await main(process.argv.slice(2));

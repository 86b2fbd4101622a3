#!/usr/bin/env node
// The `sluice` command. Run `npm run build` (or `npm start`) first: this loads the compiled CLI.
import { run } from '../dist/src/cli.js';

await run();

#!/usr/bin/env node
// The `station` command: runs the built CLI (npm start / npm test build it first).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/node/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('station is not built yet: run `npm run setup` (or `npm start`) first.\n');
  process.exit(6);
}
// The composition root loads the Reflect metadata API once, before the CLI (and @peculiar/x509) loads.
await import('reflect-metadata');
const { main } = await import(cli);
process.exitCode = await main(process.argv.slice(2));

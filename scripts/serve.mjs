#!/usr/bin/env node
// `npm run serve`: build what is stale, then run the headless web host in
// this same process, so SIGTERM/SIGINT reach it directly (no shell between).
import { build, isStale } from './build.mjs';

if (isStale()) {
  console.log('Building Vega (sources changed since the last build)...');
  await build({ quiet: true });
}
await import('../out/web/serve.mjs');

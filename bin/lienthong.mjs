#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx, so `npm ci && npm start` needs no build.
import { register } from 'tsx/esm/api';

register();
await import('../server/src/cli/index.ts');

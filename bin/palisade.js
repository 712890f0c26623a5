#!/usr/bin/env node
// Entry point of the `palisade` command. TypeScript sources run through tsx's loader, so a checkout
// works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');

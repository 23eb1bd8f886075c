#!/usr/bin/env node
// The `credit-score` command (package.json's bin). The CLI is TypeScript run from its sources
// through tsx's loader, as every `npm run` script is; npm install provides tsx.
import { register } from 'tsx/esm/api';

register();
await import('../scripts/credit-score.ts');

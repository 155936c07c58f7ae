/**
 * Writes RULES.md from the rule catalogues in the code, so the reference
 * cannot drift from what the engine reports. `npm run rules-doc`; a test
 * fails when RULES.md is stale.
 */
import * as fs from 'fs';
import * as path from 'path';
import { renderRulesDoc } from './lib/rules-doc';

const target = path.resolve(__dirname, '..', 'RULES.md');
fs.writeFileSync(target, renderRulesDoc());
process.stdout.write('wrote RULES.md\n');

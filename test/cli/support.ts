import * as path from 'path';
import { run } from '../../src/cli/main';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'cli');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured output. */
export function cli(argv: string[], stdin?: string): CliResult {
  let stdout = '';
  let stderr = '';
  const code = run(argv, {
    stdout: (s) => { stdout += s; },
    stderr: (s) => { stderr += s; },
    readStdin: () => Buffer.from(stdin ?? ''),
  });
  return { code, stdout, stderr };
}

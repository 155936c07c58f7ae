/**
 * `lint --format github`: GitHub Actions workflow commands. The commands are
 * read back with the runner's own parsing rules, ported from actions/runner
 * (src/Runner.Common/ActionCommand.cs, TryParseV2, UnescapeProperty,
 * UnescapeData), so a value that would be cut or changed by the runner fails here.
 */
import { describe, expect, it } from 'vitest';
import { githubData, githubProperty, renderLintGithub } from '../../src/report/github';
import { LintReport, LocatedFinding } from '../../src/report/lint-report';

interface Command {
  readonly command: string;
  readonly properties: Record<string, string>;
  readonly data: string;
}

/** The runner's TryParseV2: `::name k=v,k=v::data`, properties split on `,` then on the first `=`, each part unescaped. */
function parseCommand(line: string): Command | undefined {
  const message = line.trimStart();
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const p of info.slice(space + 1).trim().split(',').filter((s) => s !== '')) {
      const eq = p.indexOf('=');
      // C#'s Split('=', 2, RemoveEmptyEntries): a pair needs a non-empty key and value.
      if (eq > 0 && eq < p.length - 1) properties[p.slice(0, eq)] = unescapeProperty(p.slice(eq + 1));
    }
  }
  return { command, properties, data: unescapeData(message.slice(end + 2)) };
}

/** The runner's UnescapeProperty: %0D, %0A, %3A, %2C, then %25, in that order. */
function unescapeProperty(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

/** The runner's UnescapeData: %0D, %0A, then %25. */
function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

const PA = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'prod', name: 'default' };

function finding(over: Partial<LocatedFinding>): LocatedFinding {
  return { code: 'IMV401', category: 'webhook', severity: 'error', message: 'portLevelMtls needs a selector', resource: PA, path: '/spec/portLevelMtls', ...over };
}

function lines(report: LintReport): string[] {
  return renderLintGithub(report).split('\n').slice(0, -1);
}

describe('GitHub workflow commands', () => {
  describe('escaping (actions/toolkit command.ts and the runner agree on these)', () => {
    it.each([
      ['plain', 'plain', 'plain'],
      ['100%', '100%25', '100%25'],
      ['a\r\nb', 'a%0D%0Ab', 'a%0D%0Ab'],
      ['k: v, w', 'k%3A v%2C w', 'k: v, w'],
      ['%0A literal', '%250A literal', '%250A literal'],
      ['::error::x', '%3A%3Aerror%3A%3Ax', '::error::x'],
    ])('%j: property %j, data %j', (raw, property, data) => {
      expect(githubProperty(raw)).toBe(property);
      expect(githubData(raw)).toBe(data);
      expect(unescapeProperty(githubProperty(raw))).toBe(raw);
      expect(unescapeData(githubData(raw))).toBe(raw);
    });
  });

  it('an error annotation on the file, line and column, titled with the code; the fix on a second line; then the summary', () => {
    const out = lines({ resources: 2, problems: [], findings: [finding({ file: 'mesh/pa.yaml', line: 7, column: 3, fix: 'add spec.selector.matchLabels' })] });
    expect(out).toEqual([
      '::error file=mesh/pa.yaml,line=7,col=3,title=IMV401::PeerAuthentication prod/default: portLevelMtls needs a selector%0Afix: add spec.selector.matchLabels',
      '2 resources, 1 error, 0 warnings',
    ]);
    expect(parseCommand(out[0])).toEqual({
      command: 'error',
      properties: { file: 'mesh/pa.yaml', line: '7', col: '3', title: 'IMV401' },
      data: 'PeerAuthentication prod/default: portLevelMtls needs a selector\nfix: add spec.selector.matchLabels',
    });
    // The summary is plain log text, not a command.
    expect(parseCommand(out[1])).toBeUndefined();
  });

  it('warnings annotate as warnings, infos as notices', () => {
    const out = lines({ resources: 1, problems: [], findings: [finding({ severity: 'warning', file: 'a.yaml', line: 1, column: 1 }), finding({ severity: 'info', file: 'a.yaml' })] });
    expect(out.map((l) => parseCommand(l)?.command)).toEqual(['warning', 'notice', undefined]);
    // A file without a position: no line or column.
    expect(parseCommand(out[1])!.properties).toEqual({ file: 'a.yaml', title: 'IMV401' });
  });

  it('a finding without a file, or from standard input, still annotates, without a file', () => {
    const out = lines({ resources: 2, problems: [], findings: [finding({}), finding({ file: '-', line: 9, column: 11 })] });
    expect(out[0]).toBe('::error title=IMV401::PeerAuthentication prod/default: portLevelMtls needs a selector');
    expect(out[1]).toBe(out[0]);
  });

  it('an acknowledged finding is a notice titled as acknowledged, naming owner, review date and reason; it counts as acknowledged', () => {
    const out = lines({
      resources: 1,
      problems: [],
      findings: [finding({ file: 'a.yaml', line: 4, column: 2, acknowledged: { owner: 'team-payments', reviewBy: '2026-12-31', reason: 'legacy client, ticket PAY-42' } })],
    });
    expect(parseCommand(out[0])).toEqual({
      command: 'notice',
      properties: { file: 'a.yaml', line: '4', col: '2', title: 'IMV401 (acknowledged)' },
      data: 'PeerAuthentication prod/default: portLevelMtls needs a selector\nacknowledged by team-payments, review by 2026-12-31: legacy client, ticket PAY-42',
    });
    expect(out[1]).toBe('1 resource, 0 errors, 0 warnings, 1 acknowledged');
  });

  it('unreadable input is an error annotation at its position', () => {
    const out = lines({ resources: 0, problems: [{ file: 'bad.yaml', line: 4, column: 1, message: 'YAML syntax error: bad indentation' }], findings: [] });
    expect(parseCommand(out[0])).toEqual({
      command: 'error',
      properties: { file: 'bad.yaml', line: '4', col: '1', title: 'unreadable input' },
      data: 'YAML syntax error: bad indentation',
    });
  });

  it('hostile file names and messages reach the runner intact or visibly escaped, one command per line', () => {
    const file = 'dir,x/a:b%0A c\nd.yaml';
    const message = 'name "x::warning::forged\n::error::y" 100% wrong\u001b[31m';
    const out = lines({ resources: 1, problems: [], findings: [finding({ file, line: 1, column: 1, message, resource: { ...PA, name: 'a,b:c' } })] });
    // One command and the summary: no line of input became a line of output.
    expect(out).toHaveLength(2);
    const parsed = parseCommand(out[0])!;
    // The file name is exact (the runner decodes it to the real path); title and message have control characters escaped.
    expect(parsed.properties).toEqual({ file, line: '1', col: '1', title: 'IMV401' });
    expect(parsed.data).toBe('PeerAuthentication prod/a,b:c: name "x::warning::forged\\n::error::y" 100% wrong\\u001b[31m');
  });

  it('fails on a property left unescaped (the parser really splits it)', () => {
    expect(parseCommand('::error file=a,b.yaml,line=1::m')!.properties).toEqual({ file: 'a', line: '1' });
    expect(parseCommand('::error title=x::y::m')!.data).toBe('y::m');
  });
});

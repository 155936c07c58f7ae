/*
 * YAML and JSON as `kubectl apply -f` reads them, row by row, through both read
 * paths (parseManifestsFast where it does not decline, parseManifestsWithYaml)
 * and parseManifests: each must give the value kubectl applies.
 *
 * Rows named `decode_test.go …` are ported from go-yaml v2
 * (go.yaml.in/yaml/v2 v2.4.4, the version sigs.k8s.io/yaml v1.6.0 uses):
 * unmarshalTests whose target is interface{} or a map of interface{} (the way
 * kubectl decodes), unmarshalErrorTests, TestUnmarshalNaN, TestMerge,
 * TestUnmarshalStrict (its non-strict half) and TestFuzzCrashers. The expected
 * value is upstream's, then turned into JSON as sigs.k8s.io/yaml
 * `convertToJSONableObject` and encoding/json do (non-string keys become
 * strings, invalid UTF-8 becomes U+FFFD, NaN and infinities fail). Rows named
 * after a Go function state what that function does (k8s.io/apimachinery
 * v0.35.3, k8s.io/cli-runtime v0.35.6, golang.org/x/text v0.31.0, go-yaml
 * v2.4.4 resolve.go / decode.go) where no upstream test covers it.
 *
 * Every row is read with a sentinel document after it (`---`, then a
 * Namespace): a row kubectl reads is followed by the sentinel, a document it
 * refuses alone is followed by the sentinel, and where kubectl stops reading
 * the file (any YAML or JSON decoding error) the sentinel is not applied.
 *
 * Upstream cases not ported:
 * | source | case | reason |
 * | decode_test.go unmarshalTests | every row whose target is a struct, a pointer to a struct, a typed map
 *   (map[string]string, map[string]int, map[string]int64, map[string]uint, map[string]uint64, map[string]float32,
 *   map[string]float64, map[string]int32, map[string]int8, map[string]*bool, map[string]*string, map[string][]string,
 *   map[string][]int, map[string]time.Time, map[string]time.Duration, map[string]textUnmarshaler, map[string]struct{...}),
 *   a *yaml.MapSlice, jsonNumberT, an inline struct or map, `123` into *int | kubectl decodes every document into
 *   interface{}: the typed conversions (strings from numbers, overflow checks, durations, text unmarshalers, struct
 *   fields) never happen; the same inputs decoded into interface{} are covered by the interface{} rows and by the
 *   resolve.go rows below |
 * | decode_test.go unmarshalTests | "sexa: 190:20:30" (commented out upstream) | covered by the resolve.go row for 190:20:30 (a string: no base 60) |
 * | decode_test.go unmarshalErrorTests | "%TAG !%79! …---\nv: !%79!int '1'" | kubectl cuts the file at `---`, so the row is a directive without a document (the directive row below) |
 * | decode_test.go TestDecoder*, TestUnmarshaler*, TestUnmarshalNull, TestUnmarshalSliceOnPreset, TestMergeStruct, TestUnmarshalFullTimestamp | all | yaml.Decoder streams, Unmarshaler interfaces, typed and preset targets: not how kubectl decodes |
 * | decode_test.go TestUnmarshalStrict | the UnmarshalStrict half; the struct rows | kubectl uses the non-strict Unmarshal (apimachinery YAMLToJSONDecoder.Decode); the duplicate-key rows are ported as maps |
 * | limit_test.go | all | timings and limits of go-yaml's own decoder; our limits (alias expansions, depth 256) are tested in test/input |
 */
import { describe, expect, it } from 'vitest';
import {
  check, DOCUMENT_ROWS, ENCODING_ROWS, ERROR_ROWS, FUZZ_CRASHERS, KEY_ROWS, LIST_ROWS, MERGE_ROWS, plain, Row,
  SCALAR_ROWS, STRICT_ROWS, UPSTREAM_ROWS, withSentinel,
} from './go-yaml-v2-rows';
import { parseManifests, parseManifestsFast, parseManifestsWithYaml } from '../../src/input/parse-manifests';

describe('go-yaml v2 and kubectl: reading manifests', () => {
  const tables: [string, Row[]][] = [
    ['go-yaml unmarshalTests', UPSTREAM_ROWS],
    ['go-yaml unmarshalErrorTests', ERROR_ROWS],
    ['merge keys', MERGE_ROWS],
    ['duplicate and null keys (TestUnmarshalStrict)', STRICT_ROWS],
    ['scalars and tags', SCALAR_ROWS],
    ['map keys as JSON keys', KEY_ROWS],
    ['documents and JSON', DOCUMENT_ROWS],
    ['lists', LIST_ROWS],
    ['encodings', ENCODING_ROWS],
  ];
  for (const [name, rows] of tables) {
    it(`${name}: ${rows.length} rows, both read paths give kubectl's result`, () => {
      for (const row of rows) check(row);
    });
  }

  it('the fast path reads the plain rows (it declines tags, anchors, merge keys and what kubectl refuses)', () => {
    const rows = tables.flatMap(([, r]) => r);
    const fast = rows.filter((row) => parseManifestsFast(withSentinel(row.yaml)) !== undefined);
    expect(fast.length).toBeGreaterThan(rows.length / 2);
    // Rows with nothing unusual in them are all read by js-yaml.
    for (const row of [...SCALAR_ROWS.slice(0, 6), ...KEY_ROWS.slice(0, 4), DOCUMENT_ROWS[0], DOCUMENT_ROWS[1], LIST_ROWS[0]]) {
      expect(parseManifestsFast(withSentinel(row.yaml)), `${row.source}: ${JSON.stringify(String(row.yaml))}`).toBeDefined();
    }
  });

  it('go-yaml TestFuzzCrashers: both paths agree and none throws', () => {
    for (const input of FUZZ_CRASHERS) {
      const careful = parseManifestsWithYaml(input);
      expect(plain(parseManifests(input)), JSON.stringify(input)).toStrictEqual(plain(careful));
      const fast = parseManifestsFast(input);
      if (fast) expect(plain(fast), JSON.stringify(input)).toStrictEqual(plain(careful));
    }
  });
});

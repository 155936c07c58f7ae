// A hash is bit arithmetic on 32-bit integers.
/* eslint-disable no-bitwise */

/**
 * A compact fingerprint of a manifest's content: a 53-bit hash, so that two
 * definitions of one object can be told apart without keeping either (the
 * analysis drops each manifest once read). Equal for manifests the API server
 * would store alike as far as can be told offline:
 *
 * - the order of an object's keys does not count (a map in JSON and YAML);
 * - a field set to null counts as absent (on create, null decodes as unset);
 * - `apiVersion` and `metadata.namespace` do not count: they belong to the
 *   object's identity (one object is served in several versions; no
 *   namespace means the default one), not its content.
 *
 * Two different contents get the same fingerprint with a chance of about one
 * in 2^53 per pair compared.
 * @internal
 */
export function contentFingerprint(manifest: unknown): number {
  laneA = SEED_A;
  laneB = SEED_B;
  mixValue(manifest, TOP);
  return (finish(laneA) >>> 0) * 2 ** 21 + (finish(laneB) >>> 11);
}

// The running hash: two 32-bit FNV-1a lanes with different primes. Module state, as a fingerprint is computed in one synchronous call.
let laneA = 0;
let laneB = 0;
const SEED_A = 0x811c9dc5;
const SEED_B = 0x2f6b1a3d;
const PRIME_A = 0x01000193;
const PRIME_B = 0x5bd1e995;

const TAG_NULL = 1;
const TAG_FALSE = 2;
const TAG_TRUE = 3;
const TAG_NUMBER = 4;
const TAG_STRING = 5;
const TAG_ARRAY = 6;
const TAG_OBJECT = 7;

/** Where an object sits: the manifest itself, its metadata, or anywhere else. */
const TOP = 0;
const METADATA = 1;
const NESTED = 2;

function mixInt(n: number): void {
  laneA = Math.imul(laneA ^ n, PRIME_A);
  laneB = Math.imul(laneB ^ n, PRIME_B);
}

function mixString(s: string): void {
  let a = laneA;
  let b = laneB;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, PRIME_A);
    b = Math.imul(b ^ c, PRIME_B);
  }
  laneA = a;
  laneB = b;
  // The length ends the string: "ab","c" and "a","bc" differ.
  mixInt(s.length);
}

function mixValue(v: unknown, level: number): void {
  switch (typeof v) {
    case 'string': mixInt(TAG_STRING); mixString(v); return;
    case 'number': mixInt(TAG_NUMBER); mixString(String(v)); return;
    case 'boolean': mixInt(v ? TAG_TRUE : TAG_FALSE); return;
    case 'object':
      if (v === null) break;
      if (Array.isArray(v)) {
        mixInt(TAG_ARRAY);
        for (const x of v) mixValue(x, NESTED);
        mixInt(v.length);
        return;
      }
      // A timestamp a caller parsed into a Date has no keys to walk.
      if (v instanceof Date) { mixInt(TAG_STRING); mixString(String(v.getTime())); return; }
      mixObject(v as Record<string, unknown>, level);
      return;
    default: break;
  }
  mixInt(TAG_NULL);
}

/** Each entry is hashed on its own and the hashes summed, so that key order does not count. */
function mixObject(o: Record<string, unknown>, level: number): void {
  const a = laneA;
  const b = laneB;
  let sumA = 0;
  let sumB = 0;
  let count = 0;
  for (const key in o) {
    const value = o[key];
    if (value === null || value === undefined) continue;
    if (level === TOP && key === 'apiVersion') continue;
    if (level === METADATA && key === 'namespace') continue;
    laneA = SEED_A;
    laneB = SEED_B;
    mixString(key);
    mixValue(value, level === TOP && key === 'metadata' ? METADATA : NESTED);
    sumA = (sumA + finish(laneA)) | 0;
    sumB = (sumB + finish(laneB)) | 0;
    count++;
  }
  laneA = a;
  laneB = b;
  mixInt(TAG_OBJECT);
  mixInt(sumA);
  mixInt(sumB);
  mixInt(count);
}

/** MurmurHash3's final mix: spreads every bit of a lane over the others. */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * PEM and DER helpers for the CA preflight. Pure: strings in, data out. Never
 * returns or formats key material: only block labels, positions, names and dates.
 */

/** One `-----BEGIN X-----` … `-----END X-----` block. */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE`, `PRIVATE KEY`. */
  readonly label: string;
  /** The whole block, armour included, as `crypto` expects it. */
  readonly text: string;
  /** RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`) present before the base64 body. */
  readonly encryptedHeader: boolean;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Splits a PEM file into its blocks, in order. Text outside blocks (openssl's "Bag Attributes") is ignored. */
export function splitPemBlocks(pem: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of pem.matchAll(BLOCK)) {
    out.push({ label: m[1], text: m[0] + '\n', encryptedHeader: /Proc-Type:\s*4,\s*ENCRYPTED/i.test(m[2]) });
  }
  return out;
}

/** Whether a block label names key material (so messages never echo it). */
export function isKeyLabel(label: string): boolean {
  return /\bKEY\b/.test(label);
}

/** A distinguished name (Node prints one RDN per line) as one line, in the certificate's order: `O=Acme, CN=Intermediate CA`. */
export function formatDistinguishedName(dn: string): string {
  return dn.split('\n').map((p) => p.trim()).filter((p) => p !== '').join(', ');
}

/** An instant as ISO 8601 to the second, UTC: `2030-01-01T00:00:00Z`. */
export function formatInstant(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A span of milliseconds in the largest whole unit that fits: `12 days`, `5 hours`, `40 minutes`. */
export function formatSpan(ms: number): string {
  const units: Array<[string, number]> = [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000], ['second', 1000]];
  for (const [name, size] of units) {
    if (ms >= size) {
      const n = Math.floor(ms / size);
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return '0 seconds';
}

interface Tlv { readonly tag: number; readonly start: number; readonly end: number }

/** Reads one DER TLV at `offset`; `start`..`end` is the value. Throws on truncation. */
function readTlv(der: Uint8Array, offset: number): Tlv {
  const tag = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (length === undefined || tag === undefined) throw new RangeError('truncated DER');
  if (length >= 0x80) { // long form: the low seven bits count the length bytes
    const count = length - 0x80;
    if (count === 0 || count > 4) throw new RangeError('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  if (start + length > der.length) throw new RangeError('truncated DER');
  return { tag, start, end: start + length };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end;) {
    const tlv = readTlv(der, at);
    out.push(tlv);
    at = tlv.end;
  }
  return out;
}

const OID_KEY_USAGE = '551d0f'; // 2.5.29.15
const OID_BASIC_CONSTRAINTS = '551d13'; // 2.5.29.19
const OID_EXT_KEY_USAGE = '551d25'; // 2.5.29.37

/** What a certificate's extensions say about signing other certificates. */
export interface CaExtensions {
  /** basicConstraints cA (false when the extension is absent). */
  readonly isCa: boolean;
  /** keyUsage keyCertSign (bit 5); `undefined` when the extension is absent. */
  readonly keyCertSign: boolean | undefined;
  /**
   * basicConstraints pathLenConstraint: how many CA certificates may follow
   * it down a chain (self-issued ones aside); `undefined` when absent.
   */
  readonly pathLen?: number;
  /** The extendedKeyUsage OIDs in dotted form (`1.3.6.1.5.5.7.3.1`); `undefined` when the extension is absent. */
  readonly extKeyUsage?: readonly string[];
}

/** A DER OBJECT IDENTIFIER's content in dotted form (X.690 8.19). */
function oidText(der: Uint8Array, tlv: Tlv): string {
  const arcs: number[] = [];
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) {
    const b = der[i];
    // Base 128, high bit set on every byte but the last of an arc.
    value = value * 128 + (b >= 0x80 ? b - 0x80 : b);
    if (b < 0x80) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

/** A non-negative DER INTEGER (a path length); larger than any chain when it does not fit in 6 bytes. */
function smallInteger(der: Uint8Array, tlv: Tlv): number {
  if (tlv.end - tlv.start > 6) return Number.MAX_SAFE_INTEGER;
  let n = 0;
  for (let i = tlv.start; i < tlv.end; i++) n = n * 256 + der[i];
  return n;
}

/**
 * Reads basicConstraints (RFC 5280 4.2.1.9), keyUsage (4.2.1.3) and
 * extendedKeyUsage (4.2.1.12) from a DER certificate. Node has none of them
 * as such: `X509Certificate.ca` folds keyUsage in (OpenSSL's X509_check_ca)
 * and gives no path length. Throws on malformed DER.
 */
export function caExtensionsOf(der: Uint8Array): CaExtensions {
  let isCa = false;
  let keyCertSign: boolean | undefined;
  let pathLen: number | undefined;
  let extKeyUsage: string[] | undefined;
  const cert = readTlv(der, 0);
  const tbs = children(der, cert)[0];
  for (const field of children(der, tbs)) {
    if (field.tag !== 0xa3) continue; // [3] extensions
    const list = children(der, field)[0];
    for (const ext of children(der, list)) {
      const [oid, ...rest] = children(der, ext);
      const oidHex = Buffer.from(der.subarray(oid.start, oid.end)).toString('hex');
      const octets = rest[rest.length - 1];
      const value = readTlv(der, octets.start);
      if (oidHex === OID_KEY_USAGE) {
        const firstByte = value.end - value.start > 1 ? der[value.start + 1] : 0;
        keyCertSign = Math.floor(firstByte / 0x04) % 2 === 1; // bit 5 of the named bit list = 0x04 of the first byte
      } else if (oidHex === OID_BASIC_CONSTRAINTS) {
        const fields = children(der, value);
        const first = fields[0];
        isCa = first !== undefined && first.tag === 0x01 && der[first.start] !== 0;
        // cA is DEFAULT FALSE, so DER leaves it out when false: the INTEGER may come first.
        const length = fields.find((f) => f.tag === 0x02);
        // A negative length (top bit set) is malformed, and not judged here.
        if (length !== undefined && length.end > length.start && der[length.start] < 0x80) pathLen = smallInteger(der, length);
      } else if (oidHex === OID_EXT_KEY_USAGE) {
        extKeyUsage = children(der, value).filter((f) => f.tag === 0x06).map((f) => oidText(der, f));
      }
    }
  }
  return { isCa, keyCertSign, ...(pathLen !== undefined ? { pathLen } : {}), ...(extKeyUsage ? { extKeyUsage } : {}) };
}

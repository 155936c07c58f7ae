import * as fs from 'fs';

/*
 * Reading a file the user named without hanging or exhausting memory: a FIFO
 * waits for a writer (forever, in CI), a device such as /dev/zero never ends,
 * and standard input can be an endless pipe. Only regular files are read, and
 * no read goes past a size cap.
 */

/** O_RDONLY (0) with O_NONBLOCK where the platform has it: opening a FIFO then returns at once instead of waiting for a writer. */
const OPEN_WITHOUT_WAITING = fs.constants.O_NONBLOCK ?? fs.constants.O_RDONLY;

/** The first read of a file of unknown size: later reads double it, up to the cap. */
const FIRST_CHUNK_BYTES = 64 * 1024;

/** A file refused, or read past its cap: the message ("is a FIFO, not a regular file") follows the file's name, in one line. */
export class RefusedFile extends Error {
  /** `special`: refused for its kind (a FIFO, a device, ...), not its size. */
  constructor(message: string, readonly special = false) {
    super(message);
  }
}

/** What a non-regular file is, for messages: "a FIFO", "a character device", ... */
export function fileKind(stat: fs.Stats): string {
  return stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO' : stat.isCharacterDevice() ? 'a character device'
    : stat.isBlockDevice() ? 'a block device' : stat.isSocket() ? 'a socket' : 'an unknown kind of file';
}

/**
 * Opens a file for reading without waiting on a FIFO. The caller checks the
 * kind with `fs.fstatSync` (of what was opened, so a swap after a check cannot
 * slip a FIFO in) and closes it. Throws the error of `fs.openSync`.
 */
export function openWithoutWaiting(file: string): number {
  return fs.openSync(file, OPEN_WITHOUT_WAITING);
}

/**
 * The bytes of an open file or stream up to its end, or undefined once more
 * than `maxBytes` have come (the rest is never read). `expectedBytes` (a
 * regular file's size) sizes the first read, so a file is read in one go.
 */
export function readAtMost(fd: number, maxBytes: number, expectedBytes = 0): Buffer | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  // One byte beyond the cap tells a file of exactly the cap from a larger one.
  let size = Math.min(Math.max(expectedBytes + 1, FIRST_CHUNK_BYTES), maxBytes + 1);
  for (;;) {
    const chunk = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const n = readRetrying(fd, chunk, filled, size - filled);
      if (n === 0) break;
      filled += n;
    }
    chunks.push(chunk.subarray(0, filled));
    total += filled;
    if (total > maxBytes) return undefined;
    if (filled < size) return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
    size = Math.min(size * 2, maxBytes + 1 - total);
  }
}

/** `fs.readSync`, waiting out EAGAIN: standard input may be a pipe another process set to non-blocking. */
function readRetrying(fd: number, buffer: Buffer, offset: number, length: number): number {
  for (;;) {
    try {
      return fs.readSync(fd, buffer, offset, length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      // Nothing to read yet: sleep 10 ms without spinning.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/**
 * The content of a regular file of at most `maxBytes` (`limitName`: what the
 * limit is, for the message). Throws `RefusedFile` for anything else (a FIFO,
 * a device, a socket, a directory, a larger file), and the error of `fs` when
 * it cannot be opened or read.
 */
export function readRegularFile(file: string, maxBytes: number, limitName?: string): Buffer {
  // stat first: opening some devices has effects of its own.
  refuseSpecial(fs.statSync(file));
  const fd = openWithoutWaiting(file);
  try {
    const stat = fs.fstatSync(fd);
    refuseSpecial(stat);
    const content = stat.size > maxBytes ? undefined : readAtMost(fd, maxBytes, stat.size);
    if (content === undefined) {
      throw new RefusedFile(stat.size > maxBytes ? `is ${stat.size} bytes, more than ${limitOf(maxBytes, limitName)}; it was not read`
        : `grew past ${limitOf(maxBytes, limitName)} while it was read`);
    }
    return content;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Standard input up to its end; throws `RefusedFile` once more than
 * `maxBytes` have come (an endless pipe, `< /dev/zero`), having read no more.
 */
export function readStandardInput(maxBytes: number): Buffer {
  const content = readAtMost(0, maxBytes);
  if (content === undefined) throw new RefusedFile(`holds more than ${limitOf(maxBytes)}; reading stopped there`);
  return content;
}

/** A byte limit for messages: "the 67108864-byte (64 MiB) limit of one input". */
export function limitOf(maxBytes: number, of = 'one input'): string {
  const mib = maxBytes / (1024 * 1024);
  return `the ${maxBytes}-byte${mib >= 1 ? ` (${+mib.toFixed(2)} MiB)` : ''} limit of ${of}`;
}

function refuseSpecial(stat: fs.Stats): void {
  // A FIFO or device never ends (or never starts): refuse it rather than wait or read forever.
  if (!stat.isFile()) throw new RefusedFile(`is ${fileKind(stat)}, not a regular file`, true);
}

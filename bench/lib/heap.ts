/**
 * The heap still in use after full collections, in bytes. The benchmarks'
 * child processes run with --expose-gc; call it after the clock and the peak.
 */
export function heapAfterFullGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

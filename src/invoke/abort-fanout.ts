/**
 * One 'abort' listener per AbortSignal, fanned out to any number of callbacks. Invokes share long-
 * lived signals (a mapping's, the engine's); adding a listener per invoke would pile listeners on
 * them (and trip Node's MaxListeners warning).
 */
const fanouts = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `fn` once when `signal` aborts (not at all when it already has: check `signal.aborted`
 * first). Returns the function that unregisters `fn`.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let set = fanouts.get(signal);
  if (set === undefined) {
    const fns = new Set<() => void>();
    set = fns;
    fanouts.set(signal, fns);
    signal.addEventListener(
      'abort',
      () => {
        const all = [...fns];
        fns.clear();
        for (const f of all) f();
      },
      { once: true },
    );
  }
  const s = set;
  s.add(fn);
  return () => {
    s.delete(fn);
  };
}

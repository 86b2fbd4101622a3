/** A small seeded PRNG (mulberry32) so randomized tests are reproducible by seed. */
export interface Rng {
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(xs: readonly T[]): T;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => {
      const v = xs[Math.floor(next() * xs.length)];
      if (v === undefined && xs.length === 0) throw new Error('pick from empty list');
      return v as (typeof xs)[number];
    },
  };
}

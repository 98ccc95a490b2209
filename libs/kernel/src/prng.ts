/**
 * Seeded pseudo-random numbers for the deterministic path (exploration, sampling).
 * The generator state is four 32-bit words held in a plain object, so it can live in a
 * decider's state, be copied, serialised and restored: replay from a snapshot continues the
 * same sequence. Algorithm: xoshiro128** (Blackman & Vigna), seeded through splitmix32.
 */
export interface PrngState {
  s0: number;
  s1: number;
  s2: number;
  s3: number;
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function seedPrng(seed: number): PrngState {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const next = splitmix32(seed);
  const s = { s0: next(), s1: next(), s2: next(), s3: next() };
  if ((s.s0 | s.s1 | s.s2 | s.s3) === 0) s.s0 = 1;
  return s;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Next 32-bit unsigned integer; advances `st` in place. */
export function nextUint32(st: PrngState): number {
  const result = Math.imul(rotl(Math.imul(st.s1, 5) >>> 0, 7), 9) >>> 0;
  const t = (st.s1 << 9) >>> 0;
  st.s2 = (st.s2 ^ st.s0) >>> 0;
  st.s3 = (st.s3 ^ st.s1) >>> 0;
  st.s1 = (st.s1 ^ st.s2) >>> 0;
  st.s0 = (st.s0 ^ st.s3) >>> 0;
  st.s2 = (st.s2 ^ t) >>> 0;
  st.s3 = rotl(st.s3, 11);
  return result;
}

/** Uniform in [0, 1) with 53 bits of precision; advances `st`. */
export function nextFloat(st: PrngState): number {
  const hi = nextUint32(st) >>> 5; // 27 bits
  const lo = nextUint32(st) >>> 6; // 26 bits
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** Standard normal (Box–Muller, one value per call); advances `st`. */
export function nextNormal(st: PrngState): number {
  let u = 0;
  while (u === 0) u = nextFloat(st);
  const v = nextFloat(st);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000); shape > 0. */
export function nextGamma(st: PrngState, shape: number): number {
  if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
  if (shape < 1) {
    const u = nextFloat(st);
    return nextGamma(st, shape + 1) * Math.pow(u === 0 ? Number.MIN_VALUE : u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = nextNormal(st);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = nextFloat(st);
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Beta(alpha, beta) from two gamma draws; advances `st`. */
export function nextBeta(st: PrngState, alpha: number, beta: number): number {
  const x = nextGamma(st, alpha);
  const y = nextGamma(st, beta);
  return x / (x + y);
}

export function clonePrng(st: PrngState): PrngState {
  return { s0: st.s0, s1: st.s1, s2: st.s2, s3: st.s3 };
}

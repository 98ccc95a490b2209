/**
 * Exact rational numbers on bigint, for the ledger oracle. Nothing here rounds unless asked:
 * a quantity-weighted average price is kept as the exact fraction it is (the README calls it
 * "the exact quantity-weighted average of the entries"), so the oracle shares no precision
 * limit, and no rounding, with the executor's decimal.js arithmetic.
 */

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

const TEN = 10n;

function pow10(n: number): bigint {
  return TEN ** BigInt(n);
}

export type Rounding = 'half-even' | 'half-up';

export class Rat {
  /** Always in lowest terms, with a positive denominator. */
  private constructor(
    readonly n: bigint,
    readonly d: bigint,
  ) {}

  static of(n: bigint, d: bigint = 1n): Rat {
    if (d === 0n) throw new RangeError('rational with a zero denominator');
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n, d);
    return g > 1n ? new Rat(n / g, d / g) : new Rat(n, d);
  }

  static readonly ZERO = Rat.of(0n);
  static readonly ONE = Rat.of(1n);

  /** A decimal string as written in the reports: optional sign, digits, optional fraction; no exponent. */
  static parse(text: string): Rat {
    const m = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text.trim());
    if (m === null) throw new RangeError(`not a plain decimal: ${JSON.stringify(text)}`);
    const frac = m[3] ?? '';
    const n = BigInt(m[2] + frac) * (m[1] === '-' ? -1n : 1n);
    return Rat.of(n, pow10(frac.length));
  }

  static sum(xs: Iterable<Rat>): Rat {
    let s = Rat.ZERO;
    for (const x of xs) s = s.plus(x);
    return s;
  }

  plus(o: Rat): Rat {
    return Rat.of(this.n * o.d + o.n * this.d, this.d * o.d);
  }

  minus(o: Rat): Rat {
    return Rat.of(this.n * o.d - o.n * this.d, this.d * o.d);
  }

  times(o: Rat): Rat {
    return Rat.of(this.n * o.n, this.d * o.d);
  }

  div(o: Rat): Rat {
    if (o.n === 0n) throw new RangeError('division by zero');
    return Rat.of(this.n * o.d, this.d * o.n);
  }

  neg(): Rat {
    return Rat.of(-this.n, this.d);
  }

  abs(): Rat {
    return this.n < 0n ? this.neg() : this;
  }

  cmp(o: Rat): number {
    const l = this.n * o.d;
    const r = o.n * this.d;
    return l < r ? -1 : l > r ? 1 : 0;
  }

  eq(o: Rat): boolean {
    return this.n === o.n && this.d === o.d;
  }

  isZero(): boolean {
    return this.n === 0n;
  }

  sign(): number {
    return this.n < 0n ? -1 : this.n > 0n ? 1 : 0;
  }

  /** Rounded to `places` decimals (negative places round to tens, hundreds, …). */
  round(places: number, mode: Rounding = 'half-even'): Rat {
    const scale = places >= 0 ? Rat.of(pow10(places)) : Rat.of(1n, pow10(-places));
    const x = this.times(scale);
    const neg = x.n < 0n;
    const an = neg ? -x.n : x.n;
    let q = an / x.d;
    const twiceRest = 2n * (an - q * x.d);
    if (twiceRest > x.d || (twiceRest === x.d && (mode === 'half-up' || q % 2n === 1n))) q += 1n;
    return Rat.of(neg ? -q : q).div(scale);
  }

  /** Rounded to `digits` significant digits. */
  roundSignificant(digits: number, mode: Rounding = 'half-even'): Rat {
    if (this.n === 0n) return this;
    const a = this.abs();
    // e with 10^e ≤ |x| < 10^(e+1), from the digit counts, then corrected.
    let e = (a.n.toString().length - a.d.toString().length) | 0;
    const p = (k: number) => (k >= 0 ? Rat.of(pow10(k)) : Rat.of(1n, pow10(-k)));
    while (a.cmp(p(e)) < 0) e--;
    while (a.cmp(p(e + 1)) >= 0) e++;
    return this.round(digits - 1 - e, mode);
  }

  /** Exact decimal text when the denominator divides a power of ten; otherwise the fraction. */
  toString(): string {
    let d = this.d;
    let k = 0;
    while (d % 10n === 0n) {
      d /= 10n;
      k++;
    }
    let twos = 0;
    let fives = 0;
    while (d % 2n === 0n) {
      d /= 2n;
      twos++;
    }
    while (d % 5n === 0n) {
      d /= 5n;
      fives++;
    }
    if (d !== 1n) return `${this.n}/${this.d}`;
    const places = k + Math.max(twos, fives);
    const scaled = (this.n * pow10(places)) / this.d;
    const neg = scaled < 0n;
    const digits = (neg ? -scaled : scaled).toString().padStart(places + 1, '0');
    const text = places === 0 ? digits : `${digits.slice(0, digits.length - places)}.${digits.slice(digits.length - places)}`;
    return neg ? `-${text}` : text;
  }
}

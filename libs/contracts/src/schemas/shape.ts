/*
 * `implements` proves a schema class's fields are assignable to its interface, but not
 * that it declares every field: a schema missing an optional field (say `stopLoss`) still
 * compiles, then rejects every message that carries one as "unknown field". SameShape
 * closes that gap at compile time: same keys, same optionality, recursively through
 * nested objects and arrays.
 */

type Defined<T> = Exclude<T, undefined>;

type OptionalKeys<T> = { [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? K : never }[keyof T];

type SameKeySet<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : false;

type EveryFieldSame<S, I> = false extends {
  [K in keyof I]-?: K extends keyof S ? SameShape<S[K], I[K]> : false;
}[keyof I]
  ? false
  : true;

export type SameShape<S, I> =
  Defined<I> extends readonly (infer IE)[]
    ? Defined<S> extends readonly (infer SE)[]
      ? SameShape<SE, IE>
      : false
    : Defined<I> extends object
      ? Defined<S> extends object
        ? SameKeySet<keyof Defined<S>, keyof Defined<I>> extends true
          ? SameKeySet<OptionalKeys<Defined<S>>, OptionalKeys<Defined<I>>> extends true
            ? EveryFieldSame<Defined<S>, Defined<I>>
            : false
          : false
        : false
      : true;

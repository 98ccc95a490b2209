import { main } from './main';

/** What a CLI run in process printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `tradeloop <args…>` in process, as the tests drive it: not a terminal, output collected. */
export async function runCli(args: readonly string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(['node', 'tradeloop', ...args], {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    isTty: false,
  });
  return { code, out, err };
}

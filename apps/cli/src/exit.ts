/**
 * Ends a command with a given exit code after it has printed what it had to say (a replay that
 * diverged, say): main returns the code and prints nothing more.
 */
export class CommandExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = 'CommandExit';
  }
}

/** Exit code of a replay or audit whose outputs differ from the recorded ones. */
export const EXIT_DIVERGED = 3;

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

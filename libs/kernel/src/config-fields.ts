/**
 * Refuses fields a configuration does not have. Configs are merged over their defaults, so a
 * misspelt field (`maxDailyTrades` for `dailyTradeLimit`) would otherwise be ignored in silence
 * and the limit the user meant to set would not exist. Types catch it in code; this catches it
 * in JSON — a run log's RunStarted, a config file, anything untyped.
 */
export function assertKnownFields(section: string, input: object | undefined, defaults: object): void {
  if (input === undefined || input === null) return;
  for (const key of Object.keys(input)) {
    if (!Object.prototype.hasOwnProperty.call(defaults, key)) {
      throw new RangeError(`${section} config: unknown field "${key}" (known: ${Object.keys(defaults).join(', ')})`);
    }
  }
}

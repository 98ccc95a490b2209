import { unconvertibleInstruments } from './currency-check';

describe('unconvertibleInstruments', () => {
  it.each([
    [['EURUSD', 'XAUUSD', 'BTCUSDT'], 'USD', []],
    [['USDJPY'], 'USD', []], // the instrument itself converts
    [['EURGBP', 'GBPUSD'], 'USD', []],
    [['EURJPY', 'USDJPY'], 'USD', []],
    [['EURUSD'], 'EUR', []], // 1 / EURUSD
    [['USDJPY'], 'EUR', ['USDJPY is quoted in JPY and nothing in the data converts JPY into the account currency EUR (add JPYEUR or EURJPY data): its orders will be denied']],
    [['EURGBP', 'EURUSD'], 'USD', ['EURGBP is quoted in GBP and nothing in the data converts GBP into the account currency USD (add GBPUSD or USDGBP data): its orders will be denied']],
    [['NOSUCHTHING'], 'USD', []],
  ])('symbols_%j_in_a_%s_account_then_%j', (symbols, account, lines) => {
    expect(unconvertibleInstruments(symbols as string[], account as string)).toEqual(lines);
  });
});

/** One Jest run over every project; SWC transpiles TypeScript (and ESM-only packages). */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.(t|j)s$': swc,
  },
  // trading-signals and NestJS 12 (@nestjs/*) ship ESM only, and Jest on Node 20 cannot require()
  // ESM: let SWC turn them into CommonJS for Jest. (Plain Node 20.19+ loads them natively.)
  transformIgnorePatterns: ['/node_modules/(?!(trading-signals|@nestjs)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};

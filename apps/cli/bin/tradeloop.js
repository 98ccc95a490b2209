#!/usr/bin/env node
'use strict';
// Runs the TypeScript sources directly: SWC transpiles on load (decorator metadata included),
// configured by the workspace's tsconfig wherever the command is started from.
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.resolve(__dirname, '../../../tsconfig.base.json');
require('@swc-node/register');
require('../src/main.ts').main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`error: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);

#!/usr/bin/env node
'use strict';
/**
 * npm records an optional platform package (e.g. @swc/core-darwin-arm64) in package-lock.json
 * only when it can read its manifest from the registry. Where the registry mirror carries just
 * this machine's platform builds, `npm install` writes a lock without the others and
 * `npm ci` then refuses it as "out of sync". This adds the missing entries, marked optional,
 * with the os/cpu/libc that their names state, so `npm ci` skips them on this platform
 * without fetching anything. Run after `npm install` changes the lock:
 *
 *   node tools/lock-foreign-platforms.js && npm ci
 */
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.resolve(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const pkgs = lock.packages;

const OS = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony', 'netbsd', 'openbsd', 'sunos', 'aix'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32', 'mips64el'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  if (!os || !cpu) return undefined;
  const libc = parts.includes('musl') || parts.includes('musleabihf') ? 'musl' : parts.includes('gnu') || parts.includes('gnueabihf') ? 'glibc' : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [key, entry] of Object.entries(pkgs)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies || {})) {
    const version = range.replace(/^[~^=]/, '');
    const hoisted = `node_modules/${dep}`;
    const nested = key === '' ? hoisted : `${key}/node_modules/${dep}`;
    if (pkgs[nested] || (pkgs[hoisted] && pkgs[hoisted].version === version)) continue;
    const plat = platformOf(dep);
    if (!plat) continue;
    // Hoisted when that place is free, else next to the package that wants this version.
    const where = pkgs[hoisted] ? nested : hoisted;
    pkgs[where] = {
      version,
      cpu: [plat.cpu],
      ...(plat.libc ? { libc: [plat.libc] } : {}),
      license: entry.license,
      optional: true,
      os: [plat.os],
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
process.stdout.write(`added ${added} foreign-platform optional entries to package-lock.json\n`);

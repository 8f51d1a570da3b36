// electron-builder afterPack hook: flips the Electron fuses in the packaged binary before it is signed
// or wrapped into a deb/AppImage. Each fuse closes a way to run other code inside the station's
// process (https://www.electronjs.org/docs/latest/tutorial/fuses). Kept as CommonJS: electron-builder
// requires the hook file.
'use strict';
const path = require('node:path');
const { flipFuses, getCurrentFuseWire, FuseVersion, FuseV1Options } = require('@electron/fuses');

/** The fuse settings of a packaged station, by name (checked by src/main/app/packaging.test.ts). */
const STATION_FUSES = Object.freeze({
  // ELECTRON_RUN_AS_NODE would turn the signed binary into a plain Node.js interpreter.
  RunAsNode: false,
  EnableCookieEncryption: true,
  // NODE_OPTIONS (--require, --inspect…) would inject code at start-up.
  EnableNodeOptionsEnvironmentVariable: false,
  // --inspect / --inspect-brk would open a debugger port into the main process.
  EnableNodeCliInspectArguments: false,
  // Validates app.asar against the hash embedded at packaging. Electron enforces it on macOS and
  // Windows only; on Linux the package's own signature (deb/AppImage) is what protects the files.
  EnableEmbeddedAsarIntegrityValidation: true,
  // Without it, a resources/app folder placed beside app.asar would be loaded instead.
  OnlyLoadAppFromAsar: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: false,
});

function fuseConfig() {
  const config = { version: FuseVersion.V1 };
  for (const [name, value] of Object.entries(STATION_FUSES)) {
    const index = FuseV1Options[name];
    if (typeof index !== 'number') throw new Error(`unknown Electron fuse ${name}`);
    config[index] = value;
  }
  return config;
}

/** Where the Electron binary (the file holding the fuse wire) sits in a packed app. */
function electronBinary(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas')
    return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
  if (electronPlatformName === 'win32')
    return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
  return path.join(appOutDir, packager.executableName);
}

/** Flips the fuses and reads them back: a binary whose wire did not take the settings is refused. */
async function applyStationFuses(binary, opts = {}) {
  const config = fuseConfig();
  await flipFuses(binary, { ...config, resetAdHocDarwinSignature: opts.resetAdHocDarwinSignature === true });
  const wire = await getCurrentFuseWire(binary);
  for (const [name, value] of Object.entries(STATION_FUSES)) {
    const expected = value ? 49 : 48; // '1' / '0' in the wire
    const actual = wire[FuseV1Options[name]];
    if (actual !== expected && actual !== 114 /* removed from this Electron: nothing to flip */)
      throw new Error(`fuse ${name} reads back ${actual}, expected ${expected}`);
  }
  return wire;
}

async function afterPack(context) {
  const binary = electronBinary(context);
  await applyStationFuses(binary, {
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === 3 /* arm64 */,
  });
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.STATION_FUSES = STATION_FUSES;
module.exports.applyStationFuses = applyStationFuses;

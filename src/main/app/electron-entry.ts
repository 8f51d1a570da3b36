// The Electron main process starts here: the Reflect metadata API first, once, for @peculiar/x509 (a
// static import could be hoisted behind the bundle's own chunks), then the shell.
import 'reflect-metadata';

await import('./electron-main');

// @peculiar/x509 needs the Reflect metadata API before it loads. The station's entry points (the CLI,
// the Electron main process) import it first, once; tests that import services directly get it here.
import 'reflect-metadata';

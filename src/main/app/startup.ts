import { CodedError } from '../../core/errors';
import type { StationConfig } from '../config';
import { ERROR_CATALOGUE, isErrorCode } from '../../shared/errors';

/** What the Electron shell needs to refuse a start: Electron's dialog and app, or a test's fakes. */
export interface StartupUi {
  showErrorBox(title: string, content: string): void;
  exit(code: number): void;
}

/**
 * The configuration the Electron shell starts with, or null after refusing to start. The shell uses the
 * data directory, DevTools and the media folders (a demo station opens with its rehearsal folder there),
 * so a bad STATION_DATA_DIR, STATION_DEVTOOLS or STATION_MEDIA_DIRS is refused here, before any window:
 * a dialog with the coded message and the operator's next step, then exit 2 (as the CLI exits on
 * CONFIG_INVALID) — never a raw main-process error. Variables the shell does not use at start (e.g.
 * STATION_VERIFY_PARALLEL_FROM) refuse only the act that reads them, as a coded error in the window.
 */
export function shellConfig(read: () => StationConfig, ui: StartupUi): StationConfig | null {
  try {
    const config = read();
    void [config.dataDir, config.devTools, config.mediaDirs];
    return config;
  } catch (e) {
    if (!(e instanceof CodedError) || !isErrorCode(e.code)) throw e;
    ui.showErrorBox(
      'Ceremony Station cannot start',
      `${e.code}: ${e.message}\n\n${ERROR_CATALOGUE[e.code].action}`,
    );
    ui.exit(2);
    return null;
  }
}

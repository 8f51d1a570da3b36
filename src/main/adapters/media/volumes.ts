import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, realpathSync, statfsSync, statSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Removable volumes the station may write bundles to or read them from. Real media come from `lsblk`
 * (util-linux): mounted filesystems on devices the kernel marks removable or hot-pluggable, or on the USB
 * transport. Rehearsals and tests name directories in STATION_MEDIA_DIRS (colon-separated) instead: a
 * stand-in at the same boundary, listed with the same states, never mixed up with real devices.
 */
export type VolumeState = 'ready' | 'read-only' | 'not-enough-space' | 'unavailable';

export interface Volume {
  readonly path: string;
  readonly label: string;
  readonly source: 'device' | 'configured';
  readonly device: string | null;
  readonly state: VolumeState;
  readonly freeBytes: number;
  readonly totalBytes: number;
  readonly detail: string;
}

export type MediaState = 'no-device' | 'several-devices' | 'read-only' | 'not-enough-space' | 'ready';

export interface MediaView {
  /** One word for the whole picture, as the UI banner shows it. */
  readonly state: MediaState;
  readonly volumes: readonly Volume[];
}

interface BlockDevice {
  name: string;
  path?: string;
  rm?: boolean | string;
  hotplug?: boolean | string;
  ro?: boolean | string;
  mountpoint?: string | null;
  label?: string | null;
  tran?: string | null;
  children?: BlockDevice[];
}

const truthy = (v: boolean | string | undefined) => v === true || v === '1';

function deviceMounts(): { path: string; device: string; label: string; ro: boolean }[] {
  const r = spawnSync('lsblk', ['-J', '-b', '-o', 'NAME,PATH,RM,HOTPLUG,RO,MOUNTPOINT,LABEL,TRAN'], {
    encoding: 'utf8',
    timeout: 5000,
  });
  if (r.status !== 0 || !r.stdout) return [];
  const out: { path: string; device: string; label: string; ro: boolean }[] = [];
  const walk = (d: BlockDevice, removable: boolean) => {
    const rem = removable || truthy(d.rm) || truthy(d.hotplug) || d.tran === 'usb';
    if (
      rem &&
      d.mountpoint &&
      d.mountpoint !== '/' &&
      !d.mountpoint.startsWith('/boot') &&
      d.mountpoint !== '[SWAP]'
    )
      out.push({
        path: d.mountpoint,
        device: d.path ?? d.name,
        label: d.label ?? basename(d.mountpoint),
        ro: truthy(d.ro),
      });
    for (const c of d.children ?? []) walk(c, rem);
  };
  try {
    for (const d of (JSON.parse(r.stdout) as { blockdevices: BlockDevice[] }).blockdevices) walk(d, false);
  } catch {
    return [];
  }
  return out;
}

/** Mount options say read-only even when the device does not (e.g. mounted `ro` on purpose). */
function mountedReadOnly(path: string): boolean {
  try {
    const line = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f[1] === path)
      .at(-1);
    return line?.[3]?.split(',').includes('ro') ?? false;
  } catch {
    return false;
  }
}

function describe(
  path: string,
  meta: { label: string; source: Volume['source']; device: string | null; ro: boolean },
  neededBytes: number,
): Volume {
  const base = { path, label: meta.label, source: meta.source, device: meta.device };
  try {
    if (!statSync(path).isDirectory()) throw new Error('not a directory');
    const fs = statfsSync(path);
    const freeBytes = Number(fs.bavail) * Number(fs.bsize);
    const totalBytes = Number(fs.blocks) * Number(fs.bsize);
    let writable = !meta.ro && !mountedReadOnly(path);
    if (writable) {
      try {
        accessSync(path, constants.W_OK);
      } catch {
        writable = false;
      }
    }
    if (!writable)
      return {
        ...base,
        state: 'read-only',
        freeBytes,
        totalBytes,
        detail: 'mounted read-only or not writable',
      };
    // A margin for the archive's own structure and the filesystem's rounding.
    if (freeBytes < neededBytes + 1024 * 1024)
      return {
        ...base,
        state: 'not-enough-space',
        freeBytes,
        totalBytes,
        detail: `${freeBytes} bytes free, about ${neededBytes} needed`,
      };
    return { ...base, state: 'ready', freeBytes, totalBytes, detail: `${freeBytes} bytes free` };
  } catch (e) {
    return { ...base, state: 'unavailable', freeBytes: 0, totalBytes: 0, detail: (e as Error).message };
  }
}

/** The removable devices, and the configured folders (StationConfig.mediaDirs: absolute paths). */
export function listVolumes(mediaDirs: readonly string[], neededBytes = 0): MediaView {
  const configured = mediaDirs.map((p) => {
    let real = p;
    try {
      real = realpathSync(p);
    } catch {
      /* reported as unavailable below */
    }
    return describe(real, { label: basename(p), source: 'configured', device: null, ro: false }, neededBytes);
  });
  const devices = deviceMounts().map((m) =>
    describe(m.path, { label: m.label, source: 'device', device: m.device, ro: m.ro }, neededBytes),
  );
  const volumes = [...devices, ...configured];
  const present = volumes.filter((v) => v.state !== 'unavailable');
  let state: MediaState;
  if (present.length === 0) state = 'no-device';
  else if (present.length > 1) state = 'several-devices';
  else state = (present[0] as Volume).state as Exclude<VolumeState, 'unavailable'>;
  return { state, volumes };
}

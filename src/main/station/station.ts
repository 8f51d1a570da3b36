import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { toHex, type Sha256 } from '../../core/bytes';
import { journalTime, prepareEntry, type EventKind, type NewEvent } from '../../core/journal/events';
import { openDatabase, type OpenedDatabase } from '../adapters/store/database';
import { JournalStore, type AppendResult } from '../adapters/store/journal-store';
import { findStation, type StationRecord } from '../adapters/store/repos/station';
import { withConfig, type StationConfig } from '../config';
import { stationError } from '../errors';
import { DATABASE_FILE, REHEARSAL_MEDIA } from '../paths';
import { HsmRegistry, type OnlineTokenPolicy, type RegisteredModule } from './hsm-registry';

export interface StationDeps {
  readonly clock: () => Date;
  readonly sha256: Sha256;
  /**
   * What to load for a PKCS#11 module id: the composition root passes the devices domain's reader of
   * the journal's registrations (the container knows no domain).
   */
  readonly modules: (station: Station, moduleId: string) => RegisteredModule | null;
  /** What the environment said, read once by the entry point (src/main/config.ts). */
  readonly config: StationConfig;
  /**
   * The station's identity token (the identity domain reads it from the journal), which is all an online
   * station's HSM registry may touch. Absent: an online station refuses every module.
   */
  readonly identityToken?: (station: Station) => { moduleId: string; serial: string } | null;
}

export type { StationRecord };

/** The journal head an act's first record is pinned to, per async act (Station.onHead). */
const headPins = new AsyncLocalStorage<{ seq: number; hash: string | null; used: boolean }>();

/**
 * An open station: its database, journal and projections. Every fact goes in through `record`, which
 * validates against the event catalogue and refuses to write on a read-only (damaged) store.
 */
export class Station {
  readonly journal: JournalStore;
  /** PKCS#11 modules registered with this station, opened on first use and closed with the station. */
  readonly hsm: HsmRegistry;

  private constructor(
    readonly dataDir: string,
    readonly store: OpenedDatabase,
    readonly deps: StationDeps,
    /** Services read the configuration here (`station.config.mediaDirs`), never the environment. */
    readonly config: StationConfig = deps.config,
  ) {
    this.journal = new JournalStore(store.db, deps.sha256);
    this.hsm = new HsmRegistry(
      (moduleId) => deps.modules(this, moduleId),
      () => this.onlinePolicy(),
    );
  }

  /**
   * Opens an existing station. With `rehearsalMedia` (the shells: Electron and `station serve`), a demo
   * station — which has no USB stick — gets its rehearsal folder as its removable volume in its config
   * (listed as a configured folder, never as a device), unless STATION_MEDIA_DIRS names folders.
   */
  static open(dataDir: string, deps: StationDeps, opts: { rehearsalMedia?: boolean } = {}): Station {
    const store = openDatabase(join(dataDir, DATABASE_FILE), { create: false });
    let record: StationRecord | null;
    try {
      record = findStation(store.db);
    } catch (e) {
      // A station row that is not what was written (STORE_ROW_INVALID): refused, and nothing left open.
      store.db.close();
      throw e;
    }
    if (!record) {
      store.db.close();
      throw stationError('STATION_NOT_INITIALISED', `the database in ${dataDir} holds no station yet`, {
        path: store.path,
      });
    }
    if (!opts.rehearsalMedia || !record.demo || deps.config.mediaDirs.length > 0)
      return new Station(dataDir, store, deps);
    const rehearsal = join(dataDir, REHEARSAL_MEDIA);
    mkdirSync(rehearsal, { recursive: true, mode: 0o700 });
    return new Station(
      dataDir,
      store,
      deps,
      withConfig(deps.config, { mediaDirs: Object.freeze([rehearsal]) }),
    );
  }

  /** Creates a new station: its database and the first journal entry. Refuses an existing one. */
  static init(
    dataDir: string,
    opts: { name: string; mode: 'offline' | 'online'; demo: boolean; actor: string },
    deps: StationDeps,
  ): Station {
    const path = join(dataDir, DATABASE_FILE);
    if (existsSync(path)) {
      throw stationError('STATION_EXISTS', `a station already exists in ${dataDir}`, { path });
    }
    // Validate before touching the disk: a bad name must not leave an empty database behind.
    const first = prepareEntry(
      {
        kind: 'station.initialised',
        actor: opts.actor,
        body: { stationId: randomUUID(), name: opts.name, mode: opts.mode, demo: opts.demo },
      },
      deps.clock(),
    );
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const store = openDatabase(path, { create: true });
    const station = new Station(dataDir, store, deps);
    station.journal.append([first]);
    return station;
  }

  /**
   * Validates and appends events atomically (all or none). `recheck` runs inside the append's write
   * transaction (see JournalStore.append): checks that must still hold when the events land go there.
   */
  record(events: readonly NewEvent<EventKind>[], recheck?: () => void): AppendResult {
    this.assertWritable();
    const at = journalTime(this.deps.clock());
    // An act confirmed on a preview lands only on the head the preview was made against: checked in
    // the write transaction of its first record, so nothing appended meanwhile (another window, the CLI
    // in another process) slips between the operator's confirmation and the record.
    const pinned = headPins.getStore();
    const guard =
      pinned && !pinned.used
        ? () => {
            const head = this.journal.head();
            const hash = head.seq === 0 ? null : toHex(head.hash);
            if (head.seq !== pinned.seq || hash !== pinned.hash)
              throw stationError(
                'PREVIEW_STALE',
                `the journal moved from seq ${pinned.seq} to ${head.seq} while the act ran: nothing was recorded; preview it again`,
                { field: 'confirm', basedOnSeq: pinned.seq, headSeq: head.seq },
              );
            recheck?.();
          }
        : recheck;
    const appended = this.journal.append(
      events.map((e) => prepareEntry(e, at)),
      guard,
    );
    if (pinned) pinned.used = true;
    return appended;
  }

  /**
   * For an act that changes a device before it can record (a token's PIN): checks now, before that
   * change, that the journal is still on the head its confirmed preview was made against, and releases
   * the pin, so the record that follows the change is never refused after the device moved.
   */
  confirmPinnedHead(): void {
    const pinned = headPins.getStore();
    if (!pinned || pinned.used) return;
    const head = this.journal.head();
    const hash = head.seq === 0 ? null : toHex(head.hash);
    if (head.seq !== pinned.seq || hash !== pinned.hash)
      throw stationError(
        'PREVIEW_STALE',
        `the journal moved from seq ${pinned.seq} to ${head.seq} while the act ran: nothing was changed or recorded; preview it again`,
        { field: 'confirm', basedOnSeq: pinned.seq, headSeq: head.seq },
      );
    pinned.used = true;
  }

  /**
   * Runs an act whose first record must land right after journal seq `seq` (head `hash`): the head its
   * confirmed preview was made against (services/acts). Later records of the same act are not pinned.
   */
  static onHead<T>(basedOn: { seq: number; hash: string | null }, run: () => T): T {
    return headPins.run({ ...basedOn, used: false }, run);
  }

  assertWritable(): void {
    if (this.store.readOnly) {
      throw stationError(
        'STORE_READ_ONLY',
        `the station database is read-only: ${this.store.readOnlyReason}`,
        {
          path: this.store.path,
        },
      );
    }
  }

  /** Online (portal) station: only its identity token may be touched (HsmRegistry). */
  private onlinePolicy(): OnlineTokenPolicy | null {
    const record = this.findStationRecord();
    if (record?.mode !== 'online') return null;
    return { stationToken: this.deps.identityToken?.(this) ?? null };
  }

  findStationRecord(): StationRecord | null {
    return findStation(this.store.db);
  }

  stationRecord(): StationRecord {
    const r = this.findStationRecord();
    if (!r) throw stationError('STATION_NOT_INITIALISED', 'this database holds no station', {});
    return r;
  }

  close(): void {
    this.hsm.closeAll();
    if (this.store.db.open) this.store.db.close();
  }
}

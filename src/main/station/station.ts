import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Sha256 } from '../../core/bytes';
import { journalTime, prepareEntry, type EventKind, type NewEvent } from '../../core/journal/events';
import type { StationInfo } from '../../shared/contract';
import { openDatabase, type OpenedDatabase } from '../adapters/store/database';
import { JournalStore, type AppendResult } from '../adapters/store/journal-store';
import { CodedError } from '../../core/errors';
import { stationError } from '../errors';
import { DATABASE_FILE } from '../paths';
import { HsmRegistry } from '../services/devices/modules';
import { identitySummary, stationIdentity, type StationIdentity } from '../services/identity/identity';

export interface StationDeps {
  readonly clock: () => Date;
  readonly sha256: Sha256;
}

export interface StationRecord {
  readonly stationId: string;
  readonly name: string;
  readonly mode: 'offline' | 'online';
  readonly demo: boolean;
  readonly createdAt: string;
}

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
  ) {
    this.journal = new JournalStore(store.db, deps.sha256);
    this.hsm = new HsmRegistry(this);
  }

  static open(dataDir: string, deps: StationDeps): Station {
    const store = openDatabase(join(dataDir, DATABASE_FILE), { create: false });
    const station = new Station(dataDir, store, deps);
    if (!station.findStationRecord()) {
      station.close();
      throw stationError('STATION_NOT_INITIALISED', `the database in ${dataDir} holds no station yet`, {
        path: store.path,
      });
    }
    return station;
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
    return this.journal.append(
      events.map((e) => prepareEntry(e, at)),
      recheck,
    );
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

  findStationRecord(): StationRecord | null {
    const r = this.store.db
      .prepare('SELECT station_id, name, mode, demo, created_at FROM station WHERE singleton = 1')
      .get() as
      | { station_id: string; name: string; mode: 'offline' | 'online'; demo: number; created_at: string }
      | undefined;
    return r
      ? { stationId: r.station_id, name: r.name, mode: r.mode, demo: r.demo === 1, createdAt: r.created_at }
      : null;
  }

  stationRecord(): StationRecord {
    const r = this.findStationRecord();
    if (!r) throw stationError('STATION_NOT_INITIALISED', 'this database holds no station', {});
    return r;
  }

  info(host: 'electron' | 'browser'): StationInfo {
    const r = this.stationRecord();
    const identity = stationIdentity(this);
    return {
      ...r,
      identity: identity ? identitySummary(identity) : null,
      hsm: identity
        ? {
            tokenSerial: identity.tokenSerial,
            tokenLabel: identity.tokenLabel,
            ...this.tokenStatus(identity),
          }
        : null,
      store: {
        path: this.store.path,
        schemaVersion: this.store.schemaVersion,
        readOnly: this.store.readOnly,
        readOnlyReason: this.store.readOnlyReason,
      },
      journal: this.journalTail(),
      host,
    };
  }

  /**
   * The unsigned tail the banner shows: entries after the latest checkpoint's own event (after its head
   * for a legacy checkpoint). Two indexed reads, no verification: the verdict says whether they hold.
   * Null when a damaged (read-only) store cannot be read that far.
   */
  private journalTail(): StationInfo['journal'] {
    try {
      const entries = this.journal.head().seq;
      const latest = this.journal.latestCheckpoint();
      const anchored = latest ? (latest.eventSeq ?? latest.size) : 0;
      return { entries, checkpoint: latest?.n ?? null, unsigned: Math.max(0, entries - anchored) };
    } catch (e) {
      // A damaged store (read-only) must still describe itself: the banner then shows no count.
      if (this.store.readOnly) return null;
      throw e;
    }
  }

  /**
   * Whether the identity token answers now. A module that cannot load is an ERROR with its code, not
   * "absent": a library that changed since it was registered is a tamper signal, not a missing token.
   */
  private tokenStatus(identity: StationIdentity): {
    status: 'PRESENT' | 'BUSY' | 'ABSENT' | 'ERROR';
    detail: string;
  } {
    try {
      const module = this.hsm.module(identity.moduleId);
      const present = module.tokens().some((t) => t.serial === identity.tokenSerial);
      // Busy: an operation has the token (it runs one at a time); the next one waits or is refused.
      const busy = present ? module.busy(identity.tokenSerial) : null;
      if (busy)
        return { status: 'BUSY', detail: `${identity.tokenSerial}: ${busy.purpose} since ${busy.since}` };
      return present
        ? { status: 'PRESENT', detail: identity.tokenSerial }
        : { status: 'ABSENT', detail: identity.tokenSerial };
    } catch (e) {
      return {
        status: 'ERROR',
        detail: e instanceof CodedError ? `${e.code}: ${e.message}` : 'the module could not be read',
      };
    }
  }

  close(): void {
    this.hsm.closeAll();
    if (this.store.db.open) this.store.db.close();
  }
}

import { z } from 'zod';
import type { Result } from '../errors';
import { actsChannels } from './acts';
import { attestChannels } from './attest';
import { activationChannels } from './activation';
import { authorityRedirectChannels } from './authority-redirect';
import { authorityChannels } from './authority';
import { authorityBroadChannels } from './authority-broad';
import { bundlesChannels } from './bundles';
import { ceremoniesChannels } from './ceremonies';
import type { Channel, Channels } from './common';
import type { Confirmation, ConfirmedMethod } from './acts';
import { custodiansChannels } from './custodians';
import { custodyChannels } from './custody';
import { decisionsChannels } from './decisions';
import { devicesChannels } from './devices';
import { findingsChannels } from './findings';
import { identityChannels } from './identity';
import { jobsChannels } from './jobs';
import { journalChannels } from './journal';
import { packetsChannels } from './packets';
import { recordsChannels } from './records';
import { signingChannels } from './signing';
import { portalChannels } from './portal';

/**
 * The one typed contract between main, preload and renderer. Each channel declares its request and
 * response schema in the file of the domain that serves it (`./<domain>.ts` ↔ `src/main/services/
 * <domain>/`); main registers exactly these handlers (src/main/ipc), preload exposes exactly these
 * methods, and the renderer sees them as `window.station` (or the browser-mode host's equivalent).
 *
 * Values are JSON-safe (bytes travel as hex) so the same contract serves Electron IPC and the
 * browser-mode host's WebSocket.
 */

/** Every domain's channels, by the domain (file) that declares them. */
export const CHANNELS_BY_DOMAIN = {
  identity: identityChannels,
  journal: journalChannels,
  devices: devicesChannels,
  custodians: custodiansChannels,
  custody: custodyChannels,
  bundles: bundlesChannels,
  jobs: jobsChannels,
  packets: packetsChannels,
  attest: attestChannels,
  records: recordsChannels,
  findings: findingsChannels,
  decisions: decisionsChannels,
  // services/authority: the lanes' channels (./authority.ts), redirects (./authority-redirect.ts) and the
  // broad view (./authority-broad.ts).
  authority: { ...authorityChannels, ...authorityRedirectChannels, ...authorityBroadChannels },
  // services/activation: the offline-signing continuity activation gate (./activation.ts).
  activation: activationChannels,
  acts: actsChannels,
  signing: signingChannels,
  // services/portal: online-mode PKI-portal submission (./portal.ts).
  portal: portalChannels,
  // services/ceremonies: ceremony runs at the console, one step at a time (./ceremonies.ts).
  ceremonies: ceremoniesChannels,
} as const;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;
type Merged<D extends Readonly<Record<string, Channels>>> = UnionToIntersection<D[keyof D]>;

/**
 * The domains' channels as one contract. A channel declared in two domain files is an error here, at
 * module load: neither would be sure to be the one served, so the station does not start.
 */
export function mergeChannels<D extends Readonly<Record<string, Channels>>>(domains: D): Merged<D> {
  const merged: Record<string, Channel> = {};
  const home = new Map<string, string>();
  for (const [domain, channels] of Object.entries(domains)) {
    for (const [name, channel] of Object.entries(channels)) {
      const first = home.get(name);
      if (first !== undefined)
        throw new Error(
          `contract channel "${name}" is declared in both contract/${first}.ts and contract/${domain}.ts`,
        );
      home.set(name, domain);
      merged[name] = channel;
    }
  }
  return Object.freeze(merged) as Merged<D>;
}

export const contract = mergeChannels(CHANNELS_BY_DOMAIN);

export type Contract = typeof contract;
export type Method = keyof Contract;
export type Input<M extends Method> = z.input<Contract[M]['input']>;
export type ParsedInput<M extends Method> = z.output<Contract[M]['input']>;
export type Output<M extends Method> = z.output<Contract[M]['output']>;

/** Read-only all the way down: what services may hand out (the dispatcher re-parses every output). */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * What the service behind channel M returns: its output, read-only. A service function typed
 * `View<'rosterList'>` is the one that builds that channel's view, for the UI and the CLI alike.
 */
export type View<M extends Method> = DeepReadonly<Output<M>>;

export const METHODS = Object.keys(contract) as Method[];

export function isMethod(name: string): name is Method {
  return Object.hasOwn(contract, name);
}

/**
 * Channels that record an act under an actor: the window never names it — the dispatcher fills it in
 * from the console's signed-in operator (OPS-ACTIVE, docs/operators.md). A channel whose actor is
 * optional (a check-in, recorded under the key that signed) is not one of them.
 */
export const ACT_METHODS: ReadonlySet<Method> = new Set(
  (Object.keys(contract) as Method[]).filter((m) => {
    const input = contract[m].input;
    return (
      input instanceof z.ZodObject &&
      'actor' in input.shape &&
      !input.shape.actor.safeParse(undefined).success
    );
  }),
);

/**
 * What the window sends: the channel's input without the actor of an act (ACT_METHODS), and for an
 * irreversible act (CONFIRMED_ACTS) the confirmation of its preview.
 */
export type WindowInput<M extends Method> = (Input<M> extends { actor: string }
  ? Omit<Input<M>, 'actor'>
  : Input<M>) &
  (M extends ConfirmedMethod ? { confirm: Confirmation } : unknown);

/** What `window.station` is: one async method per channel, each returning the result envelope. */
export type StationApi = {
  readonly [M in Method]: (input: WindowInput<M>) => Promise<Result<Output<M>>>;
};

/** Electron IPC channel name for a method. */
export const ipcChannel = (method: Method): string => `station:${method}`;

/**
 * Builds the station API from a transport. Preload passes ipcRenderer.invoke, the browser-mode bridge
 * passes its WebSocket client: both expose exactly the contract's methods and nothing generic.
 */
export function createStationApi(invoke: (method: Method, input: unknown) => Promise<unknown>): StationApi {
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const method of METHODS) api[method] = (input: unknown) => invoke(method, input);
  return Object.freeze(api) as StationApi;
}

export type { Channel, Channels } from './common';
export type { Anchoring } from './common';
export * from './acts';
export * from './attest';
export * from './activation';
export * from './authority-redirect';
export * from './authority';
export * from './authority-broad';
export * from './bundles';
export * from './ceremonies';
export * from './custodians';
export * from './custody';
export * from './decisions';
export * from './devices';
export * from './findings';
export * from './identity';
export * from './jobs';
export * from './journal';
export * from './packets';
export * from './records';

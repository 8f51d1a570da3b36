import { createHash } from 'node:crypto';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { describe, expect, it } from 'vitest';
import { CodedError } from '../errors';
import {
  ACTS,
  ACT_NAMES,
  CEREMONY_TYPE_NAMES,
  ceremonyDigest,
  fieldPath,
  isCredentialKey,
  validateCeremony,
  type ActKind,
} from '.';

/** A small valid key-generation ceremony, as decoded YAML would give it. */
function keygen(): Record<string, unknown> & { steps: Record<string, unknown>[] } {
  const witnessed = { count: 2, roles: ['witness'] };
  return {
    ceremony: 1,
    id: 'test-keygen',
    title: 'Test key generation',
    type: 'key-generation',
    planned: { date: '2027-03-16', location: 'Room K2' },
    participants: [
      { id: 'ana', name: 'Ana', role: 'master-of-ceremonies' },
      { id: 'ben', name: 'Ben', role: 'operator' },
      { id: 'chloe', name: 'Chloe', role: 'witness' },
      { id: 'dev', name: 'Dev', role: 'witness' },
      { id: 'erin', name: 'Erin', role: 'custodian' },
      { id: 'femi', name: 'Femi', role: 'custodian' },
    ],
    hsm: { module: 'softhsm2', token: 'prod-1', model: 'Test HSM', firmware: '2.6.1' },
    key: { label: 'int-2027', algorithm: 'ec-p256', csr: { subject: { commonName: 'Test Intermediate' } } },
    bags: [{ serial: 'TB-100001', contents: 'the HSM', state: 'sealed' }],
    steps: [
      {
        id: 'open-bag',
        title: 'Open the bag',
        say: 'I read the serial.',
        check: 'The bag is intact.',
        by: 'operator',
        witnesses: witnessed,
        bags: { in: ['TB-100001'] },
        preconditions: [{ kind: 'bag-intact', serial: 'TB-100001' }],
        act: { kind: 'manual' },
      },
      {
        id: 'firmware',
        title: 'Firmware',
        say: 'The station reads the firmware.',
        check: 'It is 2.6.1.',
        by: 'operator',
        witnesses: witnessed,
        preconditions: [{ kind: 'firmware-equals', token: 'prod-1', firmware: '2.6.1' }],
        act: { kind: 'record-note' },
      },
      {
        id: 'generate',
        title: 'Generate',
        say: 'The operator generates the key.',
        check: 'Attributes read back.',
        by: 'operator',
        witnesses: witnessed,
        quorum: { m: 2, n: 3 },
        preconditions: [
          { kind: 'quorum-satisfied' },
          { kind: 'label-absent', label: 'int-2027', token: 'prod-1' },
        ],
        act: { kind: 'generate-key', label: 'int-2027', token: 'prod-1' },
        postconditions: ['attributes-read-back'],
      },
      {
        id: 'csr',
        title: 'CSR',
        say: 'The operator makes the request.',
        check: 'It verifies.',
        by: 'operator',
        witnesses: witnessed,
        quorum: { m: 2, n: 3 },
        preconditions: [{ kind: 'quorum-satisfied' }],
        act: { kind: 'create-csr', label: 'int-2027', token: 'prod-1' },
        postconditions: ['csr-verifies-against-token-key'],
      },
    ],
  };
}

/** The refusal validating `data` raises. */
function refusal(data: unknown): CodedError {
  try {
    validateCeremony(data, 'test.yaml');
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('ceremony file schema and cross-field rules', () => {
  it('accepts the valid file, with defaults filled', () => {
    const c = validateCeremony(keygen(), 'test.yaml');
    expect(c.steps.map((s) => s.act.kind)).toEqual(['manual', 'record-note', 'generate-key', 'create-csr']);
    expect(c.steps[0]!.postconditions).toEqual([]);
  });

  it('refuses an unknown key at its path (top level and deep)', () => {
    const top = refusal({ ...keygen(), notes: 'x' });
    expect(top.code).toBe('CEREMONY_FILE_INVALID');
    expect(top.data.field).toBe('notes');
    const data = keygen();
    (data.steps[2]!.preconditions as Record<string, unknown>[])[1]!.firmware = '2.6.1';
    const deep = refusal(data);
    expect(deep.data.field).toBe('steps[2].preconditions[1].firmware');
    expect(deep.message).toBe(
      'test.yaml: steps[2].preconditions[1].firmware is not a key of the ceremony format',
    );
  });

  it('refuses credential-named keys anywhere, with their path', () => {
    for (const key of [
      'pin',
      'soPin',
      'userPIN',
      'so_pin',
      'password',
      'passphrase',
      'secret',
      'adminPassword',
    ]) {
      const data = keygen();
      (data.hsm as Record<string, unknown>)[key] = '1234';
      const e = refusal(data);
      expect(e.code, key).toBe('CEREMONY_FILE_CREDENTIAL');
      expect(e.data.field).toBe(`hsm.${key}`);
    }
    // Look-alikes are not credentials (and are refused only as unknown keys).
    for (const key of ['spinner', 'mapping', 'shipping', 'opinion'])
      expect(isCredentialKey(key), key).toBe(false);
  });

  it('refuses an act the ceremony type does not allow', () => {
    const data = keygen();
    data.steps[1]!.act = { kind: 'destroy-key', label: 'int-2027', token: 'prod-1' };
    const e = refusal(data);
    expect(e.data.field).toBe('steps[1].act.kind');
    expect(e.message).toMatch(/destroy-key is not an act of a key-generation ceremony/);
  });

  it('refuses a file with fewer than two witnesses', () => {
    const data = keygen();
    data.participants = (data.participants as { role: string }[]).filter(
      (p, i) => p.role !== 'witness' || i === 2,
    );
    const e = refusal(data);
    expect(e.data.field).toBe('participants');
    expect(e.message).toMatch(/at least 2 witness \(it names 1\)/);
  });

  it('refuses a step that asks for more witnesses than can watch it', () => {
    const data = keygen();
    data.steps[0]!.witnesses = { count: 3, roles: ['witness'] };
    expect(refusal(data).data.field).toBe('steps[0].witnesses.count');
  });

  it('refuses a witness role held by who acts', () => {
    const data = keygen();
    data.steps[0]!.witnesses = { count: 1, roles: ['witness', 'operator'] };
    expect(refusal(data).data.field).toBe('steps[0].witnesses.roles[1]');
  });

  it('refuses repeated step ids', () => {
    const data = keygen();
    data.steps[3]!.id = 'generate';
    expect(refusal(data).data.field).toBe('steps[3].id');
  });

  it('refuses a role nobody holds', () => {
    const data = keygen();
    data.steps[0]!.by = 'auditor';
    expect(refusal(data).data.field).toBe('steps[0].by');
  });

  it('requires generate-key then create-csr for key-generation', () => {
    const data = keygen();
    data.steps = data.steps.slice(0, 3);
    expect(refusal(data).message).toMatch(
      /steps must include generate-key, then create-csr .*missing: create-csr/,
    );
    const swapped = keygen();
    swapped.steps = [swapped.steps[0]!, swapped.steps[1]!, swapped.steps[3]!, swapped.steps[2]!];
    expect(refusal(swapped).message).toMatch(/missing: create-csr/);
  });

  it('requires the postconditions an act needs, and refuses ones that do not follow it', () => {
    const data = keygen();
    data.steps[2]!.postconditions = [];
    expect(refusal(data).data.field).toBe('steps[2].postconditions');
    const wrong = keygen();
    wrong.steps[3]!.postconditions = ['csr-verifies-against-token-key', 'object-absent'];
    expect(refusal(wrong).data.field).toBe('steps[3].postconditions[1]');
  });

  it('requires a quorum for a private-key act, and quorum-satisfied exactly when bound', () => {
    const data = keygen();
    delete data.steps[2]!.quorum;
    expect(refusal(data).data.field).toBe('steps[2].quorum');
    const unchecked = keygen();
    unchecked.steps[3]!.preconditions = [];
    expect(refusal(unchecked).data.field).toBe('steps[3].preconditions');
    const unbound = keygen();
    unbound.steps[1]!.preconditions = [
      { kind: 'firmware-equals', token: 'prod-1', firmware: '2.6.1' },
      { kind: 'quorum-satisfied' },
    ];
    expect(refusal(unbound).data.field).toBe('steps[1].preconditions[1]');
    const tooMany = keygen();
    tooMany.steps[2]!.quorum = { m: 3, n: 3 };
    expect(refusal(tooMany).data.field).toBe('steps[2].quorum.m');
  });

  it('refuses labels, tokens and firmware the file does not declare', () => {
    const label = keygen();
    label.steps[3]!.act = { kind: 'create-csr', label: 'int-2026', token: 'prod-1' };
    expect(refusal(label).message).toMatch(/steps\[3\]\.act\.label must be int-2027 \(key\.label\)/);
    const token = keygen();
    token.steps[1]!.preconditions = [{ kind: 'firmware-equals', token: 'prod-2', firmware: '2.6.1' }];
    expect(refusal(token).data.field).toBe('steps[1].preconditions[0].token');
    const firmware = keygen();
    firmware.steps[1]!.preconditions = [{ kind: 'firmware-equals', token: 'prod-1', firmware: '2.6.2' }];
    expect(refusal(firmware).data.field).toBe('steps[1].preconditions[0].firmware');
  });

  it('requires the firmware checked before the first act on a token, and the label checked absent before generating', () => {
    const data = keygen();
    data.steps[1]!.preconditions = [];
    expect(refusal(data).message).toMatch(
      /steps\[2\]\.preconditions must check firmware-equals for token prod-1/,
    );
    const unguarded = keygen();
    unguarded.steps[2]!.preconditions = [{ kind: 'quorum-satisfied' }];
    expect(refusal(unguarded).message).toMatch(
      /must check label-absent for int-2027 on prod-1 before generate-key/,
    );
  });

  it('refuses a bag opened without its intact check, undeclared, or a sealed bag sealed again', () => {
    const data = keygen();
    data.steps[0]!.preconditions = [];
    expect(refusal(data).data.field).toBe('steps[0].bags.in[0]');
    const undeclared = keygen();
    undeclared.steps[0]!.preconditions = [{ kind: 'bag-intact', serial: 'TB-999999' }];
    expect(refusal(undeclared).data.field).toBe('steps[0].preconditions[0].serial');
    const resealed = keygen();
    resealed.steps[3]!.bags = { out: ['TB-100001'] };
    expect(refusal(resealed).data.field).toBe('steps[3].bags.out[0]');
    const unused = keygen();
    (unused.bags as unknown[]).push({ serial: 'TB-100002', contents: 'spare', state: 'new' });
    expect(refusal(unused).data.field).toBe('bags[1].serial');
  });

  it('requires the blocks a type needs and refuses the others', () => {
    const noCsr = keygen();
    noCsr.key = { label: 'int-2027', algorithm: 'ec-p256' };
    expect(refusal(noCsr).data.field).toBe('key.csr');
    const roster = keygen();
    roster.roster = { revoke: [{ id: 'erin', reason: 'leaves' }] };
    expect(refusal(roster).message).toMatch(/roster is not allowed in a key-generation ceremony/);
    const algorithm = keygen();
    algorithm.key = { ...(algorithm.key as object), algorithm: 'dsa-1024' };
    expect(refusal(algorithm).data.field).toBe('key.algorithm');
    const backup = keygen();
    backup.key = { ...(backup.key as object), backup: 'wrap-with-trusted' };
    expect(validateCeremony(backup, 'test.yaml').key?.backup).toBe('wrap-with-trusted');
    const destroyed = {
      ...backup,
      type: 'key-destruction',
      key: { label: 'int-2027', algorithm: 'ec-p256', backup: 'wrap-with-trusted' },
    };
    expect(refusal(destroyed).message).toMatch(
      /key\.backup[^\n]*is not allowed in a key-destruction ceremony/,
    );
    backup.key = { ...(backup.key as object), backup: 'extractable' };
    expect(refusal(backup).data.field).toBe('key.backup');
  });

  it('refuses a format version other than 1 and an unknown act kind', () => {
    expect(refusal({ ...keygen(), ceremony: 2 }).data.field).toBe('ceremony');
    const data = keygen();
    data.steps[0]!.act = { kind: 'format-token' };
    const e = refusal(data);
    expect(e.data.field).toBe('steps[0].act.kind');
  });

  it('gives every act a ceremony type and every type an allowed act for each required one', () => {
    for (const kind of ACT_NAMES) expect(ACTS[kind].types.length, kind).toBeGreaterThan(0);
    for (const type of CEREMONY_TYPE_NAMES) {
      const allowed = ACT_NAMES.filter((k: ActKind) => (ACTS[k].types as readonly string[]).includes(type));
      expect(allowed.length, type).toBeGreaterThan(2);
    }
  });
});

describe('field paths and the digest', () => {
  it('writes paths with indexes in brackets', () => {
    expect(fieldPath(['steps', '3', 'preconditions', 0, 'firmware'])).toBe(
      'steps[3].preconditions[0].firmware',
    );
    expect(fieldPath([])).toBe('(file)');
  });

  it('digests the exact bytes: a fixed byte string has a fixed hex and fixed words', () => {
    const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());
    const d = ceremonyDigest(new TextEncoder().encode('abc'), sha256);
    expect(d.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // The words are the digest's first 88 bits in 11-bit groups, each an index into the BIP-39 list.
    const bits = BigInt(`0x${d.sha256.slice(0, 22)}`);
    const expected = [7, 6, 5, 4, 3, 2, 1, 0].map((i) => wordlist[Number((bits >> BigInt(i * 11)) & 2047n)]);
    expect(d.words).toEqual(expected);
    expect(d.words.join(' ')).toBe('risk scheme quiz bulk brother vivid agree chimney');
    expect(ceremonyDigest(new TextEncoder().encode('abc\n'), sha256).sha256).not.toBe(d.sha256);
  });
});

describe('the roster change block (CER-ROSTER)', () => {
  const PEM = [
    '-----BEGIN PUBLIC KEY-----',
    'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAExJSyzLaP9+CJje4kTEvD9q0lrUP8',
    'r/sOkSWttkOIP4Nxz8jMsykzOgyOsr7vJDFfnpdgQ5hllfdJ8NSKC9OSug==',
    '-----END PUBLIC KEY-----',
    '',
  ].join('\n');
  const add = (over: Record<string, unknown> = {}) => ({
    id: 'ines',
    name: 'Ines',
    publicKey: PEM,
    roles: ['custodian'],
    validFrom: '2027-04-01T00:00:00.000Z',
    validUntil: '2029-04-01T00:00:00.000Z',
    ...over,
  });
  /** A roster-change file around `roster`. */
  function change(roster: Record<string, unknown>) {
    const f = keygen();
    delete f.hsm;
    delete f.key;
    delete f.bags;
    f.type = 'roster-change';
    f.roster = roster;
    f.steps = [
      {
        id: 'apply',
        title: 'Apply',
        say: 'Two custodians check in.',
        check: 'The change is applied.',
        by: 'operator',
        witnesses: { count: 2, roles: ['witness'] },
        quorum: { m: 2, n: 2 },
        preconditions: [{ kind: 'quorum-satisfied' }],
        act: { kind: 'roster-apply' },
        postconditions: ['roster-applied'],
      },
    ];
    return f;
  }
  const valid = { add: [add()], revoke: [{ id: 'femi', reason: 'leaves' }], quorum: { m: 2, n: 2 } };

  it('accepts adds with what a roster entry needs and revokes with reasons; the key is kept trimmed', () => {
    const file = validateCeremony(change(valid), 'test.yaml');
    expect(file.roster?.add[0]).toMatchObject({ id: 'ines', roles: ['custodian'] });
    expect(file.roster?.add[0]?.publicKey).toBe(PEM.trim());
    expect(file.roster?.revoke).toEqual([{ id: 'femi', reason: 'leaves' }]);
  });

  it('refuses an add without its key, roles or validity, and a revoke without a reason', () => {
    const { publicKey: _k, ...noKey } = add();
    expect(refusal(change({ add: [noKey] })).data.field).toBe('roster.add[0].publicKey');
    expect(refusal(change({ add: [add({ roles: [] })] })).data.field).toBe('roster.add[0].roles');
    expect(refusal(change({ add: [add({ validFrom: '2027-04-01' })] })).data.field).toBe(
      'roster.add[0].validFrom',
    );
    expect(refusal(change({ revoke: ['femi'] })).data.field).toBe('roster.revoke[0]');
    expect(refusal(change({ revoke: [{ id: 'femi' }] })).data.field).toBe('roster.revoke[0].reason');
  });

  it('refuses a key that is not one PEM public key or certificate', () => {
    const priv = PEM.replaceAll('PUBLIC KEY', 'PRIVATE KEY');
    for (const publicKey of ['MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE', priv, `${PEM}${PEM}`])
      expect(refusal(change({ add: [add({ publicKey })] })).data.field).toBe('roster.add[0].publicKey');
  });

  it('refuses what the file alone can tell is wrong, at the field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ add: [add({ validUntil: '2027-01-01T00:00:00.000Z' })] }, 'roster.add[0].validUntil'],
      [{ add: [add(), add({ id: 'zara', name: 'Zara' })] }, 'roster.add[1].publicKey'],
      [{ add: [add()], revoke: [{ id: 'ines', reason: 'x' }] }, 'roster.revoke[0].id'],
      [{ ...valid, quorum: { m: 1, n: 2 } }, 'roster.quorum.m'],
      [
        {
          add: [add(), add({ id: 'zara', name: 'Zara', publicKey: PEM.replace('ExJSy', 'ExJSz') })],
          quorum: { m: 2, n: 1 },
        },
        'roster.quorum.m',
      ],
      [
        {
          add: [add(), add({ id: 'zara', name: 'Zara', publicKey: PEM.replace('ExJSy', 'ExJSz') })],
          quorum: { m: 2, n: 2 },
        },
        '',
      ],
    ];
    for (const [roster, field] of cases) {
      if (field === '') expect(validateCeremony(change(roster), 'test.yaml').roster?.add).toHaveLength(2);
      else expect(refusal(change(roster)).data.field).toBe(field);
    }
    // n counts at least the custodians the change adds.
    const three = [
      add(),
      add({ id: 'zara', name: 'Zara', publicKey: PEM.replace('ExJSy', 'ExJSz') }),
      add({ id: 'yan', name: 'Yan', publicKey: PEM.replace('ExJSy', 'ExJSx') }),
    ];
    expect(refusal(change({ add: three, quorum: { m: 2, n: 2 } })).data.field).toBe('roster.quorum.n');
  });
});
